import type { SyntaxNode } from './syntax';
import { callArguments, type FileFacts, type ModelEvent, type ModelFact } from './facts';
import { kerasSymbolOf } from './keras-names';
import { saveCalls } from './save-calls';
import { unparen, type Scope } from './semantic';
import { stringValue } from './text';

/**
 * The `load_model` calls of a file (Keras's, through the imports): the path each reads, what its
 * `custom_objects` and any enclosing `custom_object_scope` supply, and the calls of the same file
 * that write that path (full-model saves, `ModelCheckpoint`s, exports).
 */

export interface LoadCall {
  call: SyntaxNode;
  /** The callee as written: its import decides the implementation. */
  callee: SyntaxNode;
  scope: Scope;
  path: SyntaxNode | undefined;
  /** The `custom_objects` value (keyword or second positional argument). */
  customObjects: SyntaxNode | undefined;
  /** The whole `custom_objects=` keyword argument, when passed by keyword. */
  customObjectsArgument: SyntaxNode | undefined;
  /** The whole `options=` keyword argument. */
  options: SyntaxNode | undefined;
  /** The `custom_object_scope(...)` / `CustomObjectScope(...)` calls of the `with` statements around the call. */
  enclosingScopes: SyntaxNode[];
  /** What the call's `custom_objects` and the enclosing scopes supply. */
  supplied: SuppliedObjects;
  /** The calls of the file that write the same path. */
  writes: PathWrite[];
}

/** The custom objects a load is given: the keys of the dicts (without a `package>` prefix) and the names in them. */
export interface SuppliedObjects {
  keys: Set<string>;
  names: Set<string>;
  /** A dict the file computes (a parameter, a call): it may supply anything. */
  unknown: boolean;
}

export interface PathWrite {
  /** The save, export or `ModelCheckpoint(...)` call. */
  call: SyntaxNode;
  kind: 'save' | 'checkpoint' | 'export';
  path: SyntaxNode;
  models: ModelFact[];
  /** For a save or checkpoint: the models' events, for their format. */
  events: ModelEvent[];
  /** `save(p, zipped=False)`: an unzipped Keras folder, which Keras 3.4 and later load. */
  unzipped: boolean;
  /** `save(p, save_format="tf")`: a SavedModel. */
  savedModel: boolean;
}

const loadsByFacts = new WeakMap<FileFacts, readonly LoadCall[]>();
const scopeFunctions = new Set(['custom_object_scope', 'CustomObjectScope']);

/** Every Keras `load_model(...)` call of the file, in the order of its scopes. Built once per file's facts. */
export function loadCalls(facts: FileFacts): readonly LoadCall[] {
  let found = loadsByFacts.get(facts);
  if (!found) loadsByFacts.set(facts, (found = findLoads(facts)));
  return found;
}

/** The loads of the file that read what a save, checkpoint or export call wrote. */
export function reloadsOf(facts: FileFacts, writeCall: SyntaxNode): LoadCall[] {
  return loadCalls(facts).filter((load) => load.writes.some((w) => w.call.id === writeCall.id));
}

/** True when a load is given an object under `name`, or the object named `name`; always when it cannot be read. */
export function supplies(load: LoadCall, name: string): boolean {
  return load.supplied.unknown || load.supplied.keys.has(name) || load.supplied.names.has(name);
}

function findLoads(facts: FileFacts): LoadCall[] {
  if (!facts.text.includes('load_model')) return [];
  const writes = pathWrites(facts);
  const found: LoadCall[] = [];
  for (const scope of facts.scopes) {
    for (const call of facts.semantic.callsIn(scope)) {
      const callee = call.childForFieldName('function');
      const keras = facts.imports.keras(callee);
      if (!callee || !keras || kerasSymbolOf(keras) !== 'load_model' || keras.split('.').length < 3) continue;
      const { positional, keywords, keywordNodes } = callArguments(call);
      if (positional.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat')) continue;
      const path = positional[0] ?? keywords.get('filepath');
      const customObjects = keywords.get('custom_objects') ?? positional[1];
      const enclosingScopes = enclosingScopeCalls(facts, call, scope);
      const supplied: SuppliedObjects = { keys: new Set(), names: new Set(), unknown: false };
      if (customObjects) readSupplied(facts, customObjects, supplied);
      for (const scopeCall of enclosingScopes) for (const arg of callArguments(scopeCall).positional) readSupplied(facts, arg, supplied);
      const key = path ? pathKey(facts, scope, path) : undefined;
      found.push({
        call, callee, scope, path, customObjects,
        customObjectsArgument: keywordNodes.get('custom_objects'),
        options: keywordNodes.get('options'),
        enclosingScopes,
        supplied,
        writes: key === undefined ? [] : writes.filter((w) => w.key === key).map((w) => w.write),
      });
    }
  }
  return found;
}

/** The scope calls of the `with` statements that enclose a call within its own function or module. */
function enclosingScopeCalls(facts: FileFacts, call: SyntaxNode, scope: Scope): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (let n = call.parent; n && n.id !== scope.node.id; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    for (const clause of n.namedChildren.filter((c) => c.type === 'with_clause')) {
      for (const item of clause.namedChildren) {
        const value = item.type === 'with_item' ? item.childForFieldName('value') : undefined;
        const inner = value && unparen(value);
        // `with custom_object_scope(...) as s:` parses as an `as_pattern` around the call.
        const scopeCall = inner?.type === 'as_pattern' ? inner.firstNamedChild : inner;
        const keras = scopeCall?.type === 'call' ? facts.imports.keras(scopeCall.childForFieldName('function')) : undefined;
        if (scopeCall && keras && scopeFunctions.has(kerasSymbolOf(keras))) found.push(scopeCall);
      }
    }
  }
  return found;
}

