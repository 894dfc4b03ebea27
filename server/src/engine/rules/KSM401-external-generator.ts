import type { SyntaxNode } from '../analysis/syntax';
import {
  arrayOperand, functionReferenced, instanceClass, resolveValue, dataDtype, type ScopedNode,
} from '../analysis/data-sources';
import { methodOf, unparen, type ClassInfo, type FunctionInfo, type Scope } from '../analysis/semantic';
import { insertAfter, insertBefore, insertImportLine, removeArgument, removeArguments, replaceNode, startsLine, statementOf } from '../analysis/edits';
import { registeredLayer } from '../analysis/custom-layers';
import { callArguments, definingModel, ownNodes, type FileFacts, type LayerEntry, type ModelFact, type TrainingCall } from '../analysis/facts';
import { inputLayers, kerasSymbolOf } from '../analysis/keras-names';
import { constantTransform } from '../analysis/constant-arithmetic';
import { declaredInputShape, outputWidth } from '../analysis/model-shapes';
import { dataShape, shapeText } from '../analysis/shapes';
import { kerasTrainingCalls } from '../analysis/training-calls';
import { capitalised, eolOf, indentOf, nodeRange, rangeOf } from '../analysis/text';
import type { Fix, RelatedLocation, TextEdit } from '../analysis/types';
import { tupleTypes, ValueTracer, yieldsOrReturns, type Verdict } from '../analysis/value-flow';
import type { Rule, RuleContext } from './rule';

