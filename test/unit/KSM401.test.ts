import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { Finding, Fix } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM401');

before(() => initParser());

function findings(text: string): Finding[] {
  return analyze(text).filter((f) => f.code === 'KSM401');
}

function only(text: string): Finding {
  const found = findings(text);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

function fixing(finding: Finding): Fix {
  assert.equal(finding.fixes.length, 1);
  return finding.fixes[0]!;
}

function fixed(text: string, finding: Finding): string {
  assert.equal(finding.fixes.length, 1);
  assert.equal(finding.fixes[0]!.applicability, 'unsafe');
  return applyEdits(text, finding.fixes[0]!.edits);
}

const lines = (...l: string[]) => l.join('\n') + '\n';

test('KSM401 moves rescale into the model after its Input, from the training and validation generators', () => {
  const text = lines(
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'train_gen = ImageDataGenerator(rescale=1.0 / 255, horizontal_flip=True)',
    'val_gen = ImageDataGenerator(rescale=1.0 / 255)',
    'model = keras.Sequential([keras.Input(shape=(64, 64, 3)), layers.Flatten(), layers.Dense(1)])',
    'model.compile(optimizer="adam", loss="mse")',
    'model.fit(train_gen.flow(x, y), validation_data=val_gen.flow(xv, yv), epochs=5)',
  );
  const finding = only(text);
  assert.equal(finding.severity, 'warning');
  assert.deepEqual(finding.range.start, { line: 7, character: 10 });
  assert.equal(finding.fixes[0]!.title, 'Move `rescale=1.0 / 255` into the model as `layers.Rescaling(1.0 / 255)`');
  assert.equal(fixed(text, finding), lines(
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'train_gen = ImageDataGenerator(horizontal_flip=True)',
    'val_gen = ImageDataGenerator()',
    'model = keras.Sequential([keras.Input(shape=(64, 64, 3)), layers.Rescaling(1.0 / 255), layers.Flatten(), layers.Dense(1)])',
    'model.compile(optimizer="adam", loss="mse")',
    'model.fit(train_gen.flow(x, y), validation_data=val_gen.flow(xv, yv), epochs=5)',
  ));
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [
    [3, 'the `ImageDataGenerator` is created here'],
    [3, '`rescale=1.0 / 255` is applied outside the model'],
  ]);
});

test('KSM401 moves a declared input_shape onto the inserted Rescaling layer, on its own line', () => {
  const text = lines(
    'from tensorflow.keras.layers import Conv2D, Dense, Flatten',
    'from tensorflow.keras.models import Sequential',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'datagen = ImageDataGenerator(rescale=1./255)',
    'flow = datagen.flow_from_directory("train", target_size=(150, 150))',
    'model = Sequential([',
    '    Conv2D(16, 3, activation="relu", input_shape=(150, 150, 3)),',
    '    Flatten(),',
    '    Dense(1, activation="sigmoid"),',
    '])',
    'model.compile(optimizer="adam", loss="binary_crossentropy")',
    'model.fit(flow, epochs=3)',
  );
  assert.equal(fixed(text, only(text)), lines(
    'from tensorflow.keras.layers import Conv2D, Dense, Flatten, Rescaling',
    'from tensorflow.keras.models import Sequential',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'datagen = ImageDataGenerator()',
    'flow = datagen.flow_from_directory("train", target_size=(150, 150))',
    'model = Sequential([',
    '    Rescaling(1./255, input_shape=(150, 150, 3)),',
    '    Conv2D(16, 3, activation="relu"),',
    '    Flatten(),',
    '    Dense(1, activation="sigmoid"),',
    '])',
    'model.compile(optimizer="adam", loss="binary_crossentropy")',
    'model.fit(flow, epochs=3)',
  ));
});

