import type { SyntaxNode } from './syntax';
import { callArguments, isKerasModelClass, ownNodes, type FileFacts, type ModelEvent, type ModelFact } from './facts';
import { lastBinding, unparen, type Scope } from './semantic';
import { instanceClass } from './data-sources';
import { kerasSymbolOf } from './keras-names';
import { replaceNode } from './edits';
import type { TextEdit } from './types';

/**
 * The full-model save calls of a file (`model.save(path)`, `keras.models.save_model(model, path)`),
 * with what they save and where to, and what can be read of the path as written.
 */

export interface SaveCall {
  call: SyntaxNode;
  /** The saved model as written: the receiver of `save`, or the model argument of `save_model`. */
  target: SyntaxNode | undefined;
  /** The path argument. */
  path: SyntaxNode | undefined;
  /** The whole `save_format=...` keyword argument. */
  saveFormat: SyntaxNode | undefined;
  scope: Scope;
  /** The file's models saved by this call (several when a local function saves the model passed to it). */
  models: ModelFact[];
  /**
   * True when the call surely saves a Keras model: a model of the file, Keras's own `save_model`,
   * `self.model` in a Keras callback, `self` in a Keras model class, or a name that is compiled or
   * fitted in the same scope of a file that uses Keras.
   */
  keras: boolean;
}

/** Extensions that Keras 3 `save` accepts, by the format they select. */
export const kerasExtension = '.keras';
export const h5Extensions = ['.h5', '.hdf5'];

/** True when a path ending with `tail` names a format that Keras 3 `save` accepts. */
export function hasSaveExtension(tail: string): boolean {
  return tail.endsWith(kerasExtension) || h5Extensions.some((e) => tail.endsWith(e));
}

interface SaveIndex {
  calls: SaveCall[];
  byCall: Map<number, SaveCall>;
}

const indexes = new WeakMap<FileFacts, SaveIndex>();
const callTypes: ReadonlySet<string> = new Set(['call']);
/** Methods that only a Keras model is likely to have next to `save`. */
const trainingEvidence = new Set(['compile', 'fit', 'fit_generator', 'train_on_batch']);

/** Every full-model save call of the file, in the order of its scopes. Built once per file's facts. */
export function saveCalls(facts: FileFacts): SaveCall[] {
  return indexOf(facts).calls;
}

/** The save call a model event stands for. */
export function saveCallOf(facts: FileFacts, event: ModelEvent): SaveCall | undefined {
  return indexOf(facts).byCall.get(event.call.id);
}

function indexOf(facts: FileFacts): SaveIndex {
  const existing = indexes.get(facts);
  if (existing) return existing;
  const modelsByCall = new Map<number, ModelFact[]>();
  for (const model of facts.models) {
    for (const event of model.events) {
      if (event.kind !== 'save') continue;
      const list = modelsByCall.get(event.call.id) ?? [];
      if (!list.includes(model)) list.push(model);
      modelsByCall.set(event.call.id, list);
    }
  }
  const calls: SaveCall[] = [];
  for (const scope of facts.scopes) {
    const nodes = ownNodes(scope.node, callTypes);
    const trained = new Set<string>();
    for (const node of nodes) {
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'attribute' || !trainingEvidence.has(fn.childForFieldName('attribute')?.text ?? '')) continue;
      const receiver = fn.childForFieldName('object')?.text;
      if (receiver) trained.add(receiver);
    }
    for (const node of nodes) {
      const found = readSaveCall(facts, scope, node, modelsByCall.get(node.id) ?? [], trained);
      if (found) calls.push(found);
    }
  }
  const index: SaveIndex = { calls, byCall: new Map(calls.map((c) => [c.call.id, c])) };
  indexes.set(facts, index);
  return index;
}

