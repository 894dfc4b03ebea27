import type { SyntaxNode } from '../analysis/syntax';
import { insertBefore, removeStatement, statementOf } from '../analysis/edits';
import { allEvents, callArguments, definingModel, type ModelEvent, type ModelFact } from '../analysis/facts';
import { lastBinding } from '../analysis/semantic';
import type { ImportTable } from '../analysis/imports';
import { kerasSymbolOf } from '../analysis/keras-names';
import { capitalised, nodeRange, stringValue } from '../analysis/text';
import type { Fix } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const saveBeforeCompile: Rule = {
  code: 'KSM101',
  name: 'save-before-compile',
  summary: 'A model is saved with a full-model save before it is compiled',
  severity: 'warning',
  fixSafety: 'unsafe',
  check: 'compile',
  docs: {
    what:
      'Flags a full-model save (`model.save(path)`, `keras.models.save_model(model, path)`, ' +
      '`keras.saving.save_model(...)`) of a model on which `compile(...)` has not been called yet, ' +
      'in the order the statements run. A `compile` inside a local function that receives the model ' +
      'counts where that function is called; a model built and compiled by a local helper is compiled.',
    why:
      'No Keras version raises at save time, so the mistake stays silent. The file holds no optimizer, ' +
      'loss or metrics. Keras 2 logs "No training configuration found in save file, so the model was ' +
      '*not* compiled. Compile it manually." on load; under Keras 3 the first `fit` on the reloaded model ' +
      'fails with "You must call `compile()` before using the model." For inference alone the file is ' +
      'fine, which is why this is a warning.',
    notFlagged:
      '`save_weights`, `export` and `tf.saved_model.save` (they carry no training configuration); ' +
      'models from `load_model` (also through a local function that returns one); models returned by a local ' +
      'function that compiles them, or by a function of another module of the workspace that does ' +
      '(`from .models import build_model`); models of a class whose `__init__` compiles them; a `ModelCheckpoint`, ' +
      'which saves inside `fit`, after compile; saves with `include_optimizer=False`, whatever the format: the user ' +
      'has said the file need not resume training, which is all this rule warns about (the argument itself works ' +
      'only for `.h5` and Keras 2 SavedModel saves: Keras 3 ignores it for `.keras`, and Keras 2.13–2.15 reject it ' +
      'there); models compiled in another function whose call order is not visible.',
    example: [
      'model = keras.Sequential([keras.Input(shape=(10, 3)), layers.LSTM(32), layers.Dense(1)])',
      'model.save("forecaster.keras")',
      'model.compile(optimizer="adam", loss="mse")',
    ].join('\n'),
    fixed: [
      'model = keras.Sequential([keras.Input(shape=(10, 3)), layers.LSTM(32), layers.Dense(1)])',
      'model.compile(optimizer="adam", loss="mse")',
      'model.save("forecaster.keras")',
    ].join('\n'),
    fix:
      'When a `compile(...)` on the same model comes later in the same scope: *Move the compile call ' +
      'above the save* (unsafe: it changes when compile runs). Otherwise: *Insert a compile call* before ' +
      'the save with the Adam optimizer and a loss chosen from the output layer where it is visible ' +
      '(one unit, no activation: `"mse"`; sigmoid: `"binary_crossentropy"`; softmax over N units: ' +
      '`"categorical_crossentropy"`); unsafe, since the loss must match the training you intend.',
    references: [
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/',
      'https://keras.io/api/models/model_training_apis/#compile-method',
    ],
  },
  run(context) {
    for (const model of context.facts.models) checkModel(context, model);
  },
};