/** Reads a dict of custom objects: a literal, `dict(...)` keywords, or a name bound to one. */
function readSupplied(facts: FileFacts, node: SyntaxNode, into: SuppliedObjects, depth = 0): void {
  const n = unparen(node);
  if (n.type === 'dictionary') {
    for (const pair of n.namedChildren) {
      if (pair.type !== 'pair') {
        if (pair.type === 'dictionary_splat') into.unknown = true;
        continue;
      }
      const key = stringValue(pair.childForFieldName('key'));
      if (key !== undefined) into.keys.add(key.slice(key.indexOf('>') + 1));
      else into.unknown = true;
      const value = pair.childForFieldName('value');
      if (value?.type === 'identifier') into.names.add(value.text);
    }
    return;
  }
  if (n.type === 'call' && n.childForFieldName('function')?.text === 'dict') {
    const { positional, keywords } = callArguments(n);
    for (const [key, value] of keywords) {
      into.keys.add(key);
      if (value.type === 'identifier') into.names.add(value.text);
    }
    if (positional.length > 0) into.unknown = true;
    return;
  }
  if (n.type === 'identifier' && depth < 4) {
    const found = facts.semantic.lookup(facts.semantic.scopeAt(n), n.text, n.startIndex);
    const binding = found.kind === 'local' ? found.binding : found.kind === 'module' && found.bindings.length === 1 ? found.bindings[0] : undefined;
    if (binding) {
      readSupplied(facts, binding.value, into, depth + 1);
      // Entries added later (`objects["f"] = f`) are not read: the dict may hold more.
      if (mutated(facts, n.text)) into.unknown = true;
      return;
    }
  }
  into.unknown = true;
}

/** The file stores into a dict of this name, or updates it. */
function mutated(facts: FileFacts, name: string): boolean {
  return new RegExp(`\\b${name}\\s*(\\[|\\.update\\(|\\.setdefault\\()`).test(facts.text);
}

/**
 * What a path is, for telling whether two calls name the same one: the value of a plain string
 * literal, followed through the names bound to it; otherwise the expression as written, in its scope.
 */
function pathKey(facts: FileFacts, scope: Scope, node: SyntaxNode, depth = 0): string {
  const n = unparen(node);
  const literal = stringValue(n);
  if (literal !== undefined) return `literal:${literal}`;
  if (n.type === 'identifier' && depth < 4) {
    const found = facts.semantic.lookup(scope, n.text, n.startIndex);
    if (found.kind === 'local') return pathKey(facts, found.scope, found.binding.value, depth + 1);
    if (found.kind === 'module' && found.bindings.length === 1) return pathKey(facts, found.scope, found.bindings[0]!.value, depth + 1);
    if (found.kind === 'parameter') return `parameter:${scope.node.id}:${n.text}`;
  }
  // A computed path (`os.path.join(out, "m.keras")`, `args.output`): the same text means the same path.
  return `expression:${n.text}`;
}

const writesByFacts = new WeakMap<FileFacts, Array<{ key: string; write: PathWrite }>>();

/** The calls of the file that write a model to a path, each with the key of its path. */
function pathWrites(facts: FileFacts): Array<{ key: string; write: PathWrite }> {
  const cached = writesByFacts.get(facts);
  if (cached) return cached;
  const found = new Map<number, { key: string; write: PathWrite }>();
  const add = (call: SyntaxNode, kind: PathWrite['kind'], path: SyntaxNode | undefined, flags = { unzipped: false, savedModel: false }): void => {
    if (!path || found.has(call.id)) return;
    const key = pathKey(facts, facts.semantic.scopeAt(call), path);
    found.set(call.id, { key, write: { call, kind, path, models: [], events: [], ...flags } });
  };
  for (const save of saveCalls(facts)) {
    if (!save.keras) continue;
    const { keywords } = callArguments(save.call);
    const format = stringValue(save.saveFormat?.childForFieldName('value'))?.toLowerCase();
    add(save.call, 'save', save.path, { unzipped: keywords.get('zipped')?.text === 'False', savedModel: format === 'tf' || format === 'tensorflow' });
  }
  for (const model of facts.models) {
    for (const event of model.events) {
      const { positional, keywords } = callArguments(event.call);
      if (event.kind === 'checkpoint') add(event.call, 'checkpoint', positional[0] ?? keywords.get('filepath'));
      if (event.kind === 'export') {
        add(event.call, 'export', event.method === 'export' ? positional[0] ?? keywords.get('filepath') : positional[1] ?? keywords.get('export_dir'));
      }
      const write = found.get(event.call.id)?.write;
      if (!write || (event.kind !== 'save' && event.kind !== 'checkpoint' && event.kind !== 'export')) continue;
      if (!write.models.includes(model)) write.models.push(model);
      write.events.push(event);
    }
  }
  const writes = [...found.values()];
  writesByFacts.set(facts, writes);
  return writes;
}
