import type { SyntaxNode } from './syntax';
import { callArguments, ownNodes, type FileFacts, type ModelFact } from './facts';
import { insertImportLine } from './edits';
import { ancestry, unparen, type ClassInfo, type FunctionInfo, type Scope } from './semantic';
import { kerasSymbolOf } from './keras-names';
import type { ModuleClass, ModuleFunction, ModuleSummary, TextEdit } from './types';

/**
 * The Keras classes a file defines: their `__init__` signatures, where they are created and
 * with which values, and which models use them (so the readiness report can tie a finding on
 * a class to the models it affects).
 */

export interface InitParameter {
  name: string;
  /** The parameter as written, annotation and default included. */
  node: SyntaxNode;
  defaultValue: SyntaxNode | undefined;
  annotation: SyntaxNode | undefined;
  /** Can be given by position: it comes before any `*` or `*args`. */
  positional: boolean;
}

export interface InitSignature {
  /** The `__init__` function definition. */
  definition: SyntaxNode;
  nameNode: SyntaxNode;
  /** The first parameter's name, `self` by convention. */
  selfName: string;
  /** The named parameters after `self`, in order. */
  params: InitParameter[];
  varArgs: string | undefined;
  varKwargs: string | undefined;
}

/** The class's own `__init__`, read into its parameters; undefined when the class defines none. */
export function initSignature(cls: ClassInfo): InitSignature | undefined {
  const definition = cls.methods.get('__init__');
  const nameNode = definition?.childForFieldName('name');
  const parameters = definition?.childForFieldName('parameters');
  if (!definition || !nameNode || !parameters) return undefined;
  let selfName: string | undefined;
  let varArgs: string | undefined;
  let varKwargs: string | undefined;
  let positional = true;
  const params: InitParameter[] = [];
  for (const param of parameters.namedChildren) {
    // `*args: int` is a typed_parameter around the splat.
    const inner = param.type === 'typed_parameter' ? param.firstNamedChild : param;
    if (!inner) continue;
    if (inner.type === 'list_splat_pattern') {
      varArgs = identifierIn(inner);
      positional = false;
    } else if (inner.type === 'dictionary_splat_pattern') {
      varKwargs = identifierIn(inner);
    } else if (inner.type === 'keyword_separator') {
      positional = false;
    } else {
      const name = inner.type === 'identifier' ? inner : inner.childForFieldName('name');
      if (name?.type !== 'identifier') continue; // a comment or `/`
      if (selfName === undefined) {
        selfName = name.text;
        continue;
      }
      params.push({
        name: name.text,
        node: param,
        defaultValue: param.childForFieldName('value') ?? undefined,
        annotation: param.childForFieldName('type') ?? undefined,
        positional,
      });
    }
  }
  if (selfName === undefined) return undefined;
  return { definition, nameNode, selfName, params, varArgs, varKwargs };
}

function identifierIn(node: SyntaxNode): string | undefined {
  return node.namedChildren.find((c) => c.type === 'identifier')?.text;
}

/** SyntaxNode types to pass to `ownNodes`. */
export const callTypes: ReadonlySet<string> = new Set(['call']);
export const assignmentTypes: ReadonlySet<string> = new Set(['assignment']);

/**
 * Calls in a method's own body to the base class's version of `method`: `super().m(...)`,
 * `super(C, self).m(...)`, or `Base.m(self, ...)`.
 */
export function baseMethodCalls(definition: SyntaxNode, method: string, selfName: string): SyntaxNode[] {
  return ownNodes(definition, callTypes).filter((node) => isBaseMethodCall(node, method, selfName));
}

function isBaseMethodCall(call: SyntaxNode, method: string, selfName: string): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== method) return false;
  const object = fn.childForFieldName('object');
  if (object?.type === 'call' && object.childForFieldName('function')?.text === 'super') return true;
  return callArguments(call).positional[0]?.text === selfName;
}

/** Config keys that Keras's own `Layer.get_config` always writes. */
export const baseConfigKeys = ['name', 'trainable', 'dtype'];
/** Keras bases whose own config holds only the base keys, so that Keras may build an automatic one. */
const autoConfigBases = new Set(['Layer', 'Model']);

