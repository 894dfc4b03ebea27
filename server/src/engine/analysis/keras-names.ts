/**
 * What the engine knows of Keras's public names. Every spelling of Keras (`tf.keras`,
 * `tensorflow.keras`, `tensorflow.python.keras`, `tf_keras`, `keras.src`) is reduced to one
 * canonical dotted name that starts with `keras`.
 */

const kerasRoots: Array<[prefix: string, replacement: string]> = [
  ['tensorflow.compat.v2.keras', 'keras'],
  ['tensorflow.compat.v1.keras', 'keras'],
  ['tensorflow.python.keras', 'keras'],
  ['tensorflow.keras', 'keras'],
  ['tf_keras', 'keras'],
  ['keras.src', 'keras'],
  ['keras', 'keras'],
];

/** `tensorflow.keras.layers.LSTM` → `keras.layers.LSTM`; a name outside Keras → undefined. */
export function canonicalKeras(qualified: string): string | undefined {
  for (const [prefix, replacement] of kerasRoots) {
    if (qualified === prefix) return replacement;
    if (qualified.startsWith(prefix + '.')) return replacement + qualified.slice(prefix.length);
  }
  return undefined;
}

/** The last segment of a canonical Keras name (`keras.layers.LSTM` → `LSTM`). */
export function kerasSymbolOf(canonical: string): string {
  const dot = canonical.lastIndexOf('.');
  return dot < 0 ? canonical : canonical.slice(dot + 1);
}

export const recurrentLayers = new Set([
  'LSTM', 'GRU', 'SimpleRNN', 'RNN', 'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D', 'CuDNNLSTM', 'CuDNNGRU',
]);
export const wrapperLayers = new Set(['Bidirectional', 'TimeDistributed']);
export const inputLayers = new Set(['Input', 'InputLayer']);

/** Layers whose calls KSM301 recognises as a model's first layer. */
const otherLayers = [
  'Dense', 'Embedding', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose',
  'Conv3DTranspose', 'SeparableConv1D', 'SeparableConv2D', 'DepthwiseConv1D', 'DepthwiseConv2D',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D',
  'AveragePooling3D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D',
  'GlobalMaxPooling2D', 'Flatten', 'Reshape', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D',
  'GaussianNoise', 'GaussianDropout', 'BatchNormalization', 'LayerNormalization', 'Normalization',
  'Rescaling', 'Resizing', 'CenterCrop', 'Activation', 'Masking', 'Permute', 'RepeatVector',
  'ZeroPadding1D', 'ZeroPadding2D', 'Cropping1D', 'Cropping2D', 'UpSampling1D', 'UpSampling2D',
  'LeakyReLU', 'PReLU', 'ReLU', 'ELU', 'Softmax', 'MultiHeadAttention', 'Attention',
  'TextVectorization', 'StringLookup', 'IntegerLookup', 'CategoryEncoding', 'Discretization',
  'Hashing', 'RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomContrast',
  'RandomCrop', 'Lambda', 'Layer',
];

export const knownLayers = new Set([
  ...recurrentLayers, ...wrapperLayers, ...inputLayers, ...otherLayers,
]);

/** Names that a star import of each Keras module makes visible. */
export const starExports: Record<string, Set<string>> = {
  keras: new Set(['Sequential', 'Model', 'Input', 'layers', 'models', 'utils', 'saving', 'optimizers', 'losses', 'ops', 'applications', 'preprocessing', 'callbacks', 'metrics']),
  'keras.layers': new Set([...knownLayers]),
  'keras.models': new Set(['Sequential', 'Model', 'load_model', 'save_model', 'clone_model', 'model_from_json']),
  'keras.preprocessing.image': new Set(['ImageDataGenerator']),
  'keras.utils': new Set(['Sequence', 'PyDataset', 'register_keras_serializable', 'to_categorical']),
  'keras.saving': new Set(['register_keras_serializable', 'load_model', 'save_model', 'serialize_keras_object', 'deserialize_keras_object']),
};

export const modelConstructors = new Set(['Sequential', 'Model', 'Functional']);