/** A save call, or undefined; `trained` holds the receivers compiled or fitted in the scope. */
function readSaveCall(facts: FileFacts, scope: Scope, call: SyntaxNode, models: ModelFact[], trained: Set<string>): SaveCall | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const { positional, keywords, keywordNodes } = callArguments(call);
  // `*args` and `**kwargs` hide which value is the path.
  if (positional.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat')) return undefined;
  const saveFormat = keywordNodes.get('save_format');
  const keras = facts.imports.keras(fn);
  if (keras && kerasSymbolOf(keras) === 'save_model') {
    return {
      call, target: positional[0] ?? keywords.get('model'), path: positional[1] ?? keywords.get('filepath'),
      saveFormat, scope, models, keras: true,
    };
  }
  if (fn.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'save') return undefined;
  const receiver = fn.childForFieldName('object');
  // `np.save`, `torch.save`, `tf.saved_model.save`: a module's function, not a model's method.
  if (!receiver || facts.imports.qualify(receiver) !== undefined) return undefined;
  const owner = scope.function?.owner;
  // An object of the file's own non-Keras class (a vocabulary, a scaler) has its own fit and save.
  const ownClass = instanceClass(facts, scope, receiver);
  const foreign = ownClass !== undefined && !isKerasModelClass(ownClass);
  const known = models.length > 0 ||
    (facts.imports.usesKeras && trained.has(receiver.text) && !foreign) ||
    (receiver.text === 'self.model' && owner?.kerasBases.has('Callback') === true) ||
    (receiver.text === 'self' && owner !== undefined && isKerasModelClass(owner));
  return { call, target: receiver, path: positional[0] ?? keywords.get('filepath'), saveFormat, scope, models, keras: known };
}

/** What can be read of a path as written: the literal text it surely ends with. */
export interface PathTail {
  /** The literal text at the end of the path (`/model` for `f"{out}/model"`). */
  tail: string;
  /** The string literal that ends the path, when it is written inside the path argument itself (not behind a name). */
  literal: SyntaxNode | undefined;
}

const joinFunctions = new Set(['os.path.join', 'posixpath.join', 'ntpath.join']);
/** Statements that bind a name other than by a plain assignment, with the field that holds their targets. */
const otherBindings: Record<string, string | undefined> = {
  augmented_assignment: 'left',
  for_statement: 'left',
  named_expression: 'name',
  as_pattern: 'alias',
  global_statement: undefined,
  nonlocal_statement: undefined,
  delete_statement: undefined,
};
const otherBindingTypes: ReadonlySet<string> = new Set(Object.keys(otherBindings));

/**
 * The visible literal tail of a path: a string literal, an f-string whose last part is literal,
 * `a + "lit"`, `base / "lit"`, `os.path.join(..., "lit")`, or a name bound once in the same
 * scope, before `before`, to one of these. Undefined when the end of the path cannot be seen.
 */
export function pathTail(facts: FileFacts, scope: Scope, node: SyntaxNode, before: number, depth = 0): PathTail | undefined {
  const n = unparen(node);
  if (depth > 6) return undefined;
  if (n.type === 'string') {
    const tail = stringTail(n);
    return tail === undefined ? undefined : { tail, literal: n };
  }
  if (n.type === 'concatenated_string') {
    const last = n.namedChildren.filter((c) => c.type === 'string').pop();
    return last ? pathTail(facts, scope, last, before, depth + 1) : undefined;
  }
  if (n.type === 'binary_operator') {
    const operator = n.childForFieldName('operator')?.text;
    const right = n.childForFieldName('right');
    return (operator === '+' || operator === '/') && right ? pathTail(facts, scope, right, before, depth + 1) : undefined;
  }
  if (n.type === 'call') {
    const qualified = facts.imports.qualify(n.childForFieldName('function'));
    const { positional, keywords } = callArguments(n);
    const last = positional[positional.length - 1];
    if (!qualified || !joinFunctions.has(qualified) || keywords.size > 0 || !last || last.type === 'list_splat') return undefined;
    return pathTail(facts, scope, last, before, depth + 1);
  }
  if (n.type === 'identifier') {
    const value = boundOnce(scope, n.text, before);
    const found = value && pathTail(facts, scope, value, value.startIndex, depth + 1);
    return found ? { tail: found.tail, literal: undefined } : undefined;
  }
  return undefined;
}