test('KSM401 adds Rescaling with `add` for a model built by `add`, trained inside a function', () => {
  const text = lines(
    'import tensorflow as tf',
    'datagen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255.0, zoom_range=0.1)',
    'net = tf.keras.Sequential()',
    'net.add(tf.keras.Input(shape=(32, 32, 3)))',
    'net.add(tf.keras.layers.Flatten())',
    'net.add(tf.keras.layers.Dense(10))',
    'def train(x, y):',
    '    net.fit(datagen.flow(x, y))',
  );
  const finding = only(text);
  assert.equal(finding.modelIds.length, 1, 'the module-level model is linked for the readiness report');
  assert.equal(fixed(text, finding), lines(
    'import tensorflow as tf',
    'datagen = tf.keras.preprocessing.image.ImageDataGenerator(zoom_range=0.1)',
    'net = tf.keras.Sequential()',
    'net.add(tf.keras.Input(shape=(32, 32, 3)))',
    'net.add(tf.keras.layers.Rescaling(1 / 255.0))',
    'net.add(tf.keras.layers.Flatten())',
    'net.add(tf.keras.layers.Dense(10))',
    'def train(x, y):',
    '    net.fit(datagen.flow(x, y))',
  ));
});

test('KSM401 offers no Rescaling fix when it would scale twice or in two ways', () => {
  const header = lines(
    'import tensorflow as tf',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'scaled = ImageDataGenerator(rescale=1.0 / 255)',
  );
  // Another generator of the same model scales differently.
  const different = header + lines(
    'halved = ImageDataGenerator(rescale=0.5)',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(8, 8, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])',
    'm.fit(scaled.flow(x, y))',
    'm.fit(halved.flow(x, y))',
  );
  assert.deepEqual(findings(different).map((f) => f.fixes), [[], []]);
  // Scaling combined with normalisation: one layer cannot take over both.
  const normalising = lines(
    'import tensorflow as tf',
    'g = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255, samplewise_center=True)',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(8, 8, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])',
    'm.fit(g.flow(x, y))',
  );
  assert.match(only(normalising).detail ?? '', /\(`samplewise_center`, `rescale`\)|\(`rescale`, `samplewise_center`\)/);
  assert.deepEqual(only(normalising).fixes, []);
  // A model that already rescales: adding a second layer would scale twice.
  const already = header + lines(
    'm = tf.keras.Sequential([tf.keras.layers.Rescaling(0.5), tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])',
    'm.fit(scaled.flow(x, y))',
  );
  assert.deepEqual(only(already).fixes, []);
  // A subclassed model: neither a layer list nor a wrapper keeps it what it is.
  const subclassed = header + lines(
    'class Net(tf.keras.Model):',
    '    def call(self, x):',
    '        return x',
    'm = Net()',
    'm.fit(scaled.flow(x, y))',
  );
  assert.deepEqual(only(subclassed).fixes, []);
});

test('KSM401 moves rescale into a model also fed by generators that do not rescale, and says so', () => {
  const text = lines(
    'import tensorflow as tf',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'scaled = ImageDataGenerator(rescale=1.0 / 255)',
    'augmenting = ImageDataGenerator(horizontal_flip=True)',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(8, 8, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])',
    'm.fit(scaled.flow(x, y))',
    'm.fit(augmenting.flow(x, y))',
  );
  const finding = only(text);
  assert.equal(finding.fixes[0]!.title, 'Move `rescale=1.0 / 255` into the model as `tf.keras.layers.Rescaling(1.0 / 255)`, ' +
    'which then also scales the data of its generators that do not rescale');
  assert.equal(fixed(text, finding), lines(
    'import tensorflow as tf',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'scaled = ImageDataGenerator()',
    'augmenting = ImageDataGenerator(horizontal_flip=True)',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(8, 8, 3)), tf.keras.layers.Rescaling(1.0 / 255), tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])',
    'm.fit(scaled.flow(x, y))',
    'm.fit(augmenting.flow(x, y))',
  ));
});

