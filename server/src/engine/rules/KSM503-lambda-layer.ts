import type { SyntaxNode } from '../analysis/syntax';
import { allEvents, callArguments, type FileFacts, type ModelEvent, type ModelFact } from '../analysis/facts';
import { lastBinding, unparen } from '../analysis/semantic';
import { lambdaReplacementFixes } from '../analysis/lambda-replacement';
import { kerasSymbolOf } from '../analysis/keras-names';
import { layerCalls } from '../analysis/save-calls';
import { saveFormatOf } from '../analysis/save-formats';
import { capitalised, nodeRange } from '../analysis/text';
import type { KerasVersionInfo, RelatedLocation } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const lambdaLayer: Rule = {
  code: 'KSM503',
  name: 'lambda-layer',
  summary: 'A `Lambda` layer wrapping a Python `lambda` in a saved model, which Keras 3 refuses to load in safe mode',
  severity: 'information',
  fixSafety: 'unsafe',
  check: 'save-api',
  docs: {
    what:
      'Flags a `keras.layers.Lambda(...)` whose function (or `output_shape`) is a Python `lambda`, written in ' +
      'place or bound to a name in the same scope, when the layer is part of a model that the file saves with ' +
      '`model.save(...)`, `save_model(...)` or a full-model `ModelCheckpoint` passed to `fit`: an element of a ' +
      '`Sequential` layer list or `add` call, or a layer created in the scope that builds a functional model. ' +
      'Under Keras 2 (the Keras of the `Lambda`), a `Lambda` around a named function (`Lambda(scale)`, ' +
      '`Lambda(tf.nn.relu)`) is flagged too, but only when the model is saved to a `.keras` file; with the version ' +
      'unknown it is reported for such saves with both behaviours named. It is **information**: saving works, ' +
      'and loading works once you opt out of safe mode.',
    why:
      'Keras serializes a Python lambda as its bytecode. Keras 3 warns when saving it, and `load_model` with the ' +
      'default `safe_mode=True` refuses it: "Requested the deserialization of a Lambda layer with a Python ' +
      '`lambda` inside it. This carries a potential risk of arbitrary code execution and thus it is disallowed by ' +
      'default." The explanation names `safe_mode=False` as the way out (as does ' +
      '`keras.config.enable_unsafe_deserialization()`). Keras 2 reads the ' +
      'bytecode from HDF5 and SavedModel files, but only under the Python version that wrote it. Keras 2 stores ' +
      'every `Lambda` function as bytecode, a named one too, and its `.keras` loader refuses it under safe mode.',
    notFlagged:
      '`Lambda` around a named function under Keras 3, which stores it by name (KSM205 looks after its ' +
      'registration), and under Keras 2 in `.h5` and SavedModel saves, which load its bytecode; ' +
      'models that are never saved, or only exported (`model.export`, `tf.saved_model.save`), which store traced ' +
      'graphs; lambdas inside custom layers, which their own code rebuilds; files that load with ' +
      '`safe_mode=False` or call `enable_unsafe_deserialization()`, whose authors have made that choice.',
    example: [
      'model = keras.Sequential([',
      '    keras.Input(shape=(28, 28)),',
      '    layers.Lambda(lambda x: x / 255.0),',
      '    layers.Flatten(),',
      '    layers.Dense(10, activation="softmax"),',
      '])',
      'model.save("digits.keras")',
    ].join('\n'),
    fixed: [
      'model = keras.Sequential([',
      '    keras.Input(shape=(28, 28)),',
      '    layers.Rescaling(1 / 255.0),',
      '    layers.Flatten(),',
      '    layers.Dense(10, activation="softmax"),',
      '])',
      'model.save("digits.keras")',
    ].join('\n'),
    fix:
      'Both unsafe, since the model\'s layers change, for a `Lambda` whose arguments are its function, an ' +
      '`output_shape` (the replacement computes its own) and the base layer\'s `name`, `input_shape`, `dtype`, ' +
      '`trainable` (kept):\n\n' +
      '- *Replace the `Lambda` with a built-in layer* where the body is that layer\'s job: constant arithmetic on the ' +
      'input (`x / 255`, `x * c`, `x / 127.5 - 1`) becomes `Rescaling(scale, offset=…)`, and an activation function ' +
      'of the input (`tf.nn.relu(x)`, or `tf.nn.relu` itself) becomes `Activation("relu")`;\n' +
      '- otherwise *Replace the `Lambda` with a registered custom layer*: a `LambdaLayer` class is generated above ' +
      'the statement that builds the model, decorated with `register_keras_serializable()` in the file\'s spelling ' +
      '(`keras.saving.` with Keras 3 or keras 2.12 or later in evidence, `keras.utils.` otherwise), whose `call` ' +
      'returns the lambda\'s body with its parameter renamed to `inputs` (or calls the named function on them); ' +
      'the `Lambda` becomes `LambdaLayer()`. ' +
      'Its `__init__` takes nothing, so it needs no `get_config`.\n\n' +
      'No fix with other `Lambda` arguments (`arguments`, `mask`), for a lambda with several parameters, a ' +
      'nested lambda or comprehension, or a body over several lines. ' +
      'If you trust the file, you can also load it with `keras.models.load_model(path, safe_mode=False)`.',
    references: [
      'https://keras.io/api/layers/core_layers/lambda/',
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/#loadmodel-function',
      'https://keras.io/guides/serialization_and_saving/',
    ],
  },
  run(context) {
    const { facts } = context;
    if (optsOutOfSafeMode(facts)) return;
    const found = new Map<number, { layer: LambdaLayer; version: KerasVersionInfo; models: ModelFact[]; saves: ModelEvent[] }>();
    for (const model of facts.models) {
      // A full-model ModelCheckpoint saves the model too.
      const saves = allEvents(model).filter((e) => e.kind === 'save' || e.kind === 'checkpoint');
      if (saves.length === 0) continue;
      for (const layer of lambdaLayers(facts, model)) {
        const version = context.versions.at(layer.call.childForFieldName('function'));
        // A named function is stored by name under Keras 3 (KSM205); Keras 2 refuses its bytecode only in `.keras` files.
        const save = layer.named ? keras2KerasSave(context, saves, version) : saves[0];
        if (!save) continue;
        const entry = found.get(layer.call.id) ?? { layer, version, models: [], saves: [] };
        entry.models.push(model);
        entry.saves.push(save);
        found.set(layer.call.id, entry);
      }
    }
    for (const entry of found.values()) {
      const related: RelatedLocation[] = entry.saves.map((save, i) => ({
        range: nodeRange(save.viaCall ?? save.call),
        message: `${capitalised(entry.models[i]!.label)} is saved here`,
      }));
      context.report({
        node: entry.layer.call,
        severity: 'information',
        ...messageFor(entry.layer, entry.version),
        related,
        fixes: lambdaReplacementFixes(context.facts, context.versions, entry.layer.call),
        models: entry.models,
      });
    }
  },
};