/** A built-in Keras base with a `get_config` of its own (`Dense`, `Sequential`), if the class has one. */
export function configuredBase(cls: ClassInfo): string | undefined {
  return [...cls.kerasBases].find((b) => !autoConfigBases.has(b));
}

/** Plain Python bases, which supply none of a layer's methods. */
const neutralBases = new Set(['object', 'abc.ABC', 'typing.Generic', 'typing.Protocol']);

/**
 * True when the class or an in-file base also derives from a class imported from outside Keras
 * (a mixin of a library), which may supply methods the analysis cannot see.
 */
export function hasForeignBase(facts: FileFacts, cls: ClassInfo): boolean {
  for (const c of ancestry(cls)) {
    for (const base of c.node.childForFieldName('superclasses')?.namedChildren ?? []) {
      if (base.type === 'keyword_argument' || base.type === 'comment') continue;
      if (facts.imports.keras(base)) continue;
      if (base.type === 'identifier' && c.fileBases.some((b) => b.name === base.text)) continue;
      const generic = base.type === 'subscript' ? base.childForFieldName('value') : base;
      const name = facts.imports.qualify(generic) ?? generic?.text;
      if (name !== undefined && neutralBases.has(name)) continue;
      return true;
    }
  }
  return false;
}

/** The attribute of `self` that `__init__` stores a parameter in (`self.units = units`, `self._n = n`). */
export function storedAttribute(signature: InitSignature, param: string): string | undefined {
  const found: string[] = [];
  for (const node of ownNodes(signature.definition, assignmentTypes)) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) continue;
    for (const [target, value] of pairTargets(unparen(left), unparen(right))) {
      if (target.type !== 'attribute' || target.childForFieldName('object')?.text !== signature.selfName) continue;
      const attribute = target.childForFieldName('attribute')?.text;
      if (attribute && unparen(value).type === 'identifier' && unparen(value).text === param) found.push(attribute);
    }
  }
  return found.find((a) => a === param) ?? found.find((a) => a === `_${param}`) ?? found[0];
}

/** `a, b = x, y` pairs each target with its value; anything else is one pair. */
function pairTargets(left: SyntaxNode, right: SyntaxNode): Array<[SyntaxNode, SyntaxNode]> {
  const targets = new Set(['pattern_list', 'tuple_pattern', 'tuple']);
  if (targets.has(left.type) && (right.type === 'expression_list' || right.type === 'tuple')) {
    const names = left.namedChildren.filter((c) => c.type !== 'comment');
    const values = right.namedChildren.filter((c) => c.type !== 'comment');
    if (names.length === values.length) return names.map((n, i) => [n, values[i]!]);
  }
  return [[left, right]];
}

/** Every attribute name read or written on `self` in the class and its in-file bases. */
export function selfAttributes(cls: ClassInfo): Set<string> {
  const names = new Set<string>();
  for (const c of ancestry(cls)) {
    for (const attr of c.node.descendantsOfType('attribute')) {
      if (attr.childForFieldName('object')?.text !== 'self') continue;
      const name = attr.childForFieldName('attribute')?.text;
      if (name) names.add(name);
    }
  }
  return names;
}

/** A place that passes values to the class's `__init__`. */
export interface ArgumentSite {
  call: SyntaxNode;
  /** Positional values, after the explicit `self` of `Base.__init__(self, ...)`, without splats. */
  positional: SyntaxNode[];
  keywords: ReadonlyMap<string, SyntaxNode>;
  /** A `*values` splat hides how many positional values there are. */
  hasListSplat: boolean;
}

/** Calls `Cls(...)` in the file. */
export function instantiations(facts: FileFacts, cls: ClassInfo): SyntaxNode[] {
  return [...facts.semantic.instantiations(cls.name)];
}

/**
 * Where the class's `__init__` receives values: its instantiations, and the base `__init__`
 * calls of in-file subclasses that reach it.
 */