export const externalGenerator: Rule = {
  code: 'KSM401',
  name: 'external-generator',
  summary: 'Training data comes from a generator outside the model, whose preprocessing the saved model lacks',
  severity: 'warning; information when the generator only batches or selects data, or when what it does cannot be seen',
  fixSafety: 'unsafe',
  check: 'data-pipeline',
  docs: {
    what:
      'Looks at the data argument (the first positional argument, `x=` or `generator=`) of `fit`, `evaluate` and ' +
      '`predict` (and `fit_generator`, `evaluate_generator`, `predict_generator`), directly or through names bound ' +
      'to it, and flags it when it is:\n\n' +
      '- a Python generator of the file (a function or method containing `yield`), called or passed itself;\n' +
      '- an instance of a `keras.utils.Sequence` or `PyDataset` subclass of the file;\n' +
      '- the `flow(...)`, `flow_from_directory(...)` or `flow_from_dataframe(...)` result of an ' +
      '`ImageDataGenerator` given preprocessing arguments: `rescale`, `featurewise_center`, ' +
      '`featurewise_std_normalization`, `samplewise_center`, `samplewise_std_normalization`, `zca_whitening` or ' +
      '`preprocessing_function`, not set to their off value (`False`, `None`, `0`; `1` for `rescale`).\n\n' +
      'For a Python generator or a `Sequence`, the severity depends on whether it changes the values of the ' +
      'model input it produces: the first element of what it yields (or what `__getitem__` returns) when that is ' +
      'a tuple `(x, y)` or `(x, y, weights)`, else all of it. Labels do not matter: a served model never sees them. ' +
      'The rule follows that value back through the generator: names and their assignments, items stored into ' +
      'arrays (`X[i] = ...`) or appended to lists, `self.` attributes set in any method of the class, and the ' +
      'return values of functions and methods of the file that it calls. Then:\n\n' +
      '- **changes values** (warning): arithmetic (`x / 255.`, `x - mean`, unary minus, comparisons), NumPy, ' +
      'TensorFlow, SciPy, OpenCV, scikit-image, scikit-learn or PIL functions other than those listed below, ' +
      'methods such as `resize`, `normalize`, `standardize`, `transform` or `texts_to_sequences`, and ' +
      '`preprocess_input`, `pad_sequences`, `to_categorical` and `load_img(..., target_size=...)`;\n' +
      '- **keeps values** (information): reading data (`np.load`, `open`, `cv2.imread`, `PIL.Image.open`, ' +
      '`pandas.read_*`, array constructors and random draws), stacking and reshaping (`np.array`, `np.stack`, ' +
      '`np.concatenate`, `np.expand_dims`, `.reshape`, `.astype`), selecting (slices, indexing, ' +
      '`np.random.choice`, `random.sample`) and flips or rotations, which are augmentation and belong to ' +
      'training alone;\n' +
      '- **cannot tell** (information): any other call whose effect is not known, such as a function imported ' +
      'from another module. Being quiet when unsure is preferred to a false warning.\n\n' +
      'Parameters of the generator and module-level arrays it reads count as raw data: preprocessing done before ' +
      'the data reaches the generator is not the generator\'s, and values passed to a helper of the file are ' +
      'taken as they are.',
    why:
      'Whatever a generator does to the data (`rescale`, normalization, a `preprocessing_function`, arithmetic ' +
      'in a Python generator) runs in Python, outside the model graph, so it is not part of the SavedModel or ' +
      '`.keras` file. Nothing fails: a model served from the file receives unscaled inputs and predicts wrongly ' +
      'without raising anything. Preprocessing layers inside the model (`Rescaling`, `Normalization`) are saved ' +
      'with it. `ImageDataGenerator` is documented as not recommended for new code, in favour of ' +
      '`image_dataset_from_directory` plus preprocessing layers; Keras 3 keeps it only as ' +
      '`tf.keras.preprocessing.image.ImageDataGenerator`.',
    notFlagged:
      '`tf.data.Dataset` pipelines (including `Dataset.from_generator`); NumPy arrays and tensors; an ' +
      '`ImageDataGenerator` that only augments (flips, shifts, rotation, zoom, shear, brightness), since ' +
      'augmentation belongs to training alone; a generator passed only as `validation_data` (one finding per ' +
      'training call, on its training data); classes that are not `Sequence`/`PyDataset` subclasses (a PyTorch ' +
      '`Dataset`); `fit` on an instance of a class of the file that defines a method `fit` (`trainer.fit(...)`, ' +
      '`self.fit(...)`), or on a plain name of unknown origin when a class of the file defines one.',
    example: [
      'datagen = ImageDataGenerator(rescale=1.0 / 255, horizontal_flip=True)',
      'model = keras.Sequential([keras.Input(shape=(64, 64, 3)), layers.Conv2D(16, 3), layers.Flatten(), layers.Dense(1)])',
      'model.compile(optimizer="adam", loss="mse")',
      'model.fit(datagen.flow(x_train, y_train, batch_size=32), epochs=5)',
    ].join('\n'),
    fixed: [
      'datagen = ImageDataGenerator(horizontal_flip=True)',
      'model = keras.Sequential([keras.Input(shape=(64, 64, 3)), layers.Rescaling(1.0 / 255), layers.Conv2D(16, 3), layers.Flatten(), layers.Dense(1)])',
      'model.compile(optimizer="adam", loss="mse")',
      'model.fit(datagen.flow(x_train, y_train, batch_size=32), epochs=5)',
    ].join('\n'),
    fix:
      '- An `ImageDataGenerator` doing one kind of preprocessing (`rescale`; the featurewise or the ' +
      'samplewise standardisation; a `preprocessing_function`) has it moved into the model it trains, and the ' +
      'arguments taken out of the generator (a positional one set to `False` or `None`), unsafe; mixed kinds, and ' +
      '`zca_whitening`, get no fix, since the generator applies them in an order one layer cannot take over. The ' +
      'layer goes first after any `Input`: in a `Sequential` list or as an `add` before the first one (a declared ' +
      '`input_shape` on the old first layer moves to the new one, since Keras reads it from the first layer only), ' +
      'or, for a functional model, applied to the input tensor where the graph first uses it ' +
      '(`Dense(8)(inputs)` becomes `Dense(8)(Rescaling(r)(inputs))`). Where no layer list shows (a model from ' +
      '`load_model` or a helper, or a functional input that the graph does not first pass to one layer call), the model is wrapped after the line that binds ' +
      'it: `model = Sequential([Input(shape=model.input_shape[1:]), layer, model])`; the wrapper is not compiled, ' +
      'so when the model came compiled and is trained or evaluated later, it is compiled again with the ' +
      'arguments of the visible `compile` when they are literals, else with `model.layers[-1].optimizer` and ' +
      '`.loss` (its metrics are not carried, the title says so). Not offered for subclassed models, or for a ' +
      'model that already has a `Rescaling` or `Normalization` layer (scaling twice, or in the wrong order).\n' +
      '  - `rescale=r`: *Move the scaling into the model* as `layers.Rescaling(r)` (spelled through the file\'s ' +
      'imports), removing `rescale` from every `ImageDataGenerator` whose data (training or `validation_data`) ' +
      'goes to that model in the file, so nothing is scaled twice. Generators of the model that do not rescale ' +
      'then have their data scaled by the model too, which keeps every input of the model consistent (the title ' +
      'says so); when one of them rescales by another value, the fix is not offered. Other consumers of those ' +
      'generators, and arrays scaled by hand for the same model, change.\n' +
      '  - `featurewise_std_normalization` (which implies `featurewise_center`): *Move the featurewise ' +
      'standardisation into the model* as `Normalization(name="normalization")`, adapted on the array the ' +
      'generator was fitted on, where it was fitted: `datagen.fit(x)` becomes ' +
      '`model.get_layer("normalization").adapt(x)`. Until then the layer passes data through, as the unfitted ' +
      'generator did (under Keras 2, a model trained before that needs compiling again to see the statistics). ' +
      'With no `fit` of the generator in the scope, the adapt goes before the model\'s first training there, on the ' +
      'array given to `flow`, or on a placeholder to fill in (a snippet; the title says so). `featurewise_center` ' +
      'alone gets no fix: an adapted `Normalization` also divides by the standard deviation, and the mean is not ' +
      'visible to write `Normalization(mean=…, variance=1.0)`.\n' +
      '  - `samplewise_center` / `samplewise_std_normalization`: Keras has no layer that standardises each ' +
      'sample, so *Move the samplewise standardisation into the model* as a registered custom layer ' +
      '(`SamplewiseStandardization`, or `SamplewiseCentering` for the centring alone) generated above the ' +
      'module-level statement that builds the model, as KSM503\'s fix generates them: its `call` subtracts the ' +
      'mean of each sample over all its values and divides by their standard deviation plus `1e-6`, as the ' +
      'generator does, with TensorFlow ops (imported as `tf` when the file does not import TensorFlow). Its ' +
      '`__init__` takes nothing, so it needs no `get_config`.\n' +
      '  - `preprocessing_function=f` (a name): *Move `f` into the model* as a registered custom layer ' +
      '(`PreprocessInputLayer` for `preprocess_input`) whose `call` returns `f(inputs)`. This is sound only when ' +
      '`f` works on tensors, with Keras or TensorFlow ops (the `preprocess_input` functions of ' +
      '`keras.applications` do); a function using NumPy or PIL on arrays fails when the model is built, so the ' +
      'title asks to check it. A lambda gets no fix.\n' +
      '- A Python generator, or a `Sequence`/`PyDataset` class: *Wrap it in `tf.data.Dataset.from_generator`*. ' +
      'The `output_signature` is read from what it yields (or `__getitem__` returns) when every yield has the same ' +
      'visible structure of arrays with literal shapes and dtypes (`np.zeros((32, 10, 3), dtype="float32")`, ' +
      '`np.random.rand(32, 1)`, `.astype(...)`, arithmetic with a number; a dimension that is not a literal ' +
      'becomes `None`; NumPy\'s default integer is taken as `int64`). Otherwise it comes from the model: the ' +
      'declared input (`Input(shape=…)`, a first layer\'s `input_shape`) with a batch dimension, and for the ' +
      'target the units of the output `Dense`, as `float32`; what neither shows becomes a placeholder, a snippet ' +
      'to fill in where the editor takes snippets (the title says so). A generator called with arguments is ' +
      'wrapped as `lambda: gen(args)`, so that each epoch starts a fresh one; a `Sequence` is read batch by ' +
      'batch. TensorFlow is spelled as the file imports it; when it is not imported, `import tensorflow as tf` ' +
      'is added after the last top-level import (no fix when `tf` names something else). Unsafe: the data then ' +
      'flows through `tf.data`, and the values the generator changes must still be reproduced wherever the model ' +
      'is served.\n' +
      '- A generator whose change is a constant scale or shift of the whole input (`x / 255.0`, `x * (1 / 255)`, ' +
      '`x / 127.5 - 1`, `(x - mean) / std` with numbers or module-level names bound before the model to numbers ' +
      'or `np.mean`/`np.std`), training a `Sequential` or functional model: *Move it into the model* as `Rescaling(scale, ' +
      'offset=…)` or `Normalization(mean=…, variance=…)` right after the input, and take the arithmetic out of ' +
      'the generator. Unsafe: every other consumer of the generator changes.',
    references: [
      'https://keras.io/api/layers/preprocessing_layers/image_preprocessing/rescaling/',
      'https://www.tensorflow.org/api_docs/python/tf/data/Dataset#from_generator',
      'https://www.tensorflow.org/api_docs/python/tf/keras/preprocessing/image/ImageDataGenerator',
      'https://keras.io/guides/preprocessing_layers/',
    ],
  },
  run(context) {
    const { facts } = context;
    const tracer = new ValueTracer(facts);
    const trainings = kerasTrainingCalls(facts);
    for (const training of trainings) {
      const data = dataArgument(training.call);
      const source = data && dataSourceOf(facts, training.scope, data.value);
      if (data && source) report(context, tracer, trainings, training, data, source);
    }
  },
};