/** For a `Lambda` around a named function: the first `.keras` save, when Keras 2 may be the Keras of the layer. */
function keras2KerasSave(context: RuleContext, saves: readonly ModelEvent[], version: KerasVersionInfo): ModelEvent | undefined {
  if (version.major === 3) return undefined;
  return saves.find((save) => saveFormatOf(context.facts, save) === 'keras');
}

interface LambdaLayer {
  call: SyntaxNode;
  /** The argument that holds a Python lambda; for a named function, `function`. */
  argument: 'function' | 'output_shape';
  /** The named function wrapped (`my_fn`, `tf.nn.relu`) when the layer holds no Python lambda. */
  named?: string;
}

const ways = 'load with `safe_mode=False` if you trust the file, or replace it with a custom layer ' +
  '(registered with `@keras.saving.register_keras_serializable()`) or a built-in one';

function messageFor(layer: LambdaLayer, version: KerasVersionInfo): { message: string; detail: string } {
  const major = version.major;
  if (layer.named) {
    const keras2 = 'Keras 2 stores every `Lambda` function as bytecode, and its `.keras` loader refuses it under the default ' +
      '`safe_mode=True` (`.h5` and SavedModel loads accept it)';
    const consequence = major === 2 ? keras2 : `${keras2}; Keras 3 stores a named function by name instead`;
    return {
      message: `This \`Lambda\` wraps \`${layer.named}\`, which Keras 2 stores as bytecode`,
      detail: `${consequence}. To reload the model under Keras 2, ${ways}.`,
    };
  }
  const what = layer.argument === 'function' ? 'This `Lambda` wraps a Python lambda' : `The \`${layer.argument}\` of this \`Lambda\` is a Python lambda`;
  const consequence = major === 3
    ? 'Keras 3 refuses to load it under the default `safe_mode=True`'
    : major === 2
      ? 'Keras 2 stores it as bytecode that loads only under the same Python version, and the `.keras` format refuses ' +
        'it under the default `safe_mode=True`'
      : 'Keras 3 refuses to load it under the default `safe_mode=True`; Keras 2 stores it as bytecode that loads only ' +
        'under the same Python version';
  const problem = major === 2 ? 'which Keras 2 stores as bytecode' : 'which Keras 3 refuses in safe mode';
  return { message: `${what}, ${problem}`, detail: `${consequence}. To reload the model, ${ways}.` };
}

/** The `Lambda` layers of a model that hold a Python lambda (and in which argument), or wrap a named function. */
function lambdaLayers(facts: FileFacts, model: ModelFact): LambdaLayer[] {
  const out: LambdaLayer[] = [];
  for (const call of layerCalls(facts, model)) {
    const keras = facts.imports.keras(call.childForFieldName('function'));
    if (!keras || kerasSymbolOf(keras) !== 'Lambda') continue;
    const scope = facts.semantic.scopeAt(call);
    const valueOf = (value: SyntaxNode | undefined): SyntaxNode | undefined => {
      const node = value && unparen(value);
      return node?.type === 'identifier' ? lastBinding(scope, node.text, call.startIndex)?.value ?? node : node;
    };
    const { positional, keywords } = callArguments(call);
    const fn = valueOf(keywords.get('function') ?? positional[0]);
    if (fn?.type === 'lambda') out.push({ call, argument: 'function' });
    else if (valueOf(keywords.get('output_shape') ?? positional[1])?.type === 'lambda') out.push({ call, argument: 'output_shape' });
    else if (fn?.type === 'identifier' || fn?.type === 'attribute') out.push({ call, argument: 'function', named: fn.text });
  }
  return out;
}

// --- Fixes ---------------------------------------------------------------------------------

/** The file loads with `safe_mode=False` or turns safe mode off for the whole process. */
function optsOutOfSafeMode(facts: FileFacts): boolean {
  if (!facts.text.includes('safe_mode') && !facts.text.includes('enable_unsafe_deserialization')) return false;
  return facts.tree.ofType('call').some((call) => {
    const keras = facts.imports.keras(call.childForFieldName('function'));
    if (keras && kerasSymbolOf(keras) === 'enable_unsafe_deserialization') return true;
    return callArguments(call).keywords.get('safe_mode')?.text === 'False';
  });
}
