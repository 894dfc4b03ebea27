import type { SyntaxNode } from '../analysis/syntax';
import { appendArgument, fixInModule, insertBefore, statementOf } from '../analysis/edits';
import {
  allEvents, callArguments, definingModel, isKerasLayerClass, type FileFacts, type LayerEntry, type ModelEvent, type ModelFact,
} from '../analysis/facts';
import { inputLayers, kerasSymbolOf, recurrentLayers, wrapperLayers } from '../analysis/keras-names';
import { trainingInputShape } from '../analysis/model-shapes';
import { shapeText, type Shape } from '../analysis/shapes';
import { capitalised, eolOf, fileName, indentOf, nodeRange, positionOf, sentence } from '../analysis/text';
import type { Fix, RelatedLocation, Severity, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

const shapeKeywords = ['input_shape', 'batch_input_shape', 'input_dim', 'batch_shape'];

export const lstmMissingInputShape: Rule = {
  code: 'KSM301',
  name: 'lstm-missing-input-shape',
  summary: "A Sequential model's first layer (often an LSTM) declares no input shape, so the model is not built when saved",
  severity: 'error when saved before any build step; information when saved after one; hint when never saved',
  fixSafety: 'safe or unsafe by case',
  check: 'input-shape',
  docs: {
    what:
      'Flags the first layer of a `Sequential` model (the first list element, or the first `add`; a name ' +
      'bound to a layer call in the same scope is followed) when it declares none of `input_shape`, ' +
      '`batch_input_shape` and `input_dim` and no `Input`/`InputLayer` comes before it. Recurrent layers ' +
      '(`LSTM`, `GRU`, `SimpleRNN`, `ConvLSTM*`, `RNN`, and `Bidirectional`/`TimeDistributed` around them) ' +
      'are named as such; other first layers (Dense, Conv, custom layers of the file) are flagged the same way. ' +
      'The level follows what the file does with the model: **error** when it is saved or exported before ' +
      'any build step (`fit`, `predict`, `evaluate`, `build`, `model(x)`, `train_on_batch`), **information** ' +
      'when it is saved only after one, **hint** when it is never saved or exported in the file. A full-model ' +
      '`ModelCheckpoint` passed to `fit` is a save after a build step (information); a weights-only one is not a ' +
      'save for this rule. A model with no name of its own is named by the function that returns it.\n\n' +
      'Custom layers imported from another module of the workspace are flagged as those of the file are. A ' +
      'model returned by a function of another module whose first layer declares no input shape is reported ' +
      'where it is saved (error or information, as above), on the call that makes it, with a link to the layer; ' +
      'its own module shows the hint.',
    why:
      'Such a model has no weights until it sees data. Keras 2 (TF 2.8-2.15) refuses the SavedModel: "Model ' +
      'X cannot be saved because the input shape is not available. Please specify an input shape either by ' +
      'calling `build(input_shape)` directly, or by calling the model on actual data using `Model()`, ' +
      '`Model.fit()`, or `Model.predict()`." Keras 3 only warns "You are saving a model that has not yet been ' +
      'built. It might not contain any weights yet." and writes a file without weights, and ' +
      '`model.export(...)` raises "The model provided has not yet been built. It must be built before export." ' +
      'Saving after `fit` works, but only because of that order; declaring the input also fixes the serving ' +
      'signature.',
    notFlagged:
      'A model on which `build(input_shape)` is called before any save; a model saved only in another function ' +
      'whose order relative to its definition is not visible (a model kept on `self` and saved in another ' +
      'method); a `Sequential` used as a block of another model, which the outer model builds: called anywhere in ' +
      'the file on a tensor of a functional graph (`keras.Input(...)` or a layer call on one) or inside a method of ' +
      'a Layer/Model class; returned by a local function and called where it is created; kept on `self` in a ' +
      'Layer/Model class (an attribute, or an element of a list or dict held there, including the return value ' +
      'of a function of the file, `self.mlp = mlp_block(...)`); passed to the constructor of a custom Layer/Model ' +
      'class; listed in or added to another model. One used only in `Dataset.map` functions, or called only on ' +
      'data arrays, is not a block and is judged as a standalone model. When a local function\'s model is used ' +
      'as a block anywhere, every model it returns is taken as a block. A first layer that ' +
      'brings its own shape (a `keras.applications` model, a loaded or functional model); `Embedding` under ' +
      'Keras 2, which always declares its input (under Keras 3 it is flagged, and with an unknown version it ' +
      'is reported at most as a warning naming both behaviours). `input_dim` on `Embedding` is the vocabulary ' +
      'size, not an input shape.',
    example: [
      'x_train = np.random.rand(1000, 30, 4)',
      'model = keras.Sequential([layers.LSTM(64), layers.Dense(1)])',
      'model.save("forecaster.keras")',
      'model.compile(optimizer="adam", loss="mse")',
      'model.fit(x_train, y_train)',
    ].join('\n'),
    fixed: [
      'x_train = np.random.rand(1000, 30, 4)',
      'model = keras.Sequential([keras.Input(shape=(30, 4)), layers.LSTM(64), layers.Dense(1)])',
    ].join('\n'),
    fix:
      'Two fixes, the one that suits the Keras version first and preferred (Keras 3 style when the version is ' +
      'unknown): insert `keras.Input(shape=...)` as the first layer (Keras 3 style, spelled through the ' +
      "file's imports), or add `input_shape=...` to the layer (Keras 2 style; Keras 3 warns about it). The " +
      'shape comes from the data the model is fitted on in the same scope (`np.zeros((N, T, F))`, ' +
      '`np.random.rand(N, T, F)`, `tf.random.normal(...)`, `.reshape(N, T, F)`, or a name bound to one): ' +
      '`(T, F)`, or `(None, F)` when only the feature count is visible; such fixes are safe. When nothing ' +
      'is visible, the fix inserts a placeholder shape (an editable snippet where the editor supports it) ' +
      'and is unsafe: check the shape. For a model that a function of another module returns, the fixes edit ' +
      'that module, where the layer is (their titles start with its file name), with the shape that module\'s ' +
      'own code shows.',
    references: [
      'https://keras.io/guides/sequential_model/#specifying-the-input-shape-in-advance',
      'https://github.com/tensorflow/tensorflow/issues/30892',
      'https://github.com/keras-team/keras/issues/20106',
    ],
  },
  run(context) {
    const byAnchor = new Map<number, Candidate[]>();
    for (const model of context.facts.models) {
      const candidate = inspect(context, model);
      if (!candidate) continue;
      const list = byAnchor.get(candidate.first.element.id) ?? [];
      list.push(candidate);
      byAnchor.set(candidate.first.element.id, list);
    }
    // A helper's model and each model returned by it share one first layer: report it once.
    for (const candidates of byAnchor.values()) report(context, candidates);
    for (const model of context.facts.models) checkImported(context, model);
  },
};

interface Candidate {
  model: ModelFact;
  /** The model whose layer list holds the first layer (inside a helper for a returned model). */
  owner: ModelFact;
  first: LayerEntry & { call: SyntaxNode };
  layerName: string;
  recurrent: boolean;
  embedding: boolean;
  level: Severity;
  save: ModelEvent | undefined;
  shape: Shape | undefined;
}

const levelOrder: Severity[] = ['hint', 'information', 'warning', 'error'];

function inspect(context: RuleContext, model: ModelFact): Candidate | undefined {
  const owner = definingModel(model);
  if (owner.kind !== 'sequential' || model.usedAsBlock || owner.usedAsBlock) return undefined;
  const first = owner.layers[0];
  if (!first?.call) return undefined;
  const described = describeLayer(context.facts, first.call);
  if (!described) return undefined;
  const embedding = described.name === 'Embedding';
  const saved = saveLevel(context, model, embedding);
  if (!saved) return undefined;
  return {
    model, owner, first: { element: first.element, call: first.call }, layerName: described.name,
    recurrent: described.recurrent, embedding, ...saved, shape: trainingInputShape(context.facts, model),
  };
}

/**
 * The level for a model with a first layer that declares no input shape, by what the file does
 * with it (see the rule's docs), and its first save; undefined when it is not to be flagged.
 */
function saveLevel(context: RuleContext, model: ModelFact, embedding: boolean): { level: Severity; save: ModelEvent | undefined } | undefined {
  if (embedding && context.version.major === 2) return undefined;
  const events = allEvents(model);
  if (model.unordered.has('build-with-shape')) return undefined;
  // A full-model ModelCheckpoint saves too, inside `fit`, which has built the model by then.
  const firstSave = events.find((e) => e.kind === 'save' || e.kind === 'export' || e.kind === 'checkpoint');
  // Saved only in another function whose order relative to this one is unknown: no level fits.
  if (!firstSave && (model.unordered.has('save') || model.unordered.has('export'))) return undefined;
  const explicitBuild = events.find((e) => e.kind === 'build-with-shape');
  if (explicitBuild && (!firstSave || explicitBuild.offset < firstSave.offset)) return undefined;
  const builtBeforeSave = firstSave && (firstSave.kind === 'checkpoint' ||
    events.some((e) => e.kind === 'build-step' && e.offset < firstSave.offset) || model.unordered.has('build-step'));
  let level: Severity = !firstSave ? 'hint' : builtBeforeSave ? 'information' : 'error';
  // With the version unknown, a verdict that holds under Keras 3 only is reported at most as a warning.
  if (embedding && context.version.major === undefined && level === 'error') level = 'warning';
  return { level, save: firstSave };
}

/**
 * A model returned by another module's function whose first layer declares no input shape,
 * saved in this file: reported here, on the call that makes the model, since this file decides
 * the order of saving and building. Unsaved ones are left to the module's own hint.
 */
function checkImported(context: RuleContext, model: ModelFact): void {
  const imported = model.imported?.kind === 'function' ? model.imported : undefined;
  const layer = imported?.fn.unbuiltFirstLayer;
  if (!imported || !layer || model.usedAsBlock) return;
  const embedding = layer.name === 'Embedding';
  const saved = saveLevel(context, model, embedding);
  if (!saved?.save) return;
  const described = { model, layerName: layer.name, recurrent: layer.recurrent, embedding, ...saved };
  const related: RelatedLocation[] = [
    { range: layer.range, message: `the first layer of the model \`${imported.fn.name}()\` returns`, ...(imported.module.uri !== undefined ? { uri: imported.module.uri } : {}) },
    { range: nodeRange(saved.save.viaCall ?? saved.save.call), message: savedHere(model, saved.save, saved.level) },
  ];
  const { message, detail } = messageFor(context, described);
  // The layer is declared in the module: its own fixes, made there, edit it there.
  const uri = imported.module.uri;
  const fixes = uri === undefined ? [] : layer.fixes.map((fix) => fixInModule({ ...fix, title: `${fileName(uri)}: ${fix.title}` }, uri, layer));
  context.report({
    node: model.definition,
    severity: saved.level,
    message,
    detail: `${detail} The layer is in the model that \`${imported.fn.name}()\` returns, in another module.`,
    related,
    fixes,
    models: [model],
  });
}

/** The first layer's name when it is a layer that declares no input shape; undefined when it is fine or unknown. */
function describeLayer(facts: FileFacts, call: SyntaxNode): { name: string; recurrent: boolean } | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const { positional, keywords } = callArguments(call);
  if (shapeKeywords.some((k) => keywords.has(k))) {
    const keras = facts.imports.keras(fn);
    // For Embedding, input_dim is the vocabulary size, not a shape.
    if (!(keras && kerasSymbolOf(keras) === 'Embedding' && !keywords.has('input_shape') && !keywords.has('batch_input_shape'))) return undefined;
  }
  const keras = facts.imports.keras(fn);
  if (keras) {
    // Only built-in layers: applications, loaded and functional models bring their own shape.
    if (!keras.startsWith('keras.layers.')) return undefined;
    const symbol = kerasSymbolOf(keras);
    if (inputLayers.has(symbol)) return undefined;
    if (wrapperLayers.has(symbol)) {
      const inner = keywords.get('layer') ?? positional[0];
      const innerDescribed = inner?.type === 'call' ? describeLayer(facts, inner) : undefined;
      if (!innerDescribed) return undefined;
      return { name: `${symbol}(${innerDescribed.name})`, recurrent: innerDescribed.recurrent };
    }
    return { name: symbol, recurrent: recurrentLayers.has(symbol) };
  }
  if (fn.type === 'identifier') {
    const cls = facts.classes.get(fn.text);
    if (cls && isKerasLayerClass(cls) && !cls.kerasBases.has('Model') && !cls.kerasBases.has('Sequential')) {
      const recurrent = [...cls.kerasBases].some((b) => recurrentLayers.has(b));
      return { name: cls.name, recurrent };
    }
  }
  // A custom layer of another module of the workspace, as one of this file.
  const imported = facts.imported.lookupClass(fn);
  if (imported?.cls.layer && !imported.cls.model) {
    return { name: imported.cls.name, recurrent: imported.cls.kerasBases.some((b) => recurrentLayers.has(b)) };
  }
  return undefined;
}

