import type { SyntaxNode } from './syntax';
import { insertBefore, statementOf } from './edits';
import { kerasBaseOf } from './checkpoints';
import { importBesideKerasBase } from './custom-classes';
import { allEvents, callArguments, isKerasLayerClass, ownNodes, type FileFacts, type ModelFact } from './facts';
import { methodOf, unparen, type ClassInfo, type FunctionInfo } from './semantic';
import { kerasSymbolOf } from './keras-names';
import { layerCalls } from './save-calls';
import type { KerasVersionInfo, Registration } from './types';
import { versionIn, type KerasVersions } from './version';

/**
 * Facts about the file's custom objects as a saved model meets them: which classes a saved
 * model stores by class name, which are registered, and which names the file hands to Keras
 * as custom objects when it loads.
 */

/** Keras bases, besides layers and models, whose subclasses a saved model stores by class name. */
const serializableBases = new Set([
  'Loss', 'Metric', 'MeanMetricWrapper', 'Regularizer', 'Constraint', 'Initializer', 'LearningRateSchedule', 'Optimizer',
]);

export function isSerializable(cls: ClassInfo): boolean {
  return isKerasLayerClass(cls) || [...cls.kerasBases].some((b) => serializableBases.has(b));
}

export const registerName = 'register_keras_serializable';

/** `keras.saving.register_keras_serializable` exists from 2.12 on; `keras.utils.` in every version. */
export function registerModule(version: KerasVersionInfo): 'keras.saving' | 'keras.utils' {
  return version.major === 3 || versionIn(version, [2, 12]) === true ? 'keras.saving' : 'keras.utils';
}

/**
 * The decorator that registers the class, above it and any decorators it already has (so that
 * it registers what they produce), in the file's spelling for the Keras of the class's base; the
 * import it needs when no import reaches it. KSM203's fix, in this file or from another module's
 * summary. Undefined when the class does not parse or no spelling can be written.
 */
export function classRegistration(facts: FileFacts, versions: KerasVersions, cls: ClassInfo): Registration | undefined {
  if (cls.node.hasError) return undefined;
  const module = registerModule(versions.at(kerasBaseOf(facts, cls)));
  const imported = () => {
    const edit = importBesideKerasBase(facts, cls, module, [registerName]);
    return edit && { text: registerName, edits: [edit] };
  };
  const spelled = facts.imports.spell(`${module}.${registerName}`) ?? imported();
  const decorator = spelled && insertBefore(statementOf(cls.node), `@${spelled.text}()`, facts.text);
  return spelled && decorator ? { decorator: spelled.text, edits: [...spelled.edits, decorator] } : undefined;
}

/** True when a reference is `register_keras_serializable` however it is imported (or spelled without import). */
function isRegister(facts: FileFacts, node: SyntaxNode | null | undefined): boolean {
  if (!node) return false;
  const keras = facts.imports.keras(node);
  if (keras) return kerasSymbolOf(keras) === registerName;
  return node.text === registerName || node.text.endsWith(`.${registerName}`);
}

/** Decorated with `register_keras_serializable(...)`. */
export function isRegistered(facts: FileFacts, cls: ClassInfo): boolean {
  return isDecoratedWithRegister(facts, cls.node);
}

/** A `class` or `def` decorated with `register_keras_serializable(...)`, in any spelling. */
export function isDecoratedWithRegister(facts: FileFacts, definition: SyntaxNode): boolean {
  const decorated = definition.parent?.type === 'decorated_definition' ? definition.parent : undefined;
  for (const decorator of decorated?.namedChildren.filter((c) => c.type === 'decorator') ?? []) {
    const expression = decorator.firstNamedChild;
    const reference = expression?.type === 'call' ? expression.childForFieldName('function') : expression;
    if (isRegister(facts, reference)) return true;
  }
  return false;
}

/** Keras functions whose second positional argument is `custom_objects`. */
const customObjectsSecond = new Set(['load_model', 'model_from_json', 'model_from_config', 'deserialize_keras_object', 'deserialize']);
const scopeFunctions = new Set(['custom_object_scope', 'CustomObjectScope']);