/** The literal end of a string or f-string; undefined when it ends in an interpolation or is bytes. */
function stringTail(node: SyntaxNode): string | undefined {
  const start = node.firstNamedChild;
  if (start?.type === 'string_start' && /[bB]/.test(start.text)) return undefined;
  const parts = node.namedChildren.filter((c) => c.type !== 'string_start' && c.type !== 'string_end');
  let tail = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    if (part.type === 'interpolation') return i === parts.length - 1 ? undefined : tail;
    if (part.type === 'string_content' || part.type === 'escape_sequence') tail = part.text + tail;
  }
  return tail;
}

/**
 * The value of a name bound exactly once in the scope, by a plain assignment before `before`;
 * undefined when it is a parameter, or is rebound in any other way (`+=`, a loop, `global`).
 */
function boundOnce(scope: Scope, name: string, before: number): SyntaxNode | undefined {
  const bindings = scope.bindings.get(name);
  const binding = bindings?.length === 1 ? bindings[0] : undefined;
  if (!binding || binding.offset > before || scope.function?.params.includes(name)) return undefined;
  const rebound = ownNodes(scope.node, otherBindingTypes).some((node) => {
    const field = otherBindings[node.type];
    const targets = field ? node.childForFieldName(field) : node;
    return targets?.descendantsOfType('identifier').some((id) => id.text === name) === true;
  });
  return rebound ? undefined : binding.value;
}

/** Separators a path may end with before a suffix is added. */
const trailingSeparators = /[/\\]+$/;

/** An edit to a save call's path, and the path as it reads afterwards. */
export interface PathEdit {
  edit: TextEdit;
  text: string;
}

/**
 * The path with `suffix` added: a literal gets it inside its quotes (`"out/model/"` becomes
 * `"out/model.keras"`); an expression known to be a string gets `+ ".keras"`; anything else
 * (a `Path`, an argument) is formatted into an f-string, or passed through `str()`.
 * Undefined when a name's value ends with a separator, where the suffix would make a hidden file,
 * and for a literal with nothing to name the file after.
 */
export function pathWithSuffix(path: SyntaxNode, tail: PathTail | undefined, suffix: string): PathEdit | undefined {
  const node = unparen(path);
  // An f-string that ends in an interpolation takes the suffix inside its quotes too.
  const literal = tail?.literal ?? (node.type === 'string' && !/[bB]/.test(node.firstChild?.text ?? '') ? node : undefined);
  if (literal) {
    const start = literal.firstChild;
    const end = literal.lastChild;
    if (start?.type !== 'string_start' || end?.type !== 'string_end') return undefined;
    const body = literal.text.slice(0, end.startIndex - literal.startIndex).replace(trailingSeparators, '');
    // Nothing to name the file after (`""`, `"/"`).
    if (body.length <= start.text.length) return undefined;
    const newLiteral = body + suffix + end.text;
    const before = path.text.slice(0, literal.startIndex - path.startIndex);
    const after = path.text.slice(literal.endIndex - path.startIndex);
    return { edit: replaceNode(literal, newLiteral), text: before + newLiteral + after };
  }
  if (tail && trailingSeparators.test(tail.tail)) return undefined;
  const text = path.text;
  // `base / name` is a `Path`, to which a string cannot be added.
  const isString = tail && !(node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '/');
  const newText = isString
    ? `${text} + "${suffix}"`
    : /^[A-Za-z_][\w.]*$/.test(text) ? `f"{${text}}${suffix}"` : `str(${text}) + "${suffix}"`;
  return { edit: replaceNode(path, newText), text: newText };
}

const plainTargets = new Set(['identifier', 'attribute', 'subscript', 'call', 'parenthesized_expression']);