// --- Where the data comes from -------------------------------------------------------------

/**
 * `trainer.fit(...)` or `self.fit(...)` on an instance of a class of the file that defines the
 * method: not Keras. A plain name of unknown origin counts when any class of the file defines it;
 * an attribute such as `self.model` holds another object than the class it is used in.
 */
interface DataArgument {
  /** The argument as written (`gen()` or `x=gen()`): the anchor. */
  anchor: SyntaxNode;
  value: SyntaxNode;
}

type DataSource =
  | { kind: 'generator'; fn: FunctionInfo; call: ScopedNode | undefined }
  | { kind: 'sequence'; cls: ClassInfo; base: string }
  | { kind: 'image'; generator: ScopedNode };

const flowMethods = new Set(['flow', 'flow_from_directory', 'flow_from_dataframe']);

function dataArgument(call: SyntaxNode): DataArgument | undefined {
  const { positional, keywords, keywordNodes } = callArguments(call);
  for (const name of ['x', 'generator']) {
    const value = keywords.get(name);
    const anchor = keywordNodes.get(name);
    if (value && anchor) return { anchor, value };
  }
  const first = positional[0];
  return first && first.type !== 'list_splat' && first.type !== 'dictionary_splat' ? { anchor: first, value: first } : undefined;
}

function dataSourceOf(facts: FileFacts, scope: Scope, value: SyntaxNode): DataSource | undefined {
  const resolved = resolveValue(facts, scope, value);
  const node = resolved.node;
  if (node.type !== 'call') {
    const fn = functionReferenced(facts, resolved.scope, node);
    return fn?.isGenerator ? { kind: 'generator', fn, call: undefined } : undefined;
  }
  const callee = node.childForFieldName('function');
  if (!callee) return undefined;
  const object = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
  if (object && flowMethods.has(callee.childForFieldName('attribute')?.text ?? '')) {
    const generator = imageDataGenerator(facts, resolved.scope, object);
    if (generator) return { kind: 'image', generator };
  }
  const fn = functionReferenced(facts, resolved.scope, callee);
  if (fn?.isGenerator) return { kind: 'generator', fn, call: resolved };
  const cls = instanceClass(facts, resolved.scope, node);
  const base = cls?.kerasBases.has('PyDataset') ? 'PyDataset' : cls?.kerasBases.has('Sequence') ? 'keras.utils.Sequence' : undefined;
  return cls && base ? { kind: 'sequence', cls, base } : undefined;
}

/** The `ImageDataGenerator(...)` call a value comes from. */
function imageDataGenerator(facts: FileFacts, scope: Scope, node: SyntaxNode): ScopedNode | undefined {
  const resolved = resolveValue(facts, scope, node);
  if (resolved.node.type !== 'call') return undefined;
  const callee = resolved.node.childForFieldName('function');
  const keras = facts.imports.keras(callee);
  const isGenerator = keras
    ? kerasSymbolOf(keras) === 'ImageDataGenerator'
    : facts.imports.qualify(callee) === 'keras_preprocessing.image.ImageDataGenerator';
  return isGenerator ? resolved : undefined;
}

// --- ImageDataGenerator arguments -----------------------------------------------------------

/** `ImageDataGenerator`'s parameters in order, up to the last one that preprocesses. */
const imageGeneratorParameters = [
  'featurewise_center', 'samplewise_center', 'featurewise_std_normalization', 'samplewise_std_normalization',
  'zca_whitening', 'zca_epsilon', 'rotation_range', 'width_shift_range', 'height_shift_range', 'brightness_range',
  'shear_range', 'zoom_range', 'channel_shift_range', 'fill_mode', 'cval', 'horizontal_flip', 'vertical_flip',
  'rescale', 'preprocessing_function',
];
const preprocessingParameters = new Set([
  'featurewise_center', 'samplewise_center', 'featurewise_std_normalization', 'samplewise_std_normalization',
  'zca_whitening', 'rescale', 'preprocessing_function',
]);

interface PreprocessingArgument {
  name: string;
  /** The argument as written, `rescale=1./255` or a positional value. */
  node: SyntaxNode;
  value: SyntaxNode;
  keyword: boolean;
}

function isOff(name: string, value: SyntaxNode): boolean {
  const text = value.text.replace(/\s+/g, '');
  if (/^(False|None|0+\.?0*|\.0+)$/.test(text)) return true;
  return name === 'rescale' && /^1\.?0*$/.test(text);
}