/**
 * Every name the file hands to Keras as a custom object: in `custom_objects=` arguments,
 * `custom_object_scope(...)`, statements that use `get_custom_objects()`, and calls of
 * `register_keras_serializable(...)(Cls)`. A name passed there is followed to what is put into
 * it anywhere in the file (`objects = {...}`, `objects["X"] = X`, `objects.update(...)`).
 */
export function namesPassedAsCustomObjects(facts: FileFacts): Set<string> {
  return namesHandedToKeras(facts, false);
}

/**
 * The names the file puts into Keras's global registry at run time: in statements that use
 * `get_custom_objects()` and calls of `register_keras_serializable(...)(obj)`. Every load of the
 * same process finds them, whatever it passes.
 */
export function namesRegisteredAtRunTime(facts: FileFacts): Set<string> {
  return namesHandedToKeras(facts, true);
}

function namesHandedToKeras(facts: FileFacts, registryOnly: boolean): Set<string> {
  // Every way of passing a custom object names one of these; most files name none, and the scan
  // below visits every identifier of the file.
  if (!/custom_object|CustomObjectScope|load_model|model_from_|deserialize|register_keras_serializable/.test(facts.text)) {
    return new Set();
  }
  const pending: SyntaxNode[] = [];
  for (const call of facts.tree.ofType('call')) {
    const fn = call.childForFieldName('function');
    const { positional, keywords } = callArguments(call);
    const keras = facts.imports.keras(fn);
    const symbol = keras === undefined ? undefined : kerasSymbolOf(keras);
    if (!registryOnly) {
      const custom = keywords.get('custom_objects');
      if (custom) pending.push(custom);
      if (symbol && customObjectsSecond.has(symbol) && positional[1]) pending.push(positional[1]);
      if (symbol && scopeFunctions.has(symbol)) pending.push(...positional);
    }
    if (symbol === 'get_custom_objects') pending.push(statementOf(call));
    if (fn?.type === 'call' && isRegister(facts, fn.childForFieldName('function'))) pending.push(...positional);
  }
  const names = new Set<string>();
  if (pending.length === 0) return names;
  const identifiers = new Map<string, SyntaxNode[]>();
  for (const id of facts.tree.ofType('identifier')) {
    const list = identifiers.get(id.text) ?? [];
    list.push(id);
    identifiers.set(id.text, list);
  }
  while (pending.length > 0) {
    const node = pending.pop()!;
    for (const id of node.type === 'identifier' ? [node] : node.descendantsOfType('identifier')) {
      if (names.has(id.text)) continue;
      names.add(id.text);
      for (const use of identifiers.get(id.text) ?? []) {
        const added = valuePutInto(use);
        if (added) pending.push(added);
      }
    }
  }
  return names;
}

/** What a statement puts into the name `use`: `use = v`, `use[k] = v`, `use.update(...)`, `use.setdefault(...)`. */
function valuePutInto(use: SyntaxNode): SyntaxNode | undefined {
  const parent = use.parent;
  if (!parent) return undefined;
  const assigned = (target: SyntaxNode): SyntaxNode | undefined => {
    const assignment = target.parent;
    return assignment?.type === 'assignment' && assignment.childForFieldName('left')?.id === target.id
      ? assignment.childForFieldName('right') ?? undefined
      : undefined;
  };
  if (parent.type === 'assignment') return assigned(use);
  if (parent.type === 'subscript' && parent.childForFieldName('value')?.id === use.id) return assigned(parent);
  if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === use.id) {
    const method = parent.childForFieldName('attribute')?.text;
    const call = parent.parent;
    if ((method === 'update' || method === 'setdefault') && call?.type === 'call') return call.childForFieldName('arguments') ?? undefined;
  }
  return undefined;
}

/**
 * The calls that make what a saved model stores by class name: the model's own definitions
 * (through the helpers that returned it), its layer calls, and the calls in its `compile` calls.
 */
export function storingCalls(facts: FileFacts, model: ModelFact): SyntaxNode[] {
  const definitions: SyntaxNode[] = [];
  const seen = new Set<ModelFact>();
  for (let m: ModelFact | undefined = model; m && !seen.has(m); m = m.origin) {
    seen.add(m);
    definitions.push(m.definition);
  }
  const compileCalls = allEvents(model).filter((e) => e.kind === 'compile').flatMap((e) => e.call.descendantsOfType('call'));
  return [...definitions, ...layerCalls(facts, model), ...compileCalls];
}