test('KSM401 wraps a loaded model to move rescale into it, compiling it again with what it carries', () => {
  const text = lines(
    'from tensorflow.keras import layers',
    'from tensorflow.keras.models import load_model',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'datagen = ImageDataGenerator(rescale=1.0 / 255)',
    'if True:',
    '    reloaded = load_model("flowers.keras")',
    '    reloaded.evaluate(datagen.flow(x, y))',
  );
  const finding = only(text);
  assert.equal(finding.fixes[0]!.title, 'Move `rescale=1.0 / 255` into the model as `layers.Rescaling(1.0 / 255)` that wraps `reloaded`, ' +
    'compiled again with its optimizer and loss (add its metrics)');
  assert.equal(fixed(text, finding), lines(
    'from tensorflow.keras import layers, Sequential',
    'from tensorflow.keras.models import load_model',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'datagen = ImageDataGenerator()',
    'if True:',
    '    reloaded = load_model("flowers.keras")',
    '    reloaded = Sequential([layers.Input(shape=reloaded.input_shape[1:]), layers.Rescaling(1.0 / 255), reloaded])',
    '    reloaded.compile(optimizer=reloaded.layers[-1].optimizer, loss=reloaded.layers[-1].loss)',
    '    reloaded.evaluate(datagen.flow(x, y))',
  ));
  // Predicting needs no compiled model.
  const predicting = text.replace('evaluate', 'predict');
  assert.doesNotMatch(fixed(predicting, only(predicting)), /compile/);
});

test('KSM401 wraps a model returned by a helper, compiled again as the helper compiled it', () => {
  const text = lines(
    'from tensorflow import keras',
    'from tensorflow.keras.applications.mobilenet_v2 import preprocess_input',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'def build(inputs):',
    '    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))',
    '    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])',
    '    return model',
    'model = build(keras.Input(shape=(4,)))',
    'model.fit(ImageDataGenerator(preprocessing_function=preprocess_input).flow(x, y))',
  );
  const finding = only(text);
  assert.equal(finding.fixes[0]!.title, 'Move `preprocess_input` (it must work on tensors: Keras or TensorFlow ops only) into the model ' +
    'as a registered custom layer `PreprocessInputLayer` that wraps `model`, compiled again as before');
  assert.equal(fixed(text, finding), lines(
    'from tensorflow import keras',
    'from tensorflow.keras.applications.mobilenet_v2 import preprocess_input',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    '@keras.utils.register_keras_serializable()',
    'class PreprocessInputLayer(keras.layers.Layer):',
    '    def call(self, inputs):',
    '        return preprocess_input(inputs)',
    '',
    '',
    'def build(inputs):',
    '    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))',
    '    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])',
    '    return model',
    'model = build(keras.Input(shape=(4,)))',
    'model = keras.Sequential([keras.Input(shape=model.input_shape[1:]), PreprocessInputLayer(), model])',
    'model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])',
    'model.fit(ImageDataGenerator().flow(x, y))',
  ));
});

test('KSM401 moves featurewise standardisation into the model as a Normalization adapted where the generator was fitted', () => {
  const text = lines(
    'import numpy as np',
    'from tensorflow.keras import layers',
    'from tensorflow.keras.models import Sequential',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'model = Sequential()',
    'model.add(layers.Conv2D(8, 3, input_shape=(32, 32, 3)))',
    'model.add(layers.Flatten())',
    'model.compile(optimizer="adam", loss="mse")',
    'x = np.random.rand(10, 32, 32, 3)',
    'datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, horizontal_flip=True)',
    'datagen.fit(x)',
    'model.fit(datagen.flow(x, y))',
  );
  const finding = only(text);
  assert.equal(finding.fixes[0]!.title, 'Move the featurewise standardisation into the model as `layers.Normalization()`, adapted on the training data');
  assert.equal(fixed(text, finding), lines(
    'import numpy as np',
    'from tensorflow.keras import layers',
    'from tensorflow.keras.models import Sequential',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'model = Sequential()',
    'model.add(layers.Normalization(name="normalization", input_shape=(32, 32, 3)))',
    'model.add(layers.Conv2D(8, 3))',
    'model.add(layers.Flatten())',
    'model.compile(optimizer="adam", loss="mse")',
    'x = np.random.rand(10, 32, 32, 3)',
    'datagen = ImageDataGenerator(horizontal_flip=True)',
    'model.get_layer("normalization").adapt(x)',
    'model.fit(datagen.flow(x, y))',
  ));
});