function report(context: RuleContext, candidates: Candidate[]): void {
  const main = candidates.reduce((a, b) => (levelOrder.indexOf(b.level) > levelOrder.indexOf(a.level) ? b : a));
  const related: RelatedLocation[] = [];
  for (const c of candidates) {
    if (c.save) related.push({ range: nodeRange(c.save.viaCall ?? c.save.call), message: savedHere(c.model, c.save, c.level) });
  }
  const shape = candidates.map((c) => c.shape).find((s) => s !== undefined);
  context.report({
    node: main.first.element,
    severity: main.level,
    ...messageFor(context, main),
    related,
    fixes: fixesFor(context, main, shape),
    models: candidates.map((c) => c.model).filter((m) => m.kind !== 'param'),
  });
}

function savedHere(model: ModelFact, save: ModelEvent, level: Severity): string {
  if (save.kind === 'checkpoint') return `${capitalised(model.label)} is saved by this \`ModelCheckpoint\` during \`fit\``;
  return `${capitalised(model.label)} is saved here${level === 'error' ? ' before it is built' : ''}`;
}

/**
 * The message and detail of a finding. The message names the first layer; for an `Embedding`
 * under an unknown version it says Keras 3 (Keras 2 gives that layer an input shape).
 */
function messageFor(context: RuleContext, c: Pick<Candidate, 'model' | 'layerName' | 'recurrent' | 'embedding' | 'level' | 'save'>): { message: string; detail: string } {
  const layer = `${c.recurrent ? 'recurrent ' : ''}first layer \`${c.layerName}\``;
  const name = c.model.label;
  const keras3Only = c.embedding && context.version.major === undefined;
  const underKeras3 = keras3Only ? ' under Keras 3' : '';
  const keras2Embedding = keras3Only ? 'Keras 2 gives `Embedding` an input shape of its own. ' : '';
  const declares = `The ${layer} of ${name} declares no input shape${underKeras3}`;
  if (c.level === 'hint' || (c.level === 'information' && !c.save)) {
    return { message: declares, detail: `${keras2Embedding}The model has no weights until it first sees data.` };
  }
  const declare = 'Declare it so saving does not depend on that order and the serving signature is fixed.';
  if (c.level === 'information' && c.save?.kind === 'checkpoint') {
    return {
      message: declares,
      detail: `${keras2Embedding}${capitalised(name)} is saved by a \`ModelCheckpoint\` during training, which builds it first. ${declare}`,
    };
  }
  if (c.level === 'information') {
    return { message: declares, detail: `${keras2Embedding}${capitalised(name)} is built only by training before it is saved. ${declare}` };
  }
  const keras3 = c.save?.kind === 'export' ? 'Keras 3 refuses to export an unbuilt model' : 'Keras 3 writes a file with no weights';
  const keras2 = 'Keras 2 raises "cannot be saved because the input shape is not available"';
  const consequence = context.version.major === 3
    ? keras3
    : context.version.major === 2
      ? keras2
      : c.embedding
        ? `${keras3}, or refuses to export it`
        : `${keras2}; Keras 3 writes a file with no weights or refuses to export`;
  return {
    message: `${capitalised(name)} is saved before it is built${underKeras3}: its first layer \`${c.layerName}\` has no input shape`,
    detail: `${keras2Embedding}${sentence(consequence)}`,
  };
}