function checkModel(context: RuleContext, model: ModelFact): void {
  // A helper that returns `load_model(...)` gives a model that is compiled already.
  if (definingModel(model).kind === 'loaded' || model.unordered.has('compile')) return;
  const events = allEvents(model);
  const compiles = events.filter((e) => e.kind === 'compile');
  for (const save of events) {
    if (save.kind !== 'save') continue;
    if (compiles.some((c) => c.offset < save.offset || (c.offset === save.offset && c.call.startIndex < save.call.startIndex))) continue;
    // The user has said the file need not resume training, whatever the format does with the argument.
    if (hasFalse(save.call, 'include_optimizer')) continue;
    const anchor = save.viaCall ?? save.call;
    const later = compiles.find((c) => c.offset > save.offset);
    const related = [{ range: nodeRange(model.definition), message: `${capitalised(model.label)} is defined here` }];
    if (later) related.push({ range: nodeRange(later.viaCall ?? later.call), message: 'compiled only here, after the save' });
    if (save.viaCall) related.push({ range: nodeRange(save.call), message: 'the save happens here' });
    context.report({
      node: anchor,
      severity: 'warning',
      message: `${capitalised(model.label)} is saved before \`compile()\``,
      detail: 'The file keeps no optimizer, loss or metrics, so the reloaded model cannot train until it is compiled again.',
      related,
      fixes: fixesFor(context, model, save, later),
      models: [model],
    });
  }
}

function hasFalse(call: SyntaxNode, keyword: string): boolean {
  return callArguments(call).keywords.get(keyword)?.text === 'False';
}

function fixesFor(context: RuleContext, model: ModelFact, save: ModelEvent, later: ModelEvent | undefined): Fix[] {
  const text = context.facts.text;
  const saveStatement = statementOf(save.viaCall ?? save.call);
  if (later && !later.viaCall) {
    const compileStatement = statementOf(later.call);
    // Only within one block: taking the last statement out of another block would empty it.
    const removal = compileStatement.parent?.id === saveStatement.parent?.id && compileStatement.startIndex > saveStatement.endIndex
      ? removeStatement(compileStatement, text)
      : undefined;
    const insert = removal && insertBefore(saveStatement, removal.body, text);
    if (removal && insert) {
      return [{
        title: `Move \`${model.name}.compile(...)\` above the save`,
        applicability: 'unsafe',
        edits: [insert, removal.edit],
      }];
    }
  }
  const loss = lossFor(model, context.facts.imports);
  const call = `${model.name}.compile(optimizer="adam", loss="${loss ?? 'mse'}")`;
  const insert = insertBefore(saveStatement, call, text);
  if (!insert) return [];
  return [{
    title: loss
      ? `Insert \`${call}\` before the save`
      : `Insert \`${call}\` before the save (check the loss: the output layer is not visible)`,
    applicability: 'unsafe',
    edits: [insert],
  }];
}

/** The loss that the model's output layer implies, where the output layer can be seen. */
export function lossFor(model: ModelFact, imports: ImportTable): string | undefined {
  const layer = outputLayer(definingModel(model));
  if (!layer) return undefined;
  const fn = layer.childForFieldName('function');
  const keras = fn ? imports.keras(fn) : undefined;
  if (!keras || kerasSymbolOf(keras) !== 'Dense') return undefined;
  const { positional, keywords } = callArguments(layer);
  const unitsNode = keywords.get('units') ?? positional[0];
  const units = unitsNode && /^\d+$/.test(unitsNode.text) ? Number(unitsNode.text) : undefined;
  const activationNode = keywords.get('activation') ?? positional[1];
  const activation = activationNode ? stringValue(activationNode) ?? (activationNode.text === 'None' ? 'linear' : undefined) : 'linear';
  if (activation === 'sigmoid') return 'binary_crossentropy';
  if (activation === 'softmax' && units !== undefined && units > 1) return 'categorical_crossentropy';
  if (activation === 'linear' && units === 1) return 'mse';
  return undefined;
}

/** The call of the layer that produces the model's output, when it is written in the file. */
function outputLayer(model: ModelFact): SyntaxNode | undefined {
  if (model.kind === 'sequential') return model.layers[model.layers.length - 1]?.call;
  if (model.kind !== 'functional') return undefined;
  const { positional, keywords } = callArguments(model.definition);
  let outputs: SyntaxNode | undefined = keywords.get('outputs') ?? positional[1];
  if (outputs?.type === 'identifier') outputs = lastBinding(model.scope, outputs.text, model.start)?.value;
  // `Dense(1)(x)`: the layer is the inner call.
  const fn = outputs?.type === 'call' ? outputs.childForFieldName('function') : undefined;
  return fn?.type === 'call' ? fn : undefined;
}