test('KSM401 adapts the Normalization before the first training on the flowed array, or on a placeholder', () => {
  const text = lines(
    'from tensorflow import keras',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'gen = ImageDataGenerator(featurewise_std_normalization=True)',
    'm = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.Flatten()])',
    'm.fit(gen.flow(x, y))',
    'm.evaluate(gen.flow(x, y))',
  );
  const [fitting, evaluating] = findings(text);
  assert.deepEqual(fixed(text, evaluating!).split('\n').slice(2, 6), [
    'gen = ImageDataGenerator()',
    'm = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.Normalization(name="normalization"), keras.layers.Flatten()])',
    'm.get_layer("normalization").adapt(x)',
    'm.fit(gen.flow(x, y))',
  ]);
  assert.equal(fixing(fitting!).title, 'Move the featurewise standardisation into the model as `keras.layers.Normalization()`, adapted on the training data');
  const directory = text.replace(/gen\.flow\(x, y\)/g, 'gen.flow_from_directory("train")');
  const [fix] = findings(directory)[0]!.fixes;
  assert.match(fix!.title, /\(fill in the training array\)$/);
  const adapt = fix!.edits.find((e) => e.newText.includes('adapt'))!;
  assert.equal(adapt.newText, 'm.get_layer("normalization").adapt(training_images)\n');
  assert.equal(adapt.snippet, 'm.get_layer("normalization").adapt(${1:training_images})\n');
  // Centring alone keeps the variance, which an adapted Normalization divides by.
  assert.deepEqual(only(lines(
    'from tensorflow import keras',
    'm = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.Flatten()])',
    'm.fit(keras.preprocessing.image.ImageDataGenerator(featurewise_center=True).flow(x, y))',
  )).fixes, []);
});

test('KSM401 moves samplewise standardisation into the model as a registered custom layer, positional arguments switched off', () => {
  const text = lines(
    'import keras',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'm = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.Flatten()])',
    'm.predict(ImageDataGenerator(False, True, False, True).flow(x))',
  );
  const finding = only(text);
  assert.equal(finding.fixes[0]!.title, 'Move the samplewise standardisation into the model as a registered custom layer `SamplewiseStandardization`');
  assert.equal(fixed(text, finding), lines(
    'import keras',
    'from tensorflow.keras.preprocessing.image import ImageDataGenerator',
    'import tensorflow as tf',
    '@keras.saving.register_keras_serializable()',
    'class SamplewiseStandardization(keras.layers.Layer):',
    '    def call(self, inputs):',
    '        axes = list(range(1, len(inputs.shape)))',
    '        centred = inputs - tf.reduce_mean(inputs, axis=axes, keepdims=True)',
    '        return centred / (tf.math.reduce_std(centred, axis=axes, keepdims=True) + 1e-6)',
    '',
    '',
    'm = keras.Sequential([keras.Input(shape=(8, 8, 1)), SamplewiseStandardization(), keras.layers.Flatten()])',
    'm.predict(ImageDataGenerator(False, False, False, False).flow(x))',
  ));
  const centring = text.replace('False, True, False, True', 'samplewise_center=True');
  const centred = fixed(centring, only(centring));
  assert.match(centred, /class SamplewiseCentering\(keras\.layers\.Layer\):\n    def call\(self, inputs\):\n        axes = .*\n        return inputs - tf\.reduce_mean\(inputs, axis=axes, keepdims=True\)\n/);
  assert.match(centred, /m\.predict\(ImageDataGenerator\(\)\.flow\(x\)\)/);
});