/** The preprocessing arguments an `ImageDataGenerator(...)` call turns on. */
function activePreprocessing(generator: SyntaxNode): PreprocessingArgument[] {
  const { positional, keywords, keywordNodes } = callArguments(generator);
  const found: PreprocessingArgument[] = [];
  positional.forEach((value, i) => {
    const name = imageGeneratorParameters[i];
    if (name && preprocessingParameters.has(name) && value.type !== 'list_splat' && !isOff(name, value)) {
      found.push({ name, node: value, value, keyword: false });
    }
  });
  for (const [name, value] of keywords) {
    const node = keywordNodes.get(name);
    if (node && preprocessingParameters.has(name) && !isOff(name, value)) found.push({ name, node, value, keyword: true });
  }
  return found;
}

// --- Findings ------------------------------------------------------------------------------

function quote(node: SyntaxNode): string {
  const text = node.text.split(/\r?\n/)[0]!.trim();
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function report(
  context: RuleContext,
  tracer: ValueTracer,
  trainings: readonly TrainingCall[],
  training: TrainingCall,
  data: DataArgument,
  source: DataSource,
): void {
  const models = training.model ? [training.model] : [];
  const passed = `Data passed to \`${training.method}\``;
  const consequence =
    'is not part of the saved model, so the served model receives unprocessed inputs and predicts wrongly without raising an error';
  if (source.kind === 'image') {
    const active = activePreprocessing(source.generator.node);
    if (active.length === 0) return;
    const names = active.map((a) => `\`${a.name}\``).join(', ');
    context.report({
      node: data.anchor,
      severity: 'warning',
      message: `${passed} is preprocessed by an \`ImageDataGenerator\`, outside the model`,
      detail: `Its preprocessing (${names}) ${consequence}.`,
      related: [
        { range: nodeRange(source.generator.node), message: 'the `ImageDataGenerator` is created here' },
        ...active.map((a) => ({
          range: nodeRange(a.node),
          message: `\`${a.name}=${quote(a.value)}\` is applied outside the model`,
        })),
      ],
      fixes: imageFixes(context, trainings, training, source.generator.node, active),
      models,
    });
    return;
  }
  const fn = source.kind === 'generator' ? source.fn : sequenceGetItem(context.facts, source.cls);
  const subject = source.kind === 'generator'
    ? `the Python generator \`${source.fn.name}\``
    : `\`${source.cls.name}\`, a \`${source.base}\` subclass`;
  const name = source.kind === 'generator' ? source.fn.name : source.cls.name;
  // The message names the class alone; the detail says what it is.
  const named = source.kind === 'generator' ? `the generator \`${name}\`` : `\`${name}\``;
  const described = capitalised(source.kind === 'generator' ? subject : `${subject},`);
  const nameNode = source.kind === 'generator' ? source.fn.node.childForFieldName('name') ?? source.fn.node : source.cls.nameNode;
  const related: RelatedLocation[] = [{ range: nodeRange(nameNode), message: `\`${name}\` runs in Python, outside the model` }];
  const verdict: Verdict = fn ? tracer.inputOf(fn) : { kind: 'unknown', at: nameNode };
  const fixes = compact([fromGeneratorFix(context, source, fn, data.value, training.model)]);
  if (verdict.kind === 'changes') {
    const scaling = scaleIntoModelFix(context, verdict.at, training.model);
    if (scaling) fixes.push(scaling);
    const changes = source.kind === 'generator' ? 'changes the values it yields' : 'changes, in `__getitem__`, the values it returns';
    context.report({
      node: data.anchor,
      severity: 'warning',
      message: `${passed} is changed by ${named}, outside the model`,
      detail: `${described} ${changes} (\`${quote(verdict.at)}\`): that preprocessing ${consequence}.`,
      related: [...related, { range: nodeRange(verdict.at), message: `changes the values here: \`${quote(verdict.at)}\`` }],
      fixes,
      models,
    });
    return;
  }
  if (verdict.kind === 'unknown') {
    related.push({ range: nodeRange(verdict.at), message: `what \`${quote(verdict.at)}\` does to the values is not visible` });
  }
  context.report({
    node: data.anchor,
    severity: 'information',
    message: `${passed} comes from ${named}, outside the model`,
    detail: `${source.kind === 'generator' ? '' : `\`${name}\` is a \`${source.base}\` subclass. `}` + (verdict.kind === 'keeps'
      ? 'It only batches, windows or selects values, so the saved model misses no preprocessing.'
      : 'Check that it does not change the values (scaling, normalization), which the saved model would not include.'),
    related,
    fixes,
    models,
  });
}

function compact<T>(items: Array<T | undefined>): T[] {
  return items.filter((i): i is T => i !== undefined);
}

function sequenceGetItem(facts: FileFacts, cls: ClassInfo): FunctionInfo | undefined {
  const method = methodOf(cls, '__getitem__');
  return method && facts.semantic.functionOf(method);
}

// --- Fixes ---------------------------------------------------------------------------------

const featurewiseParameters: ReadonlySet<string> = new Set(['featurewise_center', 'featurewise_std_normalization']);
const samplewiseParameters: ReadonlySet<string> = new Set(['samplewise_center', 'samplewise_std_normalization']);

/**
 * The fix that moves an `ImageDataGenerator`'s preprocessing into the model, for one kind of
 * preprocessing at a time: `rescale`, the featurewise or the samplewise standardisation, or a
 * `preprocessing_function`. Mixed kinds run in an order one layer cannot take over.
 */
function imageFixes(
  context: RuleContext,
  trainings: readonly TrainingCall[],
  training: TrainingCall,
  generator: SyntaxNode,
  active: PreprocessingArgument[],
): Fix[] {
  const all = (names: ReadonlySet<string>) => active.every((a) => names.has(a.name));
  const [first] = active;
  if (!training.model || !first) return [];
  const fix = all(new Set(['rescale'])) ? rescalingFix(context, trainings, training, training.model, first)
    : all(featurewiseParameters) ? normalizationFix(context, trainings, training, training.model, generator, active)
    : all(samplewiseParameters) ? samplewiseFix(context, training, training.model, active)
    : all(new Set(['preprocessing_function'])) ? functionLayerFix(context, training, training.model, first)
    : undefined;
  return compact([fix]);
}

/** The edits that turn arguments off: keywords are removed, positional ones set to their off value. */
function switchOff(args: readonly PreprocessingArgument[]): TextEdit[] {
  const positional = args.filter((a) => !a.keyword).map((a) => replaceNode(a.value, a.name === 'preprocessing_function' ? 'None' : 'False'));
  return [...removeArguments(args.filter((a) => a.keyword).map((a) => a.node)), ...positional];
}

/** A model that already scales or normalises inside: a second layer would do it twice, or in the wrong order. */
function preprocessesInside(facts: FileFacts, model: ModelFact): boolean {
  return definingModel(model).layers.some((entry) => ['Rescaling', 'Normalization'].includes(layerSymbol(facts, entry) ?? ''));
}

/**
 * `layers.Rescaling(r)` first in the model, and `rescale` out of every `ImageDataGenerator` that
 * feeds the model in the file, so that no data is scaled twice. Generators of the model that do
 * not rescale get their data scaled by the model too, which the title says.
 */
function rescalingFix(context: RuleContext, trainings: readonly TrainingCall[], training: TrainingCall, trained: ModelFact, rescale: PreprocessingArgument): Fix | undefined {
  const { facts } = context;
  if (!rescale.keyword || preprocessesInside(facts, trained)) return undefined;
  const spelled = facts.imports.spell('keras.layers.Rescaling');
  const scale = rescale.value.text;
  const feeding = rescaleArguments(facts, trainings, definingModel(trained));
  const rescales = feeding.filter((node): node is SyntaxNode => node !== undefined);
  // Data that some generator scales differently would change meaning.
  if (!spelled || rescales.some((node) => node.childForFieldName('value')?.text !== scale)) return undefined;
  const placed = placeFirst(facts, training, trained, (shape) => `${spelled.text}(${scale}${shape})`);
  if (!placed) return undefined;
  const others = rescales.length < feeding.length ? ', which then also scales the data of its generators that do not rescale' : '';
  return {
    title: `Move \`rescale=${scale}\` into the model as \`${spelled.text}(${scale})\`${placed.title}${others}`,
    applicability: 'unsafe',
    edits: [...spelled.edits, ...rescales.map(removeArgument), ...placed.edits],
  };
}

/**
 * Featurewise standardisation (the standard deviation's implies the centring) as a
 * `Normalization(name="normalization")` first in the model, adapted on the array the generator
 * was fitted on, where it was fitted (`datagen.fit(x)` becomes
 * `model.get_layer("normalization").adapt(x)`): until then the layer passes data through, as the
 * generator did before it was fitted. With no `fit` of the generator, the layer is adapted before
 * the model's first training on the array given to `flow`, or on a placeholder.
 */
function normalizationFix(
  context: RuleContext,
  trainings: readonly TrainingCall[],
  training: TrainingCall,
  trained: ModelFact,
  generator: SyntaxNode,
  active: PreprocessingArgument[],
): Fix | undefined {
  const { facts } = context;
  // Centring alone keeps the variance, which an adapted `Normalization` divides by.
  if (!active.some((a) => a.name === 'featurewise_std_normalization') || preprocessesInside(facts, trained)) return undefined;
  const spelled = facts.imports.spell('keras.layers.Normalization');
  const placed = spelled && placeFirst(facts, training, trained, (shape) => `${spelled.text}(name="normalization"${shape})`);
  if (!spelled || !placed) return undefined;
  const layer = `${trained.name}.get_layer("normalization")`;
  const fitted = generatorFit(facts, training, generator);
  const adapt = fitted ? { edit: replaceNode(fitted.call, `${layer}.adapt(${fitted.array.text})`), filled: true } : adaptBeforeTraining(facts, trainings, training, layer);
  if (!adapt) return undefined;
  return {
    title: `Move the featurewise standardisation into the model as \`${spelled.text}()\`, adapted on the training data${placed.title}` +
      (adapt.filled ? '' : ' (fill in the training array)'),
    applicability: 'unsafe',
    edits: [...spelled.edits, ...switchOff(active), ...placed.edits, adapt.edit],
  };
}

/** The `datagen.fit(x)` statement of this generator in the training's scope, and the array it fits. */
function generatorFit(facts: FileFacts, training: TrainingCall, generator: SyntaxNode): { call: SyntaxNode; array: SyntaxNode } | undefined {
  for (const call of facts.semantic.callsIn(training.scope)) {
    const callee = call.childForFieldName('function');
    const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    if (!object || callee?.childForFieldName('attribute')?.text !== 'fit' || call.parent?.type !== 'expression_statement') continue;
    const { positional, keywords } = callArguments(call);
    const [array] = positional;
    if (array && positional.length === 1 && keywords.size === 0 && imageDataGenerator(facts, training.scope, object)?.node.id === generator.id) {
      return { call, array };
    }
  }
  return undefined;
}

/**
 * `layer.adapt(x)` on its own line before the model's first training in this scope, `x` being the
 * array given to `flow` here, or a placeholder to fill in.
 */
function adaptBeforeTraining(facts: FileFacts, trainings: readonly TrainingCall[], training: TrainingCall, layer: string): { edit: TextEdit; filled: boolean } | undefined {
  const model = definingModel(training.model!);
  const first = trainings.find((t) => t.scope === training.scope && t.model && definingModel(t.model) === model) ?? training;
  const flow = sourceCall(facts, training);
  const array = flow?.childForFieldName('function')?.childForFieldName('attribute')?.text === 'flow' ? callArguments(flow).positional[0] : undefined;
  const edit = insertBefore(statementOf(first.call), `${layer}.adapt(${array?.text ?? 'training_images'})`, facts.text);
  if (!edit) return undefined;
  if (!array) edit.snippet = edit.newText.replace('training_images', '${1:training_images}');
  return { edit, filled: array !== undefined };
}

/** The `flow*(...)` call whose result is the training's data. */
function sourceCall(facts: FileFacts, training: TrainingCall): SyntaxNode | undefined {
  const data = dataArgument(training.call);
  return data && resolveValue(facts, training.scope, data.value).node;
}

/**
 * Samplewise standardisation (the standard deviation's implies the centring), which Keras has no
 * layer for, as a registered custom layer first in the model that standardises each sample over
 * all its values, as the generator does (`+ 1e-6` as its divisor's guard).
 */
function samplewiseFix(context: RuleContext, training: TrainingCall, trained: ModelFact, active: PreprocessingArgument[]): Fix | undefined {
  const standardises = active.some((a) => a.name === 'samplewise_std_normalization');
  const tf = tensorflowName(context.facts);
  if (!tf) return undefined;
  const axes = 'axes = list(range(1, len(inputs.shape)))';
  const centred = `inputs - ${tf.name}.reduce_mean(inputs, axis=axes, keepdims=True)`;
  const body = standardises
    ? [axes, `centred = ${centred}`, `return centred / (${tf.name}.math.reduce_std(centred, axis=axes, keepdims=True) + 1e-6)`]
    : [axes, `return ${centred}`];
  const name = standardises ? 'SamplewiseStandardization' : 'SamplewiseCentering';
  return customLayerFix(context, training, trained, { className: name, body, usesTensorflow: true }, tf, active, standardises ? 'the samplewise standardisation' : 'the samplewise centring');
}

/**
 * `preprocessing_function=f` as a registered custom layer first in the model whose `call` returns
 * `f(inputs)`: sound only when `f` works on tensors (Keras or TensorFlow ops, as the
 * `preprocess_input` functions of `keras.applications` do), which the title asks to check.
 */
function functionLayerFix(context: RuleContext, training: TrainingCall, trained: ModelFact, argument: PreprocessingArgument): Fix | undefined {
  const fn = unparen(argument.value);
  if (fn.type !== 'identifier' && fn.type !== 'attribute') return undefined;
  const words = (fn.childForFieldName('attribute') ?? fn).text.split('_').filter(Boolean);
  const name = `${words.map(capitalised).join('')}Layer`;
  const tf = tensorflowName(context.facts);
  if (!tf) return undefined;
  const body = [`return ${fn.text}(inputs)`];
  return customLayerFix(context, training, trained, { className: name, body, usesTensorflow: false }, tf, [argument],
    `\`${fn.text}\` (it must work on tensors: Keras or TensorFlow ops only)`);
}

/** A registered custom layer running `body`, generated above the model and put first in it, the generator's arguments off. */
function customLayerFix(
  context: RuleContext,
  training: TrainingCall,
  trained: ModelFact,
  layerCode: { className: string; body: string[]; usesTensorflow: boolean },
  tf: { name: string; edits: TextEdit[] },
  removed: PreprocessingArgument[],
  what: string,
): Fix | undefined {
  const { facts } = context;
  const model = definingModel(trained);
  const version = context.versions.at(training.methodNode);
  const layer = registeredLayer(facts, version, model.definition, layerCode.className, layerCode.body, tf.name);
  const placed = layer && placeFirst(facts, training, trained, (shape) => `${layer.className}(${shape.replace(/^, /, '')})`);
  if (!layer || !placed) return undefined;
  return {
    title: `Move ${what} into the model as a registered custom layer \`${layer.className}\`${placed.title}`,
    applicability: 'unsafe',
    edits: [...(layerCode.usesTensorflow || layer.throughTensorflow ? tf.edits : []), ...layer.edits, ...switchOff(removed), ...placed.edits],
  };
}

const literalTypes: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'true', 'false', 'none']);