export function argumentSites(facts: FileFacts, cls: ClassInfo): ArgumentSite[] {
  const sites = instantiations(facts, cls).map((call) => siteOf(call, false));
  for (const sub of facts.classes.values()) {
    const subInit = sub !== cls && sub.fileBases.includes(cls) ? initSignature(sub) : undefined;
    if (!subInit) continue;
    const firstBase = sub.node.childForFieldName('superclasses')?.namedChildren.find((b) => b.type !== 'comment');
    for (const call of baseMethodCalls(subInit.definition, '__init__', subInit.selfName)) {
      const object = call.childForFieldName('function')?.childForFieldName('object');
      const viaSuper = object?.type === 'call';
      if (viaSuper ? firstBase?.text === cls.name : object?.text === cls.name) sites.push(siteOf(call, !viaSuper));
    }
  }
  return sites;
}

function siteOf(call: SyntaxNode, explicitSelf: boolean): ArgumentSite {
  const { positional, keywords } = callArguments(call);
  const values = positional.slice(explicitSelf ? 1 : 0);
  return {
    call,
    positional: values.filter((v) => v.type !== 'list_splat' && v.type !== 'dictionary_splat'),
    keywords,
    hasListSplat: values.some((v) => v.type === 'list_splat'),
  };
}

export type ValueKind = 'literal' | 'non-literal' | 'unknown';

