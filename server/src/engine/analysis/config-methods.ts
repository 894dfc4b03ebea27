import type { SyntaxNode } from './syntax';
import {
  assignmentTypes, baseMethodCalls, callTypes, configuredBase, initSignature, type InitSignature,
} from './custom-classes';
import { appendArgument, appendParameter, insertAtBodyStart, insertBefore, removeArgument, replaceNode, statementOf } from './edits';
import { isKerasLayerClass, ownNodes, type FileFacts } from './facts';
import { ancestry, mentionsName, methodOf, nodesWithin, unparen, type ClassInfo } from './semantic';
import { stringValue } from './text';
import type { TextEdit } from './types';

/**
 * Facts about the methods through which a custom class's config travels: what its `get_config`
 * returns and whether that starts from the base config, which of the base config's keys come
 * back to `__init__` on reload (`cls(**config)`), and how `__init__` hands `**kwargs` to the
 * base `__init__`. With the edits that make `__init__` accept and forward them.
 */

/** The Keras base a custom class derives from, as far as its config is concerned. */
export type ConfigFamily = 'layer' | 'loss' | 'metric' | 'schedule' | 'regularizer' | 'constraint' | 'initializer';

/** Canonical module prefixes of the custom-object bases (`keras.losses.Loss`, `keras.losses.Huber`, …). */
const familyPrefixes: Array<[prefix: string, family: ConfigFamily]> = [
  ['keras.losses.', 'loss'],
  ['keras.metrics.', 'metric'],
  ['keras.optimizers.schedules.', 'schedule'],
  ['keras.regularizers.', 'regularizer'],
  ['keras.constraints.', 'constraint'],
  ['keras.initializers.', 'initializer'],
];

/**
 * The family of a custom class (Layer/Model, directly or through a built-in layer or an in-file
 * class) or custom object class (Loss, Metric, LearningRateSchedule, Regularizer, Constraint,
 * Initializer); undefined for other classes.
 */
export function configFamily(facts: FileFacts, cls: ClassInfo): ConfigFamily | undefined {
  if (isKerasLayerClass(cls)) return 'layer';
  for (const c of ancestry(cls)) {
    for (const base of c.node.childForFieldName('superclasses')?.namedChildren ?? []) {
      const canonical = facts.imports.keras(base);
      const found = canonical ? familyPrefixes.find(([prefix]) => canonical.startsWith(prefix)) : undefined;
      if (found) return found[1];
    }
  }
  return undefined;
}

/** The node of the class's Keras base (or of an in-file base's), whose implementation decides the version. */
export function kerasBaseNode(facts: FileFacts, cls: ClassInfo): SyntaxNode | undefined {
  for (const c of ancestry(cls)) {
    const base = c.node.childForFieldName('superclasses')?.namedChildren.find((b) => facts.imports.keras(b) !== undefined);
    if (base) return base;
  }
  return undefined;
}

/**
 * The keys that the base `get_config` always writes and that reloading passes back to
 * `__init__`: `name`, `trainable`, `dtype` for layers and models, `name`, `reduction` for losses,
 * `name`, `dtype` for metrics. The other bases write none that `__init__` must take.
 */
export function baseConfigKeysOf(family: ConfigFamily | undefined): readonly string[] {
  if (family === 'layer') return ['name', 'trainable', 'dtype'];
  if (family === 'loss') return ['name', 'reduction'];
  if (family === 'metric') return ['name', 'dtype'];
  return [];
}

/** What a `get_config` method does with the config, read from its own body. */
export interface GetConfigMethod {
  definition: SyntaxNode;
  nameNode: SyntaxNode;
  /** Its own `return` statements that return a value (`return None` and bare returns excluded). */
  valueReturns: SyntaxNode[];
  /** Its own bare returns and `return None`. */
  emptyReturns: SyntaxNode[];
  /** Decorated `@abstractmethod`, or its body ends in `raise`: a base meant to be overridden. */
  abstract: boolean;
  /** The config it returns is built from the result of a `super()` call (or `Base.get_config(self)`). */
  mergesBase: boolean;
  /** The string literals of its body, which include the keys it writes itself. */
  strings: ReadonlySet<string>;
}

const returnTypes: ReadonlySet<string> = new Set(['return_statement']);
const methodsByNode = new WeakMap<SyntaxNode, GetConfigMethod>();