/** `model.export(path)` in place of a save call: an inference-only SavedModel. */
export function exportCall(save: SaveCall): PathEdit | undefined {
  if (!save.target || !save.path) return undefined;
  const target = plainTargets.has(save.target.type) ? save.target.text : `(${save.target.text})`;
  const text = `${target}.export(${save.path.text})`;
  return { edit: replaceNode(save.call, text), text };
}

/** True when a path or the name holding it suggests a model for serving (TF Serving, an export). */
export function suggestsServing(text: string): boolean {
  const lower = text.toLowerCase();
  if (/saved_?model|tf_?serving/.test(lower)) return true;
  const words = lower.split(/[^a-z0-9]+/).filter(Boolean);
  if (words.some((w) => /^(serv(e|ed|er|ing|able)|exports?|exported|deploy(ment)?)$/.test(w))) return true;
  // TF Serving loads numbered version directories: `models/classifier/1`.
  const segments = text.replace(/["']/g, '').split(/[/\\]/).filter(Boolean);
  return segments.length > 1 && /^\d+$/.test(segments[segments.length - 1]!);
}

/**
 * The calls that create what a save writes of a model's structure: for a `Sequential`, its list
 * elements and `add` arguments; for a functional model, the calls its inputs and outputs are
 * computed by, followed back through the names bound in its scope and into the local functions
 * they call. For a model returned by a helper, those of the model inside it. Calls made inside a
 * custom layer's own code are not included: that code rebuilds them on load.
 */
export function layerCalls(facts: FileFacts, model: ModelFact): readonly SyntaxNode[] {
  let calls = layerCallsByModel.get(model);
  if (!calls) layerCallsByModel.set(model, (calls = findLayerCalls(facts, model)));
  return calls;
}

/** Several rules ask for the same models' layer calls, once per class they check. */
const layerCallsByModel = new WeakMap<ModelFact, readonly SyntaxNode[]>();

function findLayerCalls(facts: FileFacts, model: ModelFact): SyntaxNode[] {
  const found = new Map<number, SyntaxNode>();
  const seen = new Set<ModelFact>();
  for (let m: ModelFact | undefined = model; m && !seen.has(m); m = m.origin) {
    seen.add(m);
    if (m.kind === 'sequential') {
      for (const entry of m.layers) {
        for (const call of [...callsIn(entry.element), ...(entry.call ? callsIn(entry.call) : [])]) found.set(call.id, call);
      }
    } else if (m.kind === 'functional') {
      const { positional, keywords } = callArguments(m.definition);
      const roots = [...positional, ...keywords.values()];
      walkGraph(facts, m.scope, roots, found, new Set());
    }
  }
  return [...found.values()];
}

/** Follows values to the calls that compute them: names to their bindings, local functions to their bodies. */
function walkGraph(facts: FileFacts, scope: Scope, roots: readonly SyntaxNode[], found: Map<number, SyntaxNode>, visited: Set<number>): void {
  const pending = [...roots];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (visited.has(node.id)) continue;
    visited.add(node.id);
    for (const call of callsIn(node)) {
      found.set(call.id, call);
      const fn = call.childForFieldName('function');
      const local = fn?.type === 'identifier' ? facts.semantic.localFunction(fn.text, scope) : undefined;
      if (local && !visited.has(local.node.id)) {
        visited.add(local.node.id);
        walkGraph(facts, local.scope, ownNodes(local.node, callTypes), found, visited);
      }
    }
    for (const id of node.type === 'identifier' ? [node] : node.descendantsOfType('identifier')) {
      const binding = lastBinding(scope, id.text, id.startIndex);
      if (binding) pending.push(binding.value);
    }
  }
}

/** The node, when it is a call, and every call inside it. */
function callsIn(node: SyntaxNode): SyntaxNode[] {
  const inside = node.descendantsOfType('call').filter((c) => c.id !== node.id);
  return node.type === 'call' ? [node, ...inside] : inside;
}