test('KSM401 wraps a generator called with arguments in from_generator with its signature', () => {
  const text = lines(
    'import numpy as np',
    'import tensorflow as tf',
    'def batches(n):',
    '    for _ in range(n):',
    '        x = np.random.rand(32, 10, 3).astype("float32")',
    '        yield x / 2.0, np.zeros((32, 1))',
    'model = tf.keras.Sequential([tf.keras.Input(shape=(10, 3)), tf.keras.layers.LSTM(4), tf.keras.layers.Dense(1)])',
    'model.fit(batches(100), epochs=2)',
  );
  const finding = only(text);
  assert.equal(finding.severity, 'warning');
  assert.equal(finding.message, 'Data passed to `fit` is changed by the generator `batches`, outside the model');
  assert.match(finding.detail ?? '', /^The Python generator `batches` changes the values it yields \(`x \/ 2\.0`\)/);
  assert.deepEqual(finding.related.map((r) => r.range.start.line), [2, 5]);
  assert.equal(
    finding.fixes[0]!.title,
    'Wrap `batches` in `tf.data.Dataset.from_generator` with its output signature',
  );
  assert.equal(finding.fixes[0]!.applicability, 'unsafe');
  assert.equal(applyEdits(text, finding.fixes[0]!.edits).split('\n')[7],
    'model.fit(tf.data.Dataset.from_generator(lambda: batches(100), output_signature=(' +
    'tf.TensorSpec(shape=(32, 10, 3), dtype=tf.float32), tf.TensorSpec(shape=(32, 1), dtype=tf.float64))), epochs=2)');
  // The second fix moves the constant scale into the model.
  assert.equal(finding.fixes[1]!.title, 'Move `x / 2.0` into the model as `tf.keras.layers.Rescaling(1 / 2.0)`');
  assert.equal(finding.fixes[1]!.applicability, 'unsafe');
  assert.deepEqual(applyEdits(text, finding.fixes[1]!.edits).split('\n').slice(5, 7), [
    '        yield x, np.zeros((32, 1))',
    'model = tf.keras.Sequential([tf.keras.Input(shape=(10, 3)), tf.keras.layers.Rescaling(1 / 2.0), tf.keras.layers.LSTM(4), tf.keras.layers.Dense(1)])',
  ]);
});

test('KSM401 from_generator: None for dimensions that are not literal, and an import when TensorFlow is not imported', () => {
  const text = lines(
    'import keras',
    'import numpy as np',
    '',
    'def windows(data, batch_size):',
    '    while True:',
    '        rows = np.random.randint(0, len(data) - 11, size=batch_size)',
    '        samples = np.zeros((len(rows), 10, data.shape[-1]), dtype="float32")',
    '        targets = np.zeros((len(rows), 1))',
    '        for j, row in enumerate(rows):',
    '            samples[j] = data[row:row + 10]',
    '            targets[j] = data[row + 10, 0]',
    '        yield samples, targets',
    '',
    'model = keras.Sequential([keras.Input(shape=(10, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])',
    'train = windows(np.zeros((500, 3)), 32)',
    'model.fit(x=train, steps_per_epoch=10)',
  );
  const finding = only(text);
  assert.equal(finding.severity, 'information');
  assert.match(finding.detail ?? '', /only batches, windows or selects values/);
  assert.deepEqual(finding.range.start, { line: 15, character: 10 }, 'anchored on the `x=` argument');
  const result = fixed(text, finding).split('\n');
  assert.equal(result[2], 'import tensorflow as tf');
  assert.equal(result[16],
    'model.fit(x=tf.data.Dataset.from_generator(lambda: windows(np.zeros((500, 3)), 32), output_signature=(' +
    'tf.TensorSpec(shape=(None, 10, None), dtype=tf.float32), tf.TensorSpec(shape=(None, 1), dtype=tf.float64))), steps_per_epoch=10)');
});

test('KSM401 from_generator: the generator function itself, and a single yielded array', () => {
  const text = lines(
    'import numpy as np',
    'import tensorflow as tflow',
    'def noise():',
    '    while True:',
    '        yield np.random.randn(8, 4)',
    'model = tflow.keras.Sequential([tflow.keras.Input(shape=(4,)), tflow.keras.layers.Dense(1)])',
    'model.predict(noise, steps=2)',
  );
  assert.equal(fixed(text, only(text)).split('\n')[6],
    'model.predict(tflow.data.Dataset.from_generator(noise, output_signature=tflow.TensorSpec(shape=(8, 4), dtype=tflow.float64)), steps=2)');
});