/** The `get_config` the class defines itself, read once per method. */
export function ownGetConfig(cls: ClassInfo): GetConfigMethod | undefined {
  const definition = cls.methods.get('get_config');
  return definition ? readGetConfig(definition) : undefined;
}

/** A `get_config` method's facts; for one inherited from an in-file base too. */
export function readGetConfig(definition: SyntaxNode): GetConfigMethod | undefined {
  const cached = methodsByNode.get(definition);
  if (cached) return cached;
  const nameNode = definition.childForFieldName('name');
  if (!nameNode) return undefined;
  const valueReturns: SyntaxNode[] = [];
  const emptyReturns: SyntaxNode[] = [];
  for (const ret of ownNodes(definition, returnTypes)) {
    const value = ret.namedChildren.find((c) => c.type !== 'comment');
    if (!value || unparen(value).type === 'none') emptyReturns.push(ret);
    else valueReturns.push(ret);
  }
  const method: GetConfigMethod = {
    definition,
    nameNode,
    valueReturns,
    emptyReturns,
    abstract: isAbstract(definition),
    mergesBase: baseConfigCalls(definition).some((call) => resultUsed(definition, call)),
    strings: new Set(nodesWithin(definition, 'string').map((s) => stringValue(s)).filter((s) => s !== undefined)),
  };
  methodsByNode.set(definition, method);
  return method;
}

function isAbstract(definition: SyntaxNode): boolean {
  const decorated = definition.parent?.type === 'decorated_definition' ? definition.parent : undefined;
  const decorators = decorated?.namedChildren.filter((c) => c.type === 'decorator') ?? [];
  if (decorators.some((d) => /(^|\.)abstractmethod$/.test(d.firstNamedChild?.text ?? ''))) return true;
  const statements = definition.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  return statements[statements.length - 1]?.type === 'raise_statement';
}

/** The method's first parameter, `self` by convention. */
function selfParameter(definition: SyntaxNode): string {
  const first = definition.childForFieldName('parameters')?.namedChildren.find((p) => p.type === 'identifier');
  return first?.text ?? 'self';
}

/** Calls in a method's own body that can give the base config: any `super()` method call, or `Base.get_config(self)`. */
function baseConfigCalls(definition: SyntaxNode): SyntaxNode[] {
  const viaBase = new Set(baseMethodCalls(definition, 'get_config', selfParameter(definition)));
  return ownNodes(definition, callTypes).filter((call) => {
    if (viaBase.has(call)) return true;
    const object = call.childForFieldName('function')?.childForFieldName('object');
    return object?.type === 'call' && object.childForFieldName('function')?.text === 'super';
  });
}

/**
 * Whether a call's result goes into something: not a statement of its own, and, when assigned to
 * a name, that name is read afterwards. Calls on the result (`.copy()`, `.items()`) carry it.
 */
function resultUsed(definition: SyntaxNode, call: SyntaxNode): boolean {
  let expression = call;
  for (;;) {
    const parent = expression.parent;
    if (!parent) return false;
    const carries = parent.type === 'parenthesized_expression' ||
      (parent.type === 'attribute' && parent.childForFieldName('object')?.id === expression.id) ||
      (parent.type === 'call' && parent.childForFieldName('function')?.id === expression.id);
    if (!carries) break;
    expression = parent;
  }
  const parent = expression.parent!;
  if (parent.type === 'expression_statement') return false;
  if (parent.type !== 'assignment' || parent.childForFieldName('right')?.id !== expression.id) return true;
  const target = parent.childForFieldName('left');
  if (target?.type !== 'identifier') return true;
  return nodesWithin(definition, 'identifier').some((id) => id.text === target.text && id.startIndex >= parent.endIndex);
}

/**
 * The base config keys that reach `__init__` when the class is reloaded. All of them, unless the
 * class's own `get_config` builds the config without the base one (then only the keys it writes
 * itself), or its own `from_config` builds the object without `cls(**config)` or the base
 * `from_config` (then only the keys it names).
 */