/** The names called in a model's `compile` calls (`loss=FocalLoss()`): the classes it creates there. */
export function namesCalledAtCompile(model: ModelFact): ReadonlySet<string> {
  let names = compileNamesByModel.get(model);
  if (!names) {
    names = new Set();
    for (const event of allEvents(model)) {
      if (event.kind !== 'compile') continue;
      for (const call of event.call.descendantsOfType('call')) {
        const fn = call.childForFieldName('function');
        if (fn?.type === 'identifier') names.add(fn.text);
      }
    }
    compileNamesByModel.set(model, names);
  }
  return names;
}

const compileNamesByModel = new WeakMap<ModelFact, Set<string>>();

/** The abstract Keras bases of custom object classes, whose own `get_config` records nothing of a subclass. */
export type CustomObjectBase = 'Loss' | 'Metric' | 'LearningRateSchedule' | 'Regularizer' | 'Constraint' | 'Initializer';
const customObjectBases: ReadonlySet<string> = new Set<CustomObjectBase>([
  'Loss', 'Metric', 'LearningRateSchedule', 'Regularizer', 'Constraint', 'Initializer',
]);

/**
 * The abstract Keras base of a custom object class (directly or through in-file classes).
 * Undefined for other classes, and for a subclass of a concrete built-in (`Huber`, `Mean`,
 * `ExponentialDecay`, `L2`), which inherits a real `get_config`.
 */
export function customObjectBase(cls: ClassInfo): CustomObjectBase | undefined {
  const [base, ...others] = [...cls.kerasBases];
  return base !== undefined && others.length === 0 && customObjectBases.has(base) ? base as CustomObjectBase : undefined;
}

/** Where a model meets a custom object or function. */
export type UseSite =
  | 'loss' // compile(loss=…)
  | 'metric' // compile(metrics=…, weighted_metrics=…)
  | 'learning-rate' // the learning_rate of the optimizer passed to compile
  | 'activation' // activation=…, Activation(fn)
  | 'layer-argument' // *_regularizer, *_initializer, *_constraint
  | 'lambda' // Lambda(fn), Lambda(…, output_shape=fn)
  | 'text-vectorization'; // TextVectorization(standardize=fn, split=fn)

/** What a use site holds: an instance of a file class, a function of the file, or a closure a file function returns. */
export type UsedValue =
  | { kind: 'instance'; cls: ClassInfo; creation: SyntaxNode }
  | { kind: 'function'; fn: FunctionInfo }
  | { kind: 'closure'; factory: FunctionInfo; inner: FunctionInfo; creation: SyntaxNode };

export interface CustomObjectUse {
  model: ModelFact;
  /** The value as written at the use site: the argument, or the element of a list or dict in it. */
  node: SyntaxNode;
  site: UseSite;
  /** The `compile` or layer call that holds it. */
  call: SyntaxNode;
  value: UsedValue;
}

const usesByModel = new WeakMap<ModelFact, readonly CustomObjectUse[]>();

/**
 * The file's custom objects and functions that a model stores in its config: in its `compile`
 * calls (loss, metrics, the optimizer's learning rate) and in the arguments of the Keras layers
 * it is made of (`layerCalls`). Once per model.
 */
export function customObjectUses(facts: FileFacts, model: ModelFact): readonly CustomObjectUse[] {
  let uses = usesByModel.get(model);
  if (!uses) usesByModel.set(model, (uses = findUses(facts, model)));
  return uses;
}

/** Keyword arguments of any Keras layer that hold a serialized object or function. */
const layerArgument = /_(regularizer|initializer|constraint)$/;