/** A value that reads the same anywhere: a string, number or constant, or a list, tuple or dict of them. */
function isLiteral(node: SyntaxNode): boolean {
  if (literalTypes.has(node.type)) return true;
  if (node.type === 'pair') return node.namedChildren.every(isLiteral);
  return ['list', 'tuple', 'dictionary'].includes(node.type) && node.namedChildren.every(isLiteral);
}

interface Placement {
  edits: TextEdit[];
  /** What the title adds when the model is wrapped. */
  title: string;
}

/**
 * Edits that put a layer first in the trained model, after its input: in its layers where they
 * show (`firstLayerInsertion`); otherwise, for a model bound to a name (from `load_model`, a
 * helper, a functional graph whose input cannot take it), by wrapping it after its binding:
 * `model = Sequential([Input(shape=model.input_shape[1:]), layer, model])`. A wrapped model that came compiled and is trained or
 * evaluated later is compiled again with its own optimizer and loss, since the wrapper is not
 * (its metrics are not carried: the title says so).
 */
function placeFirst(facts: FileFacts, training: TrainingCall, trained: ModelFact, layer: (shapeArgument: string) => string): Placement | undefined {
  const model = definingModel(trained);
  const inserted = firstLayerInsertion(facts, model, layer);
  if (inserted) return { edits: inserted, title: '' };
  const sequential = facts.imports.spell('keras.Sequential', ['keras.models.Sequential']);
  const input = facts.imports.spell('keras.Input', ['keras.layers.Input']);
  const binding = statementOf(trained.definition);
  const assignment = binding.firstNamedChild;
  if (!sequential || !input || model.kind === 'subclass' || !/^[A-Za-z_]\w*$/.test(trained.name) || training.scope !== trained.scope) return undefined;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== trained.name || !startsLine(binding, facts.text)) return undefined;
  const name = trained.name;
  const compile = model.events.find((e) => e.kind === 'compile');
  const recompile = (trained.kind === 'loaded' || compile) && !trained.events.some((e) => e.kind === 'compile') &&
    trained.events.some((e) => e.method !== 'predict' && e.method !== 'predict_generator' && e.kind === 'build-step');
  // Compiled as the helper compiled it when its arguments are literals; else with what the model carries.
  const compileArguments = compile && callArguments(compile.call);
  const literal = compileArguments && [...compileArguments.positional, ...compileArguments.keywords.values()].every(isLiteral);
  const compiledAs = literal ? compile.call.childForFieldName('arguments')?.text : undefined;
  const lines = [`${name} = ${sequential.text}([${input.text}(shape=${name}.input_shape[1:]), ${layer('')}, ${name}])`];
  if (recompile) lines.push(`${name}.compile${compiledAs ?? `(optimizer=${name}.layers[-1].optimizer, loss=${name}.layers[-1].loss)`}`);
  return {
    edits: [...sequential.edits, ...input.edits, insertAfter(binding, lines, indentOf(binding, facts.text), facts.text)],
    title: ` that wraps \`${name}\`` + (!recompile ? '' : compiledAs ? ', compiled again as before' : ', compiled again with its optimizer and loss (add its metrics)'),
  };
}