test('KSM401 from_generator without literal shapes: the model\'s input and output, else placeholders; none when `tf` is taken', () => {
  const opaque = lines(
    'import tensorflow as tf',
    'def rows(x, y):',
    '    for i in range(len(x)):',
    '        yield x[i] / 255.0, y[i]',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(3)])',
    'm.fit(rows(a, b))',
  );
  const [wrap, scale] = only(opaque).fixes;
  assert.equal(wrap!.title, "Wrap `rows` in `tf.data.Dataset.from_generator` with the model's input and output shapes");
  assert.equal(applyEdits(opaque, wrap!.edits).split('\n')[5],
    'm.fit(tf.data.Dataset.from_generator(lambda: rows(a, b), output_signature=(' +
    'tf.TensorSpec(shape=(None, 4), dtype=tf.float32), tf.TensorSpec(shape=(None, 3), dtype=tf.float32))))');
  assert.equal(wrap!.edits[0]!.snippet, undefined);
  assert.equal(scale!.title, 'Move `x[i] / 255.0` into the model as `tf.keras.layers.Rescaling(1 / 255.0)`');

  // A functional model: its Input and the Dense its output comes from.
  const functional = lines(
    'import tensorflow as tf',
    'def rows(x, y):',
    '    for i in range(len(x)):',
    '        yield x[i], y[i]',
    'inputs = tf.keras.Input(shape=(30, 2))',
    'h = tf.keras.layers.LSTM(8)(inputs)',
    'outputs = tf.keras.layers.Dense(1)(h)',
    'm = tf.keras.Model(inputs, outputs)',
    'm.fit(rows(a, b))',
  );
  assert.match(applyEdits(functional, only(functional).fixes[0]!.edits),
    /output_signature=\(tf\.TensorSpec\(shape=\(None, 30, 2\), dtype=tf\.float32\), tf\.TensorSpec\(shape=\(None, 1\), dtype=tf\.float32\)\)/);

  // Nothing declared: placeholders, as a snippet where the client takes one.
  const unknown = lines(
    'import tensorflow as tf',
    'def rows(x):',
    '    for i in range(len(x)):',
    '        yield x[i], x[i]',
    'm = build()',
    'm.fit(rows(a))',
  );
  const [placeholders] = only(unknown).fixes;
  assert.equal(placeholders!.title, 'Wrap `rows` in `tf.data.Dataset.from_generator` (fill in the shapes that cannot be read)');
  assert.match(placeholders!.edits[0]!.newText, /TensorSpec\(shape=\(None, None\), dtype=tf\.float32\), tf\.TensorSpec\(shape=\(None, 1\)/);
  assert.match(placeholders!.edits[0]!.snippet!, /shape=\$\{1:\(None, None\)\}, dtype=tf\.float32\), tf\.TensorSpec\(shape=\$\{2:\(None, 1\)\}/);

  const taken = lines(
    'import keras',
    'import numpy as np',
    'tf = "not tensorflow"',
    'def noise():',
    '    yield np.zeros((2, 4))',
    'm = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'm.fit(noise())',
  );
  assert.deepEqual(only(taken).fixes, []);
});

test('KSM401 wraps a Sequence in from_generator, batch by batch', () => {
  const text = lines(
    'import tensorflow as tf',
    'class Batches(tf.keras.utils.Sequence):',
    '    def __len__(self):',
    '        return 10',
    '    def __getitem__(self, i):',
    '        return self.x[i] / 255.0, self.y[i]',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(2)])',
    'train = Batches()',
    'm.fit(train)',
    'm.fit(Batches())',
  );
  const [named, made] = findings(text);
  assert.equal(applyEdits(text, named!.fixes[0]!.edits).split('\n')[8],
    'm.fit(tf.data.Dataset.from_generator(lambda: (train[i] for i in range(len(train))), output_signature=(' +
    'tf.TensorSpec(shape=(None, 8), dtype=tf.float32), tf.TensorSpec(shape=(None, 2), dtype=tf.float32))))');
  assert.match(applyEdits(text, made!.fixes[0]!.edits).split('\n')[9], /^m\.fit\(tf\.data\.Dataset\.from_generator\(lambda data=Batches\(\): \(data\[i\] for i in range\(len\(data\)\)\), /);
});

