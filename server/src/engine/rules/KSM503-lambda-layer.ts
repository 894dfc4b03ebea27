import type { SyntaxNode } from '../analysis/syntax';
import { allEvents, callArguments, type FileFacts, type ModelEvent, type ModelFact } from '../analysis/facts';
import { lastBinding, unparen } from '../analysis/semantic';
import { kerasSymbolOf } from '../analysis/keras-names';
import { layerCalls } from '../analysis/save-calls';
import { nodeRange } from '../analysis/text';
import type { RelatedLocation } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const lambdaLayer: Rule = {
  code: 'KSM503',
  name: 'lambda-layer',
  summary: 'A `Lambda` layer wrapping a Python `lambda` in a saved model, which Keras 3 refuses to load in safe mode',
  severity: 'information',
  fixSafety: 'none',
  check: 'save-api',
  docs: {
    what:
      'Flags a `keras.layers.Lambda(...)` whose function (or `output_shape`) is a Python `lambda`, written in ' +
      'place or bound to a name in the same scope, when the layer is part of a model that the file saves with ' +
      '`model.save(...)` or `save_model(...)`: an element of a `Sequential` layer list or `add` call, or a layer ' +
      'created in the scope that builds a functional model. It is **information**: saving works, and loading ' +
      'works once you opt out of safe mode.',
    why:
      'Keras serializes a Python lambda as its bytecode. Keras 3 warns when saving it, and `load_model` with the ' +
      'default `safe_mode=True` refuses it: "Requested the deserialization of a Lambda layer with a Python ' +
      '`lambda` inside it. This carries a potential risk of arbitrary code execution and thus it is disallowed by ' +
      'default." The message names `safe_mode=False` as the way out (as does ' +
      '`keras.config.enable_unsafe_deserialization()`). Keras 2 reads the ' +
      'bytecode from HDF5 and SavedModel files, but only under the Python version that wrote it.',
    notFlagged:
      '`Lambda` around a named function (`Lambda(tf.nn.relu)`, `Lambda(my_fn)`): Keras stores it by name; ' +
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
      'None automatic: the right replacement depends on what the lambda does. A built-in layer often does the ' +
      'same (`Rescaling`, `Normalization`, `Reshape`, `Activation`); otherwise write a small custom layer with ' +
      '`call()` and register it with `@keras.saving.register_keras_serializable()`. If you trust the file, ' +
      'load it with `keras.models.load_model(path, safe_mode=False)`.',
    references: [
      'https://keras.io/api/layers/core_layers/lambda/',
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/#loadmodel-function',
      'https://keras.io/guides/serialization_and_saving/',
    ],
  },
  run(context) {
    const { facts } = context;
    if (optsOutOfSafeMode(facts)) return;
    const found = new Map<number, { call: SyntaxNode; argument: string; models: ModelFact[]; saves: ModelEvent[] }>();
    for (const model of facts.models) {
      const saves = allEvents(model).filter((e) => e.kind === 'save');
      if (saves.length === 0) continue;
      for (const { call, argument } of lambdaLayers(facts, model)) {
        const entry = found.get(call.id) ?? { call, argument, models: [], saves: [] };
        entry.models.push(model);
        entry.saves.push(saves[0]!);
        found.set(call.id, entry);
      }
    }
    for (const entry of found.values()) {
      const related: RelatedLocation[] = entry.saves.map((save, i) => ({
        range: nodeRange(save.viaCall ?? save.call),
        message: `\`${entry.models[i]!.name}\` is saved here`,
      }));
      context.report({
        node: entry.call,
        severity: 'information',
        message: messageFor(context, entry.argument),
        related,
        models: entry.models,
      });
    }
  },
};

function messageFor(context: RuleContext, argument: string): string {
  const what = argument === 'function' ? 'This `Lambda` wraps a Python lambda' : `The \`${argument}\` of this \`Lambda\` is a Python lambda`;
  const ways = 'load with `safe_mode=False` if you trust the file, or replace it with a custom layer ' +
    '(registered with `@keras.saving.register_keras_serializable()`) or a built-in one';
  const major = context.version.major;
  const consequence = major === 3
    ? 'Keras 3 refuses to load it under the default `safe_mode=True`'
    : major === 2
      ? 'Keras 2 stores it as bytecode that loads only under the same Python version, and the `.keras` format refuses ' +
        'it under the default `safe_mode=True`'
      : 'Keras 3 refuses to load it under the default `safe_mode=True`; Keras 2 stores it as bytecode that loads only ' +
        'under the same Python version';
  return `${what}: ${consequence}. To reload the model, ${ways}`;
}

/** The `Lambda` layers of a model that hold a Python lambda, and in which argument. */
function lambdaLayers(facts: FileFacts, model: ModelFact): Array<{ call: SyntaxNode; argument: string }> {
  const out: Array<{ call: SyntaxNode; argument: string }> = [];
  for (const call of layerCalls(facts, model)) {
    const keras = facts.imports.keras(call.childForFieldName('function'));
    if (!keras || kerasSymbolOf(keras) !== 'Lambda') continue;
    const scope = facts.semantic.scopeAt(call);
    const isLambda = (value: SyntaxNode | undefined): boolean => {
      const node = value && unparen(value);
      if (node?.type === 'identifier') return lastBinding(scope, node.text, call.startIndex)?.value.type === 'lambda';
      return node?.type === 'lambda';
    };
    const { positional, keywords } = callArguments(call);
    if (isLambda(keywords.get('function') ?? positional[0])) out.push({ call, argument: 'function' });
    else if (isLambda(keywords.get('output_shape') ?? positional[1])) out.push({ call, argument: 'output_shape' });
  }
  return out;
}

/** The file loads with `safe_mode=False` or turns safe mode off for the whole process. */
function optsOutOfSafeMode(facts: FileFacts): boolean {
  if (!facts.text.includes('safe_mode') && !facts.text.includes('enable_unsafe_deserialization')) return false;
  return facts.tree.ofType('call').some((call) => {
    const keras = facts.imports.keras(call.childForFieldName('function'));
    if (keras && kerasSymbolOf(keras) === 'enable_unsafe_deserialization') return true;
    return callArguments(call).keywords.get('safe_mode')?.text === 'False';
  });
}