/**
 * Edits that insert a layer as a `Sequential` model's first layer after any `Input`: in its list,
 * or as an `add` before the first one. Keras reads a declared input shape from the first layer
 * only, so one declared on the old first layer moves to the new one (`layer` gets it as `, input_shape=…`).
 */
function firstLayerInsertion(facts: FileFacts, model: ModelFact, layer: (shapeArgument: string) => string): TextEdit[] | undefined {
  if (model.kind === 'functional') return inputTensorInsertion(model, layer(''));
  if (model.kind !== 'sequential') return undefined;
  const first = model.layers.find((entry) => !inputLayers.has(layerSymbol(facts, entry) ?? ''));
  if (!first) return undefined;
  const shape = first.call ? inputShapeArgument(first.call) : undefined;
  const text = layer(shape ? `, ${shape.text}` : '');
  const edits: TextEdit[] = shape ? [removeArgument(shape)] : [];
  if (model.layerList && first.element.parent?.id === model.layerList.id) {
    const separator = startsLine(first.element, facts.text) ? eolOf(facts.text) + indentOf(first.element, facts.text) : ' ';
    edits.push({ range: rangeOf(first.element.startPosition), newText: `${text},${separator}` });
    return edits;
  }
  const add = first.element.parent?.parent;
  const insert = add?.type === 'call' ? insertBefore(statementOf(add), `${model.name}.add(${text})`, facts.text) : undefined;
  return insert ? [...edits, insert] : undefined;
}