/** A placeholder input shape of the right rank for a layer, for when the data is not visible. */
function placeholderShape(layerName: string, recurrent: boolean): Shape {
  const conv = /(\d)D/.exec(layerName);
  if (recurrent) return conv ? [null, ...Array.from({ length: Number(conv[1]) }, () => null), 1] : [null, 1];
  if (conv) return [...Array.from({ length: Number(conv[1]) }, () => null), 1];
  if (layerName === 'Embedding') return [null];
  return [1];
}

function snippetOf(dims: Shape): string {
  const parts = dims.map((d, i) => `\${${i + 1}:${d === null ? 'None' : d}}`);
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

function fixesFor(context: RuleContext, c: Candidate, shape: Shape | undefined): Fix[] {
  const text = context.facts.text;
  const known = shape !== undefined;
  const dims = shape ?? placeholderShape(c.layerName, c.recurrent);
  const shapeSource = shapeText(dims);
  const snippet = known ? undefined : snippetOf(dims);
  const applicability = known ? 'safe' : 'unsafe';
  const check = known ? '' : ' (check the shape: the training data is not visible)';

  const fixes: Fix[] = [];
  const input = context.facts.imports.spell('keras.Input', ['keras.layers.Input']);
  if (input) {
    const inputCall = (s: string) => `${input.text}(shape=${s})`;
    const edit = insertFirstLayer(c, inputCall(shapeSource), snippet && inputCall(snippet), text);
    if (edit) {
      fixes.push({
        title: `Insert \`${inputCall(shapeSource)}\` as the first layer${check}`,
        applicability,
        edits: [edit, ...input.edits],
      });
    }
  }
  if (!c.embedding || context.version.major !== 3) {
    const argument = appendArgument(c.first.call, `input_shape=${shapeSource}`);
    if (argument) {
      if (snippet) argument.snippet = argument.newText.replace(shapeSource, snippet);
      fixes.push({ title: `Add \`input_shape=${shapeSource}\` to \`${c.layerName}\`${check}`, applicability, edits: [argument] });
    }
  }
  // Keras 2 prefers input_shape=; Keras 3 (and the unknown case, since keras.Input works in both) prefers Input.
  if (context.version.major === 2) fixes.reverse();
  if (fixes[0]) fixes[0].preferred = true;
  return fixes;
}

/** Inserts a new first layer: a list element before the first one, or an `add` before the first `add`. */
function insertFirstLayer(c: Candidate, layer: string, layerSnippet: string | undefined, text: string): TextEdit | undefined {
  const owner = c.owner;
  const element = c.first.element;
  const list = owner.layerList;
  if (list && element.parent?.id === list.id) {
    const lineStart = text.lastIndexOf('\n', element.startIndex - 1) + 1;
    if (/^[ \t]*$/.test(text.slice(lineStart, element.startIndex))) {
      // Elements on lines of their own: a new line in the same style.
      const indent = indentOf(element, text);
      const at = { line: element.startPosition.row, character: 0 };
      const line = (l: string) => `${indent}${l},${eolOf(text)}`;
      return { range: { start: at, end: at }, newText: line(layer), ...(layerSnippet ? { snippet: line(layerSnippet) } : {}) };
    }
    const at = positionOf(element.startPosition);
    return { range: { start: at, end: at }, newText: `${layer}, `, ...(layerSnippet ? { snippet: `${layerSnippet}, ` } : {}) };
  }
  // model.add(first_layer): add the input before it.
  const addCall = element.parent?.parent;
  const receiver = addCall?.childForFieldName('function')?.childForFieldName('object')?.text;
  if (!addCall || addCall.type !== 'call' || !receiver) return undefined;
  const statement = statementOf(addCall);
  const edit = insertBefore(statement, `${receiver}.add(${layer})`, text);
  if (edit && layerSnippet) edit.snippet = edit.newText.replace(layer, layerSnippet);
  return edit;
}