const literalNodes = new Set(['string', 'concatenated_string', 'integer', 'float', 'true', 'false', 'none']);
const containerNodes = new Set(['list', 'tuple', 'dictionary', 'pair', 'conditional_expression', 'binary_operator', 'unary_operator', 'boolean_operator']);
const nonLiteralNodes = new Set(['lambda', 'set', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension', 'generator_expression']);
/** Builtins whose result is always a plain literal type. */
const literalBuiltins = new Set(['int', 'float', 'str', 'bool', 'len', 'round', 'abs', 'min', 'max', 'sum']);
/** Imported constants that are plain floats (`np.pi`, `math.inf`). */
const literalConstants = new Set(['pi', 'e', 'tau', 'inf', 'nan']);

/**
 * Whether a value is a plain Python literal (`str`, `int`, `float`, `bool`, `None`, or lists,
 * tuples and dicts of those): the values that Keras ≥ 2.11 and Keras 3 record into an automatic
 * config. Names are followed to the values bound to them; what cannot be seen is `unknown`.
 */
export function valueKind(facts: FileFacts, node: SyntaxNode, depth = 0): ValueKind {
  const n = unparen(node);
  if (literalNodes.has(n.type)) return 'literal';
  if (nonLiteralNodes.has(n.type)) return 'non-literal';
  if (depth > 8) return 'unknown';
  if (containerNodes.has(n.type)) {
    // `x if c else y`: the condition's kind does not matter, only the values'.
    const parts = n.type === 'conditional_expression' ? n.namedChildren.filter((_, i) => i !== 1) : n.namedChildren;
    return combine(parts.filter((c) => c.type !== 'comment').map((c) => valueKind(facts, c, depth + 1)));
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const isBuiltin = fn?.type === 'identifier' && literalBuiltins.has(fn.text) && !facts.imports.qualify(fn) &&
      !facts.functions.some((f) => f.name === fn.text);
    return isBuiltin ? 'literal' : 'non-literal';
  }
  if (n.type === 'identifier') return nameKind(facts, n, depth);
  if (n.type === 'attribute') return importedKind(facts.imports.qualify(n));
  return 'unknown';
}

function combine(kinds: ValueKind[]): ValueKind {
  if (kinds.includes('non-literal')) return 'non-literal';
  return kinds.includes('unknown') ? 'unknown' : 'literal';
}

/** An imported name: a module, class or function (non-literal), or a numeric constant. */
function importedKind(qualified: string | undefined): ValueKind {
  if (qualified === undefined) return 'unknown';
  const last = qualified.slice(qualified.lastIndexOf('.') + 1);
  return literalConstants.has(last) || /^[A-Z][A-Z0-9_]*$/.test(last) ? 'unknown' : 'non-literal';
}

function nameKind(facts: FileFacts, name: SyntaxNode, depth: number): ValueKind {
  const values = boundValues(facts, name);
  if (values === 'parameter') return 'unknown';
  if (values.length > 0) return combine(values.map((v) => valueKind(facts, v, depth + 1)));
  const qualified = facts.imports.qualify(name);
  if (qualified !== undefined) return importedKind(qualified);
  if (facts.classes.has(name.text) || facts.functions.some((f) => f.name === name.text)) return 'non-literal';
  return 'unknown';
}

/**
 * The values a name can hold where it is used: its last binding in its own scope, else, from
 * inside a function, every module-level binding. `parameter` when it names a parameter.
 */
function boundValues(facts: FileFacts, name: SyntaxNode): SyntaxNode[] | 'parameter' {
  const found = facts.semantic.lookup(facts.semantic.scopeAt(name), name.text, name.startIndex);
  if (found.kind === 'parameter') return 'parameter';
  if (found.kind === 'local') return [found.binding.value];
  return found.kind === 'module' ? found.bindings.map((b) => b.value) : [];
}

/**
 * True when a value is a Keras object (a layer or other Keras class instance, an instance of
 * one of the file's Keras classes, or a Keras function), which a config must hold serialized.
 */
export function holdsKerasObject(facts: FileFacts, node: SyntaxNode, depth = 0): boolean {
  const n = unparen(node);
  if (depth > 8) return false;
  if (n.type === 'list' || n.type === 'tuple') return n.namedChildren.some((c) => holdsKerasObject(facts, c, depth + 1));
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const keras = facts.imports.keras(fn);
    if (keras) return /^[A-Z]/.test(kerasSymbolOf(keras));
    const cls = fn?.type === 'identifier' ? facts.classes.get(fn.text) : undefined;
    return cls !== undefined && cls.kerasBases.size > 0;
  }
  if (n.type === 'identifier') {
    const values = boundValues(facts, n);
    if (values === 'parameter') return false;
    if (values.length > 0) return values.some((v) => holdsKerasObject(facts, v, depth + 1));
  }
  return isKerasFunction(facts, n);
}

/** `keras.activations.relu` and the like: a function of a Keras module. */
function isKerasFunction(facts: FileFacts, node: SyntaxNode): boolean {
  if (node.type !== 'identifier' && node.type !== 'attribute') return false;
  const keras = facts.imports.keras(node);
  return keras !== undefined && keras.split('.').length >= 3 && /^[a-z_]/.test(kerasSymbolOf(keras));
}

/** True when a type annotation names a Keras class (`layer: keras.layers.Layer`, `Optional[Layer]`). */
export function annotatesKerasClass(facts: FileFacts, annotation: SyntaxNode): boolean {
  return annotation.descendantsOfType(['identifier', 'attribute']).some((n) => {
    const keras = facts.imports.keras(n);
    return keras !== undefined && /^[A-Z]/.test(kerasSymbolOf(keras));
  });
}

/** The models that use the class: they are instances of it, or list, create or contain it. */
export function modelsUsing(facts: FileFacts, cls: ClassInfo): ModelFact[] {
  return facts.models.filter((model) => classesUsedBy(facts, model).has(cls));
}

/**
 * The file's classes that a model uses: its own class, the classes instantiated in its
 * `Sequential` layer list (or `add` calls), or in the scope that builds a functional model
 * and the local functions that scope calls; for a model returned by a helper, the same in the
 * helper. Then, transitively, the in-file bases of those classes and the classes they create.
 */
export function classesUsedBy(facts: FileFacts, model: ModelFact): Set<ClassInfo> {
  return classUsesOf(facts, model).local;
}

/** A Keras class of another module that a model of this file uses, and the calls here that create it. */
export interface ImportedClassUse {
  cls: ModuleClass;
  /** The module that defines it (see ModuleSummary.uri). */
  uri: string | undefined;
  /** The calls creating it (for a model that is an instance of it, or comes from a helper that uses it, the model's definition). */
  calls: SyntaxNode[];
}

/**
 * The classes of other modules that a model uses, found as `classesUsedBy` finds the file's own:
 * created in its layer list or the scope that builds it, by the file's classes it uses, the
 * model's own class, or those the helper of another module that returned it uses. Keyed by the
 * class's module and name, since two summaries of a module may describe the same class.
 */
export function importedClassesUsedBy(facts: FileFacts, model: ModelFact): Map<string, ImportedClassUse> {
  return classUsesOf(facts, model).imported;
}

/** The functions of other modules that returned the model (through the local helpers that passed it on), with their calls here. */
export function importedHelpers(model: ModelFact): Array<{ fn: ModuleFunction; module: ModuleSummary; call: SyntaxNode }> {
  const found: Array<{ fn: ModuleFunction; module: ModuleSummary; call: SyntaxNode }> = [];
  const seen = new Set<ModelFact>();
  for (let m: ModelFact | undefined = model; m && !seen.has(m); m = m.origin) {
    seen.add(m);
    if (m.imported?.kind === 'function') found.push({ fn: m.imported.fn, module: m.imported.module, call: m.definition });
  }
  return found;
}

interface ClassUses {
  local: Set<ClassInfo>;
  imported: Map<string, ImportedClassUse>;
}

/**
 * What a call contributes to the classes a model uses: it creates a class of another module,
 * creates one of the file's classes, or calls a local function whose own calls count too.
 */
type ClassUseItem =
  | { kind: 'imported'; cls: ModuleClass; uri: string | undefined; call: SyntaxNode }
  | { kind: 'local'; cls: ClassInfo }
  | { kind: 'function'; fn: FunctionInfo };

function useItemOf(facts: FileFacts, call: SyntaxNode): ClassUseItem | undefined {
  const fn = call.childForFieldName('function');
  const symbol = facts.imported.lookupClass(fn);
  if (symbol?.kind === 'class') return { kind: 'imported', cls: symbol.cls, uri: symbol.module.uri, call };
  if (fn?.type !== 'identifier') return undefined;
  const cls = facts.classes.get(fn.text);
  if (cls) return { kind: 'local', cls };
  const local = facts.semantic.localFunction(fn.text, facts.semantic.scopeAt(call));
  return local ? { kind: 'function', fn: local } : undefined;
}

/** The use items of a scope's calls, in order; made once per scope, however many models it builds. */
function scopeUseItems(facts: FileFacts, index: ClassIndex, scope: Scope): readonly ClassUseItem[] {
  let items = index.itemsByScope.get(scope);
  if (!items) {
    items = facts.semantic.callsIn(scope).map((call) => useItemOf(facts, call)).filter((i) => i !== undefined);
    index.itemsByScope.set(scope, items);
  }
  return items;
}

/** The file's classes a class creates, and the classes of other modules it creates, in order; once per class. */
function classCreations(facts: FileFacts, index: ClassIndex, cls: ClassInfo): readonly ClassUseItem[] {
  let items = index.itemsByClass.get(cls);
  if (!items) {
    const found: ClassUseItem[] = [];
    for (const call of cls.node.descendantsOfType('call')) {
      const fn = call.childForFieldName('function');
      const created = fn?.type === 'identifier' ? facts.classes.get(fn.text) : undefined;
      const symbol = created ? undefined : facts.imported.lookupClass(fn);
      if (created) found.push({ kind: 'local', cls: created });
      else if (symbol?.kind === 'class') found.push({ kind: 'imported', cls: symbol.cls, uri: symbol.module.uri, call });
    }
    index.itemsByClass.set(cls, (items = found));
  }
  return items;
}

function classUsesOf(facts: FileFacts, model: ModelFact): ClassUses {
  const index = indexOf(facts);
  const cached = index.usedByModel.get(model.id);
  if (cached) return cached;
  const used = new Set<ClassInfo>();
  const imported = new Map<string, ImportedClassUse>();
  const addUse = (cls: ModuleClass, uri: string | undefined, call: SyntaxNode): void => {
    const key = `${uri ?? ''}\0${cls.name}`;
    const use = imported.get(key) ?? { cls, uri, calls: [] };
    if (!use.calls.includes(call)) use.calls.push(call);
    imported.set(key, use);
  };
  for (const { fn, module, call } of importedHelpers(model)) {
    for (const used of fn.classes) addUse(used.cls, used.uri ?? module.uri, call);
  }
  // Local functions are entered at their first call, as if their calls stood there.
  const visitedFunctions = new Set<FunctionInfo>();
  const replay = (items: readonly ClassUseItem[]): void => {
    for (const item of items) {
      if (item.kind === 'imported') addUse(item.cls, item.uri, item.call);
      else if (item.kind === 'local') used.add(item.cls);
      else if (!visitedFunctions.has(item.fn)) {
        visitedFunctions.add(item.fn);
        replay(scopeUseItems(facts, index, item.fn.scope));
      }
    }
  };
  const replayCalls = (calls: readonly SyntaxNode[]): void => replay(calls.map((call) => useItemOf(facts, call)).filter((i) => i !== undefined));
  const seen = new Set<ModelFact>();
  for (let m: ModelFact | undefined = model; m && !seen.has(m); m = m.origin) {
    seen.add(m);
    if (m.subclass) used.add(m.subclass);
    if (m.imported?.kind === 'class') addUse(m.imported.cls, m.imported.module.uri, m.definition);
    if (m.kind === 'sequential') {
      for (const entry of m.layers) {
        replayCalls(entry.element.descendantsOfType('call'));
        if (entry.call) replayCalls(entry.call.descendantsOfType('call'));
      }
    } else if (m.kind === 'functional') {
      replay(scopeUseItems(facts, index, m.scope));
    }
  }
  const queue = [...used];
  while (queue.length > 0) {
    const cls = queue.pop()!;
    const created: ClassInfo[] = [];
    for (const item of classCreations(facts, index, cls)) {
      if (item.kind === 'local') created.push(item.cls);
      else if (item.kind === 'imported') addUse(item.cls, item.uri, item.call);
    }
    for (const next of [...cls.fileBases, ...created]) {
      if (used.has(next)) continue;
      used.add(next);
      queue.push(next);
    }
  }
  const uses = { local: used, imported };
  index.usedByModel.set(model.id, uses);
  return uses;
}

interface ClassIndex {
  usedByModel: Map<number, ClassUses>;
  itemsByScope: Map<Scope, readonly ClassUseItem[]>;
  itemsByClass: Map<ClassInfo, readonly ClassUseItem[]>;
}

/** Built once per file's facts and shared by the rules that ask. */
const indexes = new WeakMap<FileFacts, ClassIndex>();

function indexOf(facts: FileFacts): ClassIndex {
  let index = indexes.get(facts);
  if (!index) indexes.set(facts, (index = { usedByModel: new Map(), itemsByScope: new Map(), itemsByClass: new Map() }));
  return index;
}

/** The package the class's Keras base is imported from, as the file spells it: `tensorflow.keras`, `tf_keras`, `keras`. */
function kerasPackageOf(facts: FileFacts, cls: ClassInfo): string | undefined {
  for (const c of ancestry(cls)) {
    for (const base of c.node.childForFieldName('superclasses')?.namedChildren ?? []) {
      const qualified = facts.imports.qualify(base);
      const canonical = facts.imports.keras(base);
      if (!qualified || !canonical) continue;
      const rest = canonical.slice('keras'.length);
      if (qualified.endsWith(rest)) return qualified.slice(0, qualified.length - rest.length);
    }
  }
  return undefined;
}

/**
 * An import of `names` from a Keras module (`keras.saving`), spelled from the package that the
 * class's Keras base comes from (`from tensorflow.keras.saving import ...`), on a line after the
 * file's last import that comes before the class. For files that no imported name reaches it from.
 */
export function importBesideKerasBase(facts: FileFacts, cls: ClassInfo, module: string, names: string[]): TextEdit | undefined {
  const root = kerasPackageOf(facts, cls);
  if (!root) return undefined;
  const line = `from ${root}${module.slice('keras'.length)} import ${names.join(', ')}`;
  let topLevel = cls.node;
  while (topLevel.parent && topLevel.parent.type !== 'module') topLevel = topLevel.parent;
  return insertImportLine(facts.root, line, facts.text, topLevel);
}