/**
 * For a functional model, the layer applied to its input tensor where the graph first uses it:
 * `Dense(8)(inputs)` becomes `Dense(8)(Rescaling(r)(inputs))`. Only when the input is a name
 * used once, as the argument of one layer call, before the model is made.
 */
function inputTensorInsertion(model: ModelFact, layer: string): TextEdit[] | undefined {
  const { positional, keywords } = callArguments(model.definition);
  const inputs = keywords.get('inputs') ?? positional[0];
  const name = inputs && unparen(inputs);
  if (name?.type !== 'identifier') return undefined;
  const uses = ownNodes(model.scope.node, identifierTypes).filter((n) => n.text === name.text && n.startIndex < model.definition.startIndex && n.parent?.type === 'argument_list');
  const [use] = uses;
  if (uses.length !== 1 || use?.parent?.parent?.childForFieldName('function')?.type !== 'call') return undefined;
  return [replaceNode(use, `${layer}(${name.text})`)];
}

const identifierTypes: ReadonlySet<string> = new Set(['identifier']);

/**
 * The generator's constant scale or shift moved into the model: the matching preprocessing layer
 * right after its input, and the arithmetic taken out of the generator.
 */
function scaleIntoModelFix(context: RuleContext, change: SyntaxNode, trained: ModelFact | undefined): Fix | undefined {
  const { facts } = context;
  const model = trained && definingModel(trained);
  if (!model) return undefined;
  const transform = constantTransform(facts, change, model.definition.startIndex);
  const spelled = transform && facts.imports.spell(`keras.layers.${transform.layer}`);
  if (!transform || !spelled) return undefined;
  if (model.layers.some((entry) => layerSymbol(facts, entry) === transform.layer)) return undefined;
  const insertion = firstLayerInsertion(facts, model, (shape) => `${spelled.text}(${transform.args}${shape})`);
  if (!insertion) return undefined;
  return {
    title: `Move \`${quote(change)}\` into the model as \`${spelled.text}(${transform.args})\``,
    applicability: 'unsafe',
    edits: [...spelled.edits, replaceNode(change, transform.operand.text), ...insertion],
  };
}

/**
 * The `rescale=` argument of each image generator whose data (training or validation) goes to
 * the model in any training call of the file; undefined for a generator that does not rescale.
 */
function rescaleArguments(facts: FileFacts, trainings: readonly TrainingCall[], model: ModelFact): Array<SyntaxNode | undefined> {
  const found = new Map<number, SyntaxNode | undefined>();
  for (const training of trainings) {
    if (!training.model || definingModel(training.model) !== model) continue;
    const values = [dataArgument(training.call)?.value, callArguments(training.call).keywords.get('validation_data')];
    for (const value of values) {
      const source = value && dataSourceOf(facts, training.scope, value);
      if (source?.kind !== 'image') continue;
      const generator = source.generator.node;
      found.set(generator.id, activePreprocessing(generator).find((a) => a.name === 'rescale' && a.keyword)?.node);
    }
  }
  return [...found.values()];
}

/** The Keras class of a layer entry (`Input`, `Dense` ...), when it is a Keras layer call. */
function layerSymbol(facts: FileFacts, entry: LayerEntry): string | undefined {
  const keras = facts.imports.keras(entry.call?.childForFieldName('function'));
  return keras === undefined ? undefined : kerasSymbolOf(keras);
}

function inputShapeArgument(layer: SyntaxNode): SyntaxNode | undefined {
  const { keywordNodes } = callArguments(layer);
  return keywordNodes.get('input_shape') ?? keywordNodes.get('batch_input_shape') ?? keywordNodes.get('input_dim');
}

/**
 * `tf.data.Dataset.from_generator(...)` in place of the data argument. The signature is read from
 * what the generator yields (or `__getitem__` returns) where literal shapes show; otherwise from
 * the model's declared input and output layer; otherwise it is a snippet of placeholders.
 */