test('KSM401 moves a constant scale or shift into the model: Rescaling with the chain\'s scale and offset, Normalization for (x - m) / s', () => {
  const program = (expression: string, before = '') => lines(
    'import numpy as np',
    'import tensorflow as tf',
    'from tensorflow.keras import layers',
    before,
    'def batches(x):',
    '    for i in range(len(x)):',
    `        yield ${expression}`,
    'm = tf.keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(1)])',
    'm.fit(batches(data))',
  );
  const moved = (expression: string, before?: string) => {
    const text = program(expression, before);
    const fix = only(text).fixes.find((f) => f.title.startsWith('Move'));
    return fix && applyEdits(text, fix.edits).split('\n').filter((l) => l.includes('yield') || l.startsWith('m = '));
  };
  assert.deepEqual(moved('x[i] / 127.5 - 1.0'), [
    '        yield x[i]',
    'm = tf.keras.Sequential([layers.Rescaling(1 / 127.5, offset=-1.0, input_shape=(3,)), layers.Dense(4), layers.Dense(1)])',
  ]);
  assert.deepEqual(moved('x[i] * 2'), ['        yield x[i]', 'm = tf.keras.Sequential([layers.Rescaling(2, input_shape=(3,)), layers.Dense(4), layers.Dense(1)])']);
  assert.deepEqual(moved('(x[i] - mean) / std', 'mean = np.mean(data)\nstd = np.std(data)'), [
    '        yield x[i]',
    'm = tf.keras.Sequential([layers.Normalization(mean=mean, variance=std ** 2, input_shape=(3,)), layers.Dense(4), layers.Dense(1)])',
  ]);
  // Not constant: a name bound after the model, a parameter, or a function of the data.
  assert.equal(moved('x[i] / scale'), undefined);
  assert.equal(moved('np.log(x[i])'), undefined);
  assert.equal(moved('x[i] / x.max()'), undefined);
});

test('KSM401 says what it cannot see, and links the model for the readiness report', () => {
  const text = lines(
    'import tensorflow as tf',
    'from helpers import augment',
    'def batches(x):',
    '    for i in range(0, len(x), 4):',
    '        yield augment(x[i:i + 4])',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])',
    'm.fit(batches(data))',
  );
  const finding = only(text);
  assert.equal(finding.severity, 'information');
  assert.match(finding.detail ?? '', /Check that it does not change the values/);
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [
    [2, '`batches` runs in Python, outside the model'],
    [4, 'what `augment(x[i:i + 4])` does to the values is not visible'],
  ]);
  assert.equal(finding.modelIds.length, 1);
});

test('KSM401 gives one finding per training call, none for validation data alone', () => {
  const text = lines(
    'import tensorflow as tf',
    'def scaled(x):',
    '    for row in x:',
    '        yield row * 0.5',
    'm = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])',
    'm.fit(scaled(a), validation_data=scaled(b))',
    'm.fit(a, b, validation_data=scaled(b))',
  );
  assert.deepEqual(findings(text).map((f) => [f.range.start.line, f.severity]), [[5, 'warning']]);
});

test('KSM401 moves rescale into a functional model by applying the layer to its input tensor', () => {
  const text = lines(
    'import tensorflow as tf',
    'datagen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)',
    'inputs = tf.keras.Input(shape=(32, 32, 3))',
    'outputs = tf.keras.layers.Dense(10)(tf.keras.layers.Flatten()(inputs))',
    'functional = tf.keras.Model(inputs, outputs)',
    'functional.fit(datagen.flow(x, y))',
  );
  const [fix] = only(text).fixes;
  assert.equal(fix!.title, 'Move `rescale=1.0 / 255` into the model as `tf.keras.layers.Rescaling(1.0 / 255)`');
  assert.deepEqual(applyEdits(text, fix!.edits).split('\n').slice(1, 4), [
    'datagen = tf.keras.preprocessing.image.ImageDataGenerator()',
    'inputs = tf.keras.Input(shape=(32, 32, 3))',
    'outputs = tf.keras.layers.Dense(10)(tf.keras.layers.Flatten()(tf.keras.layers.Rescaling(1.0 / 255)(inputs)))',
  ]);
  // The input used twice: the whole model is wrapped instead.
  const twice = text.replace('functional = ', 'side = tf.keras.layers.Dense(1)(inputs)\nfunctional = ');
  assert.deepEqual(fixed(twice, only(twice)).split('\n').slice(5, 7), [
    'functional = tf.keras.Model(inputs, outputs)',
    'functional = tf.keras.Sequential([tf.keras.Input(shape=functional.input_shape[1:]), tf.keras.layers.Rescaling(1.0 / 255), functional])',
  ]);
});