function findUses(facts: FileFacts, model: ModelFact): CustomObjectUse[] {
  const found = new Map<number, CustomObjectUse>();
  const add = (call: SyntaxNode, site: UseSite, argument: SyntaxNode | undefined): void => {
    if (!argument) return;
    for (const { node, value } of usedValues(facts, argument, 0)) {
      if (!found.has(node.id)) found.set(node.id, { model, node, site, call, value });
    }
  };
  for (const event of allEvents(model)) {
    if (event.kind !== 'compile' || event.call.childForFieldName('function')?.childForFieldName('attribute')?.text !== 'compile') continue;
    const { positional, keywords } = callArguments(event.call);
    add(event.call, 'loss', keywords.get('loss') ?? positional[1]);
    add(event.call, 'metric', keywords.get('metrics'));
    add(event.call, 'metric', keywords.get('weighted_metrics'));
    const optimizer = kerasCallOf(facts, keywords.get('optimizer') ?? positional[0], 'keras.optimizers.');
    if (optimizer) {
      const lr = callArguments(optimizer);
      add(optimizer, 'learning-rate', lr.keywords.get('learning_rate') ?? lr.keywords.get('lr') ?? lr.positional[0]);
    }
  }
  for (const call of layerCalls(facts, model)) {
    const keras = facts.imports.keras(call.childForFieldName('function'));
    if (!keras) continue;
    const { positional, keywords } = callArguments(call);
    for (const [name, value] of keywords) {
      if (name === 'activation') add(call, 'activation', value);
      else if (layerArgument.test(name)) add(call, 'layer-argument', value);
    }
    const symbol = kerasSymbolOf(keras);
    if (symbol === 'Activation') add(call, 'activation', positional[0]);
    if (symbol === 'Lambda') {
      add(call, 'lambda', keywords.get('function') ?? positional[0]);
      add(call, 'lambda', keywords.get('output_shape') ?? positional[1]);
    }
    if (symbol === 'TextVectorization') {
      add(call, 'text-vectorization', keywords.get('standardize'));
      add(call, 'text-vectorization', keywords.get('split'));
    }
  }
  return [...found.values()];
}

/** A Keras call under `prefix` (`keras.optimizers.Adam(...)`), written in place or bound to the name given. */
function kerasCallOf(facts: FileFacts, node: SyntaxNode | undefined, prefix: string): SyntaxNode | undefined {
  let n = node && unparen(node);
  if (n?.type === 'identifier') n = boundValue(facts, n)?.value;
  if (n?.type !== 'call') return undefined;
  return facts.imports.keras(n.childForFieldName('function'))?.startsWith(prefix) ? n : undefined;
}

/** The one value a name holds where it is read: its reaching binding in its scope, or the module's only one. */
function boundValue(facts: FileFacts, name: SyntaxNode): { value: SyntaxNode } | undefined {
  const found = facts.semantic.lookup(facts.semantic.scopeAt(name), name.text, name.startIndex);
  if (found.kind === 'local') return found.binding;
  return found.kind === 'module' && found.bindings.length === 1 ? found.bindings[0] : undefined;
}

/**
 * The custom objects and functions a value holds: itself, the elements of a list, tuple or dict
 * (its values), and what a name is bound to. A name bound to one object keeps the name as the
 * use site; a name bound to a list gives the list's elements.
 */
function usedValues(facts: FileFacts, node: SyntaxNode, depth: number): Array<{ node: SyntaxNode; value: UsedValue }> {
  const n = unparen(node);
  if (depth > 6) return [];
  if (n.type === 'list' || n.type === 'tuple') return n.namedChildren.flatMap((c) => usedValues(facts, c, depth + 1));
  if (n.type === 'dictionary') {
    return n.namedChildren.flatMap((pair) => {
      const value = pair.type === 'pair' ? pair.childForFieldName('value') : null;
      return value ? usedValues(facts, value, depth + 1) : [];
    });
  }
  if (n.type === 'call') {
    const value = createdValue(facts, n);
    return value ? [{ node: n, value }] : [];
  }
  if (n.type !== 'identifier') return [];
  const bound = boundValue(facts, n);
  if (bound) {
    const value = unparen(bound.value);
    const found = usedValues(facts, value, depth + 1);
    // A name bound to one object or function is its use site; one bound to a list gives the list's elements.
    return value.type === 'call' || value.type === 'identifier' ? found.map((f) => ({ node: n, value: f.value })) : found;
  }
  const scope = facts.semantic.scopeAt(n);
  if (scope.function?.params.includes(n.text) || facts.imports.qualify(n) !== undefined) return [];
  const fn = facts.semantic.localFunction(n.text, scope);
  return fn && !fn.owner ? [{ node: n, value: { kind: 'function', fn } }] : [];
}