function fromGeneratorFix(context: RuleContext, source: Exclude<DataSource, { kind: 'image' }>, fn: FunctionInfo | undefined, value: SyntaxNode, trained: ModelFact | undefined): Fix | undefined {
  const { facts } = context;
  const tf = tensorflowName(facts);
  if (!tf) return undefined;
  const generator = generatorCallable(source, value);
  const name = source.kind === 'generator' ? source.fn.name : source.cls.name;
  const wrap = (signature: string) => `${tf.name}.data.Dataset.from_generator(${generator}, output_signature=${signature})`;
  const read = fn && outputSignature(facts, fn, tf.name);
  if (read) {
    return {
      title: `Wrap \`${name}\` in \`${tf.name}.data.Dataset.from_generator\` with its output signature`,
      applicability: 'unsafe',
      edits: [replaceNode(value, wrap(read)), ...tf.edits],
    };
  }
  // What one batch holds: the input, and for fit the target and maybe sample weights.
  const parts = fn ? yieldedParts(fn) : 2;
  if (parts === undefined) return undefined;
  const input = trained && declaredInputShape(facts, trained);
  const width = trained && outputWidth(facts, trained);
  const spec = (shape: string) => `${tf.name}.TensorSpec(shape=${shape}, dtype=${tf.name}.float32)`;
  const batched = (sample: string) => `(None, ${sample.replace(/^\(|,?\)$/g, '')})`;
  let stop = 0;
  const placeholder = (fallback: string) => ({ text: fallback, snippet: `\${${++stop}:${fallback}}` });
  const shapes = [
    input ? { text: batched(input), snippet: batched(input) } : placeholder('(None, None)'),
    width ? { text: `(None, ${width})`, snippet: `(None, ${width})` } : placeholder('(None, 1)'),
    { text: '(None,)', snippet: '(None,)' },
  ].slice(0, parts);
  const signature = (key: 'text' | 'snippet') => (parts === 1 ? spec(shapes[0]![key]) : `(${shapes.map((s) => spec(s[key])).join(', ')})`);
  const edit = replaceNode(value, wrap(signature('text')));
  if (stop > 0) edit.snippet = wrap(signature('snippet')).replace(/\$(?!\{)/g, '\\$');
  return {
    title: stop > 0
      ? `Wrap \`${name}\` in \`${tf.name}.data.Dataset.from_generator\` (fill in the shapes that cannot be read)`
      : `Wrap \`${name}\` in \`${tf.name}.data.Dataset.from_generator\` with the model's input and output shapes`,
    applicability: 'unsafe',
    edits: [edit, ...tf.edits],
  };
}

/**
 * What `from_generator` calls for each epoch: a generator function as it is, a generator called
 * with arguments as a lambda, and a `Sequence`/`PyDataset` as its batches in order.
 */
function generatorCallable(source: Exclude<DataSource, { kind: 'image' }>, value: SyntaxNode): string {
  if (source.kind === 'generator') {
    if (!source.call) return value.text;
    const callee = source.call.node.childForFieldName('function');
    const { positional, keywords } = callArguments(source.call.node);
    return callee && positional.length === 0 && keywords.size === 0 ? callee.text : `lambda: ${source.call.node.text}`;
  }
  const data = unparen(value);
  // A name is read at each epoch; an expression is evaluated once, as Keras reads one Sequence.
  return /^[A-Za-z_][\w.]*$/.test(data.text)
    ? `lambda: (${data.text}[i] for i in range(len(${data.text})))`
    : `lambda data=${data.text}: (data[i] for i in range(len(data)))`;
}

/** How many arrays each yield (or return) holds: 1 for a bare array; undefined when yields disagree. */
function yieldedParts(fn: FunctionInfo): number | undefined {
  const counts = new Set(yieldsOrReturns(fn).map((y) => {
    const value = y.namedChildren.find((c) => c.type !== 'comment');
    const item = value && unparen(value);
    return item && tupleTypes.has(item.type) ? item.namedChildren.filter((c) => c.type !== 'comment').length : 1;
  }));
  const [count] = [...counts];
  return counts.size === 1 && count !== undefined && count <= 3 ? count : undefined;
}

/** How the file names TensorFlow, adding `import tensorflow as tf` when it does not import it. */
function tensorflowName(facts: FileFacts): { name: string; edits: TextEdit[] } | undefined {
  const local = facts.imports.localName('tensorflow');
  if (local) return { name: local, edits: [] };
  if (facts.tree.ofType('identifier').some((n) => n.text === 'tf')) return undefined;
  const edit = insertImportLine(facts.root, 'import tensorflow as tf', facts.text);
  return edit ? { name: 'tf', edits: [edit] } : undefined;
}

/** The `output_signature` of what a generator yields, when every yield shows the same literal structure. */
function outputSignature(facts: FileFacts, fn: FunctionInfo, tf: string): string | undefined {
  const yields = yieldsOrReturns(fn);
  const signatures = yields.map((y) => {
    const value = y.namedChildren.find((c) => c.type !== 'comment');
    const delegates = y.children.some((c) => c.type === 'from');
    return value && !delegates ? tensorSpec(facts, fn.scope, value, y.startIndex, tf) : undefined;
  });
  const [first] = signatures;
  return first && signatures.every((s) => s === first) ? first : undefined;
}

function tensorSpec(facts: FileFacts, scope: Scope, node: SyntaxNode, before: number, tf: string): string | undefined {
  const value = unparen(node);
  if (tupleTypes.has(value.type)) {
    const items = value.namedChildren
      .filter((c) => c.type !== 'comment')
      .map((item) => tensorSpec(facts, scope, item, before, tf));
    if (items.length === 0 || items.some((i) => i === undefined)) return undefined;
    return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
  }
  // Arithmetic with a number keeps the shape: `x / 255.0` has the shape of `x`.
  const shape = dataShape(arrayOperand(value) ?? value, scope, facts.imports, before);
  const dtype = dataDtype(value, scope, facts.imports, before);
  return shape && dtype ? `${tf}.TensorSpec(shape=${shapeText(shape)}, dtype=${tf}.${dtype})` : undefined;
}