export function baseKeysReachingInit(facts: FileFacts, cls: ClassInfo): Set<string> {
  let keys = new Set(baseConfigKeysOf(configFamily(facts, cls)));
  const getConfig = methodOf(cls, 'get_config');
  const config = getConfig ? readGetConfig(getConfig) : undefined;
  if (config && !config.mergesBase) keys = new Set([...keys].filter((k) => config.strings.has(k)));
  const fromConfig = methodOf(cls, 'from_config');
  if (fromConfig && !passesConfigWhole(cls, fromConfig)) {
    const named = new Set(nodesWithin(fromConfig, 'string').map((s) => stringValue(s)));
    keys = new Set([...keys].filter((k) => named.has(k)));
  }
  return keys;
}

function passesConfigWhole(cls: ClassInfo, fromConfig: SyntaxNode): boolean {
  return ownNodes(fromConfig, callTypes).some((node) => {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'from_config') return true;
    const splats = node.childForFieldName('arguments')?.namedChildren.some((a) => a.type === 'dictionary_splat');
    return (fn?.text === 'cls' || fn?.text === cls.name) && splats === true;
  });
}

/** How an `__init__` hands its `**kwargs` to the base `__init__`. */
export interface InitForwarding {
  signature: InitSignature;
  /** The base `__init__` calls of its own body. */
  baseCalls: SyntaxNode[];
  /** Those that do not pass `**kwargs` on (all of them when `__init__` takes none). */
  unforwarded: SyntaxNode[];
}

/** The class's own `__init__` and its base calls; undefined when it defines none. */
export function initForwarding(cls: ClassInfo): InitForwarding | undefined {
  const signature = initSignature(cls);
  if (!signature) return undefined;
  const kwargs = signature.varKwargs;
  const baseCalls = baseMethodCalls(signature.definition, '__init__', signature.selfName);
  const unforwarded = kwargs === undefined ? baseCalls : baseCalls.filter((call) => !forwardsKwargs(call, kwargs, signature));
  return { signature, baseCalls, unforwarded };
}

/** True when a base `__init__` call passes `**kwargs` on, directly or through a dict built from it in `__init__`. */
function forwardsKwargs(call: SyntaxNode, kwargs: string, signature: InitSignature): boolean {
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type !== 'dictionary_splat') continue;
    if (mentionsName(arg, kwargs)) return true;
    const name = arg.firstNamedChild;
    if (name?.type !== 'identifier') continue;
    const derived = ownNodes(signature.definition, assignmentTypes).some((node) => {
      const value = node.childForFieldName('left')?.text === name.text ? node.childForFieldName('right') : null;
      return value ? mentionsName(value, kwargs) : false;
    });
    if (derived) return true;
  }
  return false;
}

/** True when a base `__init__` call unpacks the `__init__`'s own `**kwargs` itself (`**kwargs`). */
function unpacksKwargs(call: SyntaxNode, kwargs: string): boolean {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).some((arg) =>
    arg.type === 'dictionary_splat' && arg.firstNamedChild?.type === 'identifier' && arg.firstNamedChild.text === kwargs);
}

/**
 * True when `key` is taken out of `kwargs` before `call` on every path to it: a
 * `kwargs.pop("key", …)` or `del kwargs["key"]` in a statement that precedes the call's statement
 * in its block or an enclosing block of the same function (not inside an `if` or a loop).
 */
function removedBefore(call: SyntaxNode, kwargs: string, key: string, definition: SyntaxNode): boolean {
  for (let statement = statementOf(call); statement.parent && statement.id !== definition.id;) {
    for (let prev = statement.previousSibling; prev; prev = prev.previousSibling) {
      if (removesKey(prev, kwargs, key)) return true;
    }
    let up: SyntaxNode | null = statement.parent;
    while (up && up.id !== definition.id && up.parent?.type !== 'block') up = up.parent;
    if (!up || up.id === definition.id) break;
    statement = up;
  }
  return false;
}

function removesKey(statement: SyntaxNode, kwargs: string, key: string): boolean {
  if (statement.type === 'delete_statement') {
    return nodesWithin(statement, 'subscript').some((s) =>
      s.childForFieldName('value')?.text === kwargs && stringValue(s.childForFieldName('subscript')) === key);
  }
  return statement.type === 'expression_statement' && nodesWithin(statement, 'call').some((c) => isPopOf(c, kwargs, key));
}

