import type { SyntaxNode } from './syntax';
import { statementOf } from './edits';
import { allEvents, callArguments, isKerasLayerClass, type FileFacts, type ModelFact } from './facts';
import { type ClassInfo } from './semantic';
import { kerasSymbolOf } from './keras-names';
import { layerCalls } from './save-calls';

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

/** True when a reference is `register_keras_serializable` however it is imported (or spelled without import). */
function isRegister(facts: FileFacts, node: SyntaxNode | null | undefined): boolean {
  if (!node) return false;
  const keras = facts.imports.keras(node);
  if (keras) return kerasSymbolOf(keras) === registerName;
  return node.text === registerName || node.text.endsWith(`.${registerName}`);
}

/** Decorated with `register_keras_serializable(...)`. */
export function isRegistered(facts: FileFacts, cls: ClassInfo): boolean {
  const decorated = cls.node.parent?.type === 'decorated_definition' ? cls.node.parent : undefined;
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
  // Every way of passing a custom object names one of these; most files name none, and the scan
  // below visits every identifier of the file.
  if (!/custom_object|CustomObjectScope|load_model|model_from_|deserialize|register_keras_serializable/.test(facts.text)) {
    return new Set();
  }
  const pending: SyntaxNode[] = [];
  for (const call of facts.tree.ofType('call')) {
    const fn = call.childForFieldName('function');
    const { positional, keywords } = callArguments(call);
    const custom = keywords.get('custom_objects');
    if (custom) pending.push(custom);
    const keras = facts.imports.keras(fn);
    const symbol = keras === undefined ? undefined : kerasSymbolOf(keras);
    if (symbol && customObjectsSecond.has(symbol) && positional[1]) pending.push(positional[1]);
    if (symbol && scopeFunctions.has(symbol)) pending.push(...positional);
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