/** What a call creates: an instance of a file class, or the closure a file function returns. */
function createdValue(facts: FileFacts, call: SyntaxNode): UsedValue | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'identifier') return undefined;
  const cls = facts.classes.get(fn.text);
  if (cls) return { kind: 'instance', cls, creation: call };
  const factory = facts.semantic.localFunction(fn.text, facts.semantic.scopeAt(call));
  const inner = factory && returnedClosure(facts, factory);
  return factory && inner ? { kind: 'closure', factory, inner, creation: call } : undefined;
}

const returnTypes: ReadonlySet<string> = new Set(['return_statement']);

/** The nested `def` a function returns by name (`return huber_fn`), if it returns one. */
export function returnedClosure(facts: FileFacts, fn: FunctionInfo): FunctionInfo | undefined {
  for (const ret of ownNodes(fn.node, returnTypes)) {
    const value = ret.firstNamedChild && unparen(ret.firstNamedChild);
    if (value?.type !== 'identifier') continue;
    const inner = facts.semantic.localFunction(value.text, fn.scope);
    if (inner && inner !== fn && facts.semantic.scopeAt(inner.node) === fn.scope) return inner;
  }
  return undefined;
}

/**
 * The file's classes that a saved model stores by class name (KSM203's classes): the model's own
 * class and the serializable classes created by the calls that make it (`storingCalls`).
 */
export function classesStoredBy(facts: FileFacts, model: ModelFact): ClassInfo[] {
  const found = new Set<ClassInfo>();
  const seen = new Set<ModelFact>();
  for (let m: ModelFact | undefined = model; m && !seen.has(m); m = m.origin) {
    seen.add(m);
    if (m.subclass) found.add(m.subclass);
  }
  for (const call of storingCalls(facts, model)) {
    const fn = call.childForFieldName('function');
    const cls = fn?.type === 'identifier' ? facts.classes.get(fn.text) : undefined;
    if (cls && isSerializable(cls)) found.add(cls);
  }
  return [...found];
}

/** One entry of a generated config: its key, the attribute of `self` that holds it, and how it is serialized. */
export interface ConfigEntry {
  key: string;
  attribute: string;
  /** The function that serializes a Keras object (`keras.saving.serialize_keras_object`), if it holds one. */
  serialize?: string;
}

/**
 * The `from_config` classmethod that rebuilds the Keras objects a generated `get_config`
 * serialized (`keys`), with `deserialize` spelled as the file imports it; nothing when there are
 * none or the class (or an in-file base) already defines one. Starts with a blank line.
 */
export function fromConfigLines(cls: ClassInfo, keys: readonly string[], deserialize: string, unit: string): string[] {
  if (keys.length === 0 || methodOf(cls, 'from_config')) return [];
  return [
    '',
    '@classmethod',
    'def from_config(cls, config):',
    ...keys.map((key) => `${unit}config["${key}"] = ${deserialize}(config["${key}"])`),
    `${unit}return cls(**config)`,
  ];
}

/**
 * A generated `get_config`, from column 0 with `unit` as one level of indentation: from
 * `super().get_config()` updated with the entries when `mergesBase`, else a plain dict (the base
 * of a schedule or regularizer raises, and that of a constraint or initializer is empty).
 */
export function configMethodLines(entries: readonly ConfigEntry[], mergesBase: boolean, unit: string): string[] {
  const values = entries.map((e) => `"${e.key}": ${e.serialize ? `${e.serialize}(self.${e.attribute})` : `self.${e.attribute}`},`);
  if (mergesBase) {
    if (values.length === 0) return ['def get_config(self):', `${unit}return super().get_config()`];
    return [
      'def get_config(self):',
      `${unit}config = super().get_config()`,
      `${unit}config.update({`,
      ...values.map((v) => `${unit}${unit}${v}`),
      `${unit}})`,
      `${unit}return config`,
    ];
  }
  if (values.length === 0) return ['def get_config(self):', `${unit}return {}`];
  return ['def get_config(self):', `${unit}return {`, ...values.map((v) => `${unit}${unit}${v}`), `${unit}}`];
}