/** `kwargs.pop("key", …)`. */
function isPopOf(call: SyntaxNode, kwargs: string, key: string): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'pop') return false;
  if (fn.childForFieldName('object')?.text !== kwargs) return false;
  const first = call.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
  return stringValue(first) === key;
}

/** `kwargs.setdefault("key", value)` for a keyword argument. */
function setdefaultLine(keyword: SyntaxNode, kwargs: string): string {
  return `${kwargs}.setdefault("${keyword.childForFieldName('name')!.text}", ${keyword.childForFieldName('value')!.text})`;
}

/**
 * Turns keywords of a base `__init__` call that also unpacks `kwargs` into defaults of them: the
 * keywords leave the call and `kwargs.setdefault("key", value)` goes just before its statement.
 */
export function setdefaultEdits(call: SyntaxNode, keywords: SyntaxNode[], kwargs: string, text: string): TextEdit[] | undefined {
  const args = call.childForFieldName('arguments');
  const before = insertBefore(statementOf(call), keywords.map((k) => setdefaultLine(k, kwargs)), text);
  if (!before || !args) return undefined;
  if (keywords.length === 1) return [before, removeArgument(keywords[0]!)];
  // Neighbouring arguments share their commas: rewrite the list once.
  const kept = args.namedChildren.filter((a) => a.type !== 'comment' && !keywords.some((k) => k.id === a.id));
  return [before, replaceNode(args, `(${kept.map((a) => a.text).join(', ')})`)];
}

/** A fixed base key passed to a base `__init__` call that also unpacks `**kwargs`. */
export interface DuplicateKeyword {
  call: SyntaxNode;
  /** The `name="…"` keyword argument. */
  keyword: SyntaxNode;
  key: string;
}

/**
 * The keywords among `keys` that base `__init__` calls pass next to `**kwargs` when a reload's
 * `cls(**config)` puts the same key into `kwargs`: the key is no parameter of `__init__`, is not
 * popped into the keyword itself (`name=kwargs.pop("name", …)`), and is not removed from `kwargs`
 * before the call on every path.
 */
export function duplicateKeywords(forwarding: InitForwarding, keys: Iterable<string>): DuplicateKeyword[] {
  const { signature, baseCalls } = forwarding;
  const kwargs = signature.varKwargs;
  if (kwargs === undefined) return [];
  const wanted = new Set(keys);
  for (const p of signature.params) wanted.delete(p.name);
  const found: DuplicateKeyword[] = [];
  for (const call of baseCalls) {
    if (!unpacksKwargs(call, kwargs)) continue;
    for (const keyword of call.childForFieldName('arguments')?.namedChildren ?? []) {
      const key = keyword.type === 'keyword_argument' ? keyword.childForFieldName('name')?.text : undefined;
      const value = keyword.childForFieldName('value');
      if (key === undefined || !value || !wanted.has(key)) continue;
      if (unparen(value).type === 'call' && isPopOf(unparen(value), kwargs, key)) continue;
      if (removedBefore(call, kwargs, key, signature.definition)) continue;
      found.push({ call, keyword, key });
    }
  }
  return found;
}

/** The edits that make `__init__` accept `**kwargs` and pass them to its base `__init__`, and what they take. */
export interface ForwardingEdits {
  edits: TextEdit[];
  kwargs: string;
  /** `__init__` never called the base `__init__`, and now does first thing. */
  addsBaseCall: boolean;
  /** `**kwargs` is also handed to something else, which keeps getting them. */
  usedElsewhere: boolean;
}

const splatTypes: ReadonlySet<string> = new Set(['dictionary_splat']);

/**
 * Adds `**kwargs` to the signature when missing, and to each base `__init__` call that lacks it
 * (or a first `super().__init__(**kwargs)` when there is none). A keyword that a call sets itself
 * and that the saved config also holds (a base key, or any keyword for a built-in base with a
 * config of its own such as `Dense`) would then arrive twice, so it becomes a `kwargs.setdefault`.
 */
export function forwardingEdits(facts: FileFacts, cls: ClassInfo, forwarding: InitForwarding): ForwardingEdits | undefined {
  // Code that does not parse gives no sure place to write.
  if (cls.node.hasError) return undefined;
  const { signature, baseCalls, unforwarded } = forwarding;
  const text = facts.text;
  const named = new Set(signature.params.map((p) => p.name));
  const kwargs = signature.varKwargs ?? (named.has('kwargs') || signature.varArgs === 'kwargs' ? 'base_kwargs' : 'kwargs');
  const edits: TextEdit[] = [];
  if (!signature.varKwargs) {
    const added = appendParameter(signature.definition, `**${kwargs}`);
    if (!added) return undefined;
    edits.push(added);
  }
  const addsBaseCall = baseCalls.length === 0;
  if (addsBaseCall) {
    // First thing, since Keras needs its base set up before attributes are assigned.
    const call = insertAtBodyStart(signature.definition, [`super().__init__(**${kwargs})`], text);
    if (!call) return undefined;
    edits.push(call);
  }
  const keys = baseConfigKeysOf(configFamily(facts, cls));
  const builtInBase = configuredBase(cls) !== undefined;
  for (const call of unforwarded) {
    const args = call.childForFieldName('arguments');
    if (!args || args.type !== 'argument_list') return undefined;
    const clashes = args.namedChildren.filter((a) => {
      const key = a.type === 'keyword_argument' ? a.childForFieldName('name')?.text : undefined;
      return key !== undefined && !named.has(key) && (builtInBase || keys.includes(key));
    });
    if (clashes.length === 0) {
      const appended = appendArgument(call, `**${kwargs}`);
      if (!appended) return undefined;
      edits.push(appended);
      continue;
    }
    const before = insertBefore(statementOf(call), clashes.map((k) => setdefaultLine(k, kwargs)), text);
    if (!before) return undefined;
    const kept = args.namedChildren.filter((a) => a.type !== 'comment' && !clashes.some((c) => c.id === a.id)).map((a) => a.text);
    edits.push(before, replaceNode(args, `(${[...kept, `**${kwargs}`].join(', ')})`));
  }
  const usedElsewhere = signature.varKwargs !== undefined && ownNodes(signature.definition, splatTypes).some((node) =>
    mentionsName(node, kwargs) &&
    !unforwarded.some((call) => call.startIndex <= node.startIndex && node.endIndex <= call.endIndex));
  return { edits, kwargs, addsBaseCall, usedElsewhere };
}

/**
 * True when reloading would hand `__init__` base keys it cannot take: it accepts no `**kwargs`
 * and lacks one of `keys` as a parameter, or never passes its `**kwargs` to the base `__init__`.
 */
export function dropsBaseKeys(forwarding: InitForwarding, keys: Iterable<string>): boolean {
  const { signature, baseCalls, unforwarded } = forwarding;
  if (signature.varKwargs === undefined) {
    const named = new Set(signature.params.map((p) => p.name));
    return [...keys].some((k) => !named.has(k));
  }
  return baseCalls.length === 0 || unforwarded.length > 0;
}

/**
 * The one local name that a `get_config` body binds, in a statement of its own, to a dict: the
 * base config (`config = super().get_config()`, `.copy()` of it), a dict literal or `dict(…)`.
 * Undefined when it binds none or several, so which one is the config cannot be told.
 */
export function configVariable(method: GetConfigMethod): string | undefined {
  const baseCalls = baseConfigCalls(method.definition);
  const names = new Set<string>();
  for (const statement of method.definition.childForFieldName('body')?.namedChildren ?? []) {
    const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : undefined;
    if (assignment?.type !== 'assignment') continue;
    const target = assignment.childForFieldName('left');
    const value = assignment.childForFieldName('right');
    if (target?.type !== 'identifier' || !value) continue;
    if (isDictValue(unparen(value), baseCalls)) names.add(target.text);
  }
  return names.size === 1 ? [...names][0] : undefined;
}

function isDictValue(value: SyntaxNode, baseCalls: SyntaxNode[]): boolean {
  if (value.type === 'dictionary' || value.type === 'dictionary_comprehension') return true;
  if (value.type !== 'call') return false;
  if (baseCalls.some((c) => c.id === value.id)) return true;
  const fn = value.childForFieldName('function');
  if (fn?.type === 'identifier') return fn.text === 'dict';
  // `super().get_config().copy()`
  const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
  return fn?.childForFieldName('attribute')?.text === 'copy' && object !== undefined && object !== null &&
    baseCalls.some((c) => c.id === object.id);
}
