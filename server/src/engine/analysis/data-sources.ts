import type { SyntaxNode } from './syntax';
import { callArguments, type FileFacts, type ModelFact } from './facts';
import type { ImportTable } from './imports';
import { lastBinding, methodOf, unparen, type ClassInfo, type FunctionInfo, type Scope } from './semantic';
import { stringValue } from './text';

/**
 * Where a value comes from, read from the source without running it: what a name is bound to
 * (in its scope, or at module level), which function or class of the file an expression refers
 * to, and the dtype of arrays built by NumPy/TensorFlow constructors. Array shapes are read by
 * `dataShape` in shapes.ts; `dataDtype` here follows the same expressions.
 */

/** A node together with the scope its names are resolved in. */
export interface ScopedNode {
  node: SyntaxNode;
  scope: Scope;
}

/**
 * The value a name holds just before `before` in `scope`: its last binding there; or, inside a
 * function where the name is neither bound nor a parameter, the value of a module-level name
 * that is bound exactly once (a global read at call time, which one binding makes unambiguous).
 */
export function bindingOf(facts: FileFacts, scope: Scope, name: string, before: number): ScopedNode | undefined {
  const found = facts.semantic.lookup(scope, name, before);
  if (found.kind === 'local') return { node: found.binding.value, scope };
  return found.kind === 'module' && found.bindings.length === 1 ? { node: found.bindings[0]!.value, scope: found.scope } : undefined;
}

/** What an expression stands for: names followed through their bindings, parentheses removed. */
export function resolveValue(facts: FileFacts, scope: Scope, node: SyntaxNode): ScopedNode {
  let current: ScopedNode = { node: unparen(node), scope };
  // Each step moves to an earlier binding, so this ends; the bound guards against broken trees.
  for (let step = 0; step < 32 && current.node.type === 'identifier'; step++) {
    const bound = bindingOf(facts, current.scope, current.node.text, current.node.startIndex);
    if (!bound) break;
    current = { node: unparen(bound.node), scope: bound.scope };
  }
  return current;
}

/**
 * The model a value refers to: the model of the file whose definition its names lead to. This
 * also finds a module-level model bound once when it is used inside a function, where the
 * per-scope model facts do not follow it.
 */
export function modelReferenced(facts: FileFacts, scope: Scope, node: SyntaxNode): ModelFact | undefined {
  const value = resolveValue(facts, scope, node);
  return facts.models.find((m) => m.definition.id === value.node.id);
}

/**
 * The class of the file whose instance a value is: a call of the class (directly or through
 * names), or `self` inside one of its methods.
 */
export function instanceClass(facts: FileFacts, scope: Scope, node: SyntaxNode): ClassInfo | undefined {
  const value = resolveValue(facts, scope, node);
  if (value.node.type === 'identifier' && value.node.text === 'self') return value.scope.function?.owner;
  if (value.node.type !== 'call') return undefined;
  const fn = value.node.childForFieldName('function');
  if (fn?.type !== 'identifier' || bindingOf(facts, value.scope, fn.text, fn.startIndex)) return undefined;
  return facts.classes.get(fn.text);
}

/**
 * The function of the file that an expression refers to: `gen` (a function nested in the
 * scope or defined at module level, also through names bound to it), `self.batches` inside a
 * method, or `loader.batches` where `loader` is an instance of a class of the file.
 */
export function functionReferenced(facts: FileFacts, scope: Scope, node: SyntaxNode): FunctionInfo | undefined {
  const value = resolveValue(facts, scope, node);
  // resolveValue stops at a name that is not bound: it can only name a function.
  if (value.node.type === 'identifier') return facts.semantic.localFunction(value.node.text, value.scope);
  if (value.node.type === 'attribute') {
    const object = value.node.childForFieldName('object');
    const name = value.node.childForFieldName('attribute')?.text;
    const cls = object && instanceClass(facts, value.scope, object);
    const method = cls && name ? methodOf(cls, name) : undefined;
    return method && facts.semantic.functionOf(method);
  }
  return undefined;
}

/** NumPy dtype names that TensorFlow spells the same way (`tf.float32`). */
const dtypeNames = new Set([
  'float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool',
]);
const builtinDtypes: Record<string, string> = { float: 'float64', int: 'int64', bool: 'bool' };

/** The dtype a `dtype=` value names: `"float32"`, `np.float32`, `tf.float32`, `float`. */
export function dtypeName(node: SyntaxNode | undefined, imports: ImportTable): string | undefined {
  if (!node) return undefined;
  const text = stringValue(node);
  if (text !== undefined) return dtypeNames.has(text) ? text : builtinDtypes[text];
  const qualified = imports.qualify(node);
  if (qualified) {
    const match = /^(?:numpy|tensorflow|tensorflow\.dtypes)\.(\w+)$/.exec(qualified);
    const name = match?.[1] === 'bool_' ? 'bool' : match?.[1];
    return name && dtypeNames.has(name) ? name : undefined;
  }
  return node.type === 'identifier' ? builtinDtypes[node.text] : undefined;
}

/** Constructors and their dtype when none is given, and where a `dtype` can be passed positionally. */
const constructorDtypes: Record<string, { dtype: string | undefined; position: number | undefined }> = {
  'numpy.zeros': { dtype: 'float64', position: 1 },
  'numpy.ones': { dtype: 'float64', position: 1 },
  'numpy.empty': { dtype: 'float64', position: 1 },
  'numpy.full': { dtype: undefined, position: 2 },
  'numpy.random.rand': { dtype: 'float64', position: undefined },
  'numpy.random.randn': { dtype: 'float64', position: undefined },
  'numpy.random.random': { dtype: 'float64', position: undefined },
  'numpy.random.random_sample': { dtype: 'float64', position: undefined },
  'numpy.random.sample': { dtype: 'float64', position: undefined },
  'numpy.random.uniform': { dtype: 'float64', position: undefined },
  'numpy.random.normal': { dtype: 'float64', position: undefined },
  // NumPy's default integer: int64, except on Windows before NumPy 2.
  'numpy.random.randint': { dtype: 'int64', position: 3 },
  'tensorflow.zeros': { dtype: 'float32', position: 1 },
  'tensorflow.ones': { dtype: 'float32', position: 1 },
  'tensorflow.random.normal': { dtype: 'float32', position: 3 },
  'tensorflow.random.uniform': { dtype: 'float32', position: 3 },
};
const dtypeKeepingFunctions = new Set(['numpy.reshape', 'tensorflow.reshape', 'numpy.copy', 'numpy.expand_dims']);
const dtypeKeepingMethods = new Set(['reshape', 'copy']);
const arithmetic = new Set(['+', '-', '*', '/', '//', '%', '**']);

function isFloatDtype(dtype: string): boolean {
  return dtype.startsWith('float');
}

/**
 * The dtype of the array an expression produces, following names bound in the same scope, as
 * `dataShape` does for the shape: constructors (with their default dtype), `.astype(...)`,
 * `tf.cast(...)`, reshapes, and arithmetic with a number literal. Undefined when not visible.
 */
export function dataDtype(expr: SyntaxNode | undefined, scope: Scope, imports: ImportTable, before: number, depth = 0): string | undefined {
  if (!expr || depth > 8) return undefined;
  const node = unparen(expr);
  if (node.type === 'identifier') {
    const bound = lastBinding(scope, node.text, before);
    return bound ? dataDtype(bound.value, scope, imports, bound.offset, depth + 1) : undefined;
  }
  if (node.type === 'binary_operator') return arithmeticDtype(node, scope, imports, before, depth);
  if (node.type !== 'call') return undefined;
  const fn = node.childForFieldName('function');
  if (!fn) return undefined;
  const { positional, keywords } = callArguments(node);
  const qualified = imports.qualify(fn);
  if (fn.type === 'attribute' && !qualified) {
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (method === 'astype') return dtypeName(keywords.get('dtype') ?? positional[0], imports);
    if (dtypeKeepingMethods.has(method)) return dataDtype(fn.childForFieldName('object') ?? undefined, scope, imports, before, depth + 1);
    return undefined;
  }
  if (!qualified) return undefined;
  if (qualified === 'tensorflow.cast') return dtypeName(keywords.get('dtype') ?? positional[1], imports);
  if (dtypeKeepingFunctions.has(qualified)) return dataDtype(positional[0] ?? keywords.get('a'), scope, imports, before, depth + 1);
  const constructor = constructorDtypes[qualified];
  if (!constructor) return undefined;
  const given = keywords.get('dtype') ?? (constructor.position === undefined ? undefined : positional[constructor.position]);
  if (given) return dtypeName(given, imports);
  if (qualified === 'numpy.full') {
    const fill = keywords.get('fill_value') ?? positional[1];
    return fill?.type === 'float' ? 'float64' : fill?.type === 'integer' ? 'int64' : undefined;
  }
  return constructor.dtype;
}

/** For arithmetic with a number literal on one side (`x / 255.0`, `2 * x`), the other side. */
export function arrayOperand(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type !== 'binary_operator' || !arithmetic.has(node.childForFieldName('operator')?.text ?? '')) return undefined;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right) return undefined;
  if (isNumberLiteral(right)) return isNumberLiteral(left) ? undefined : left;
  return isNumberLiteral(left) ? right : undefined;
}

function isNumberLiteral(node: SyntaxNode): boolean {
  return node.type === 'integer' || node.type === 'float';
}

/** NumPy's promotion for arithmetic with a Python number: an integer array becomes float64 by `/` or a float. */
function arithmeticDtype(node: SyntaxNode, scope: Scope, imports: ImportTable, before: number, depth: number): string | undefined {
  const array = arrayOperand(node);
  const number = array && (node.childForFieldName('left')?.id === array.id ? node.childForFieldName('right') : node.childForFieldName('left'));
  if (!array || !number) return undefined;
  const dtype = dataDtype(array, scope, imports, before, depth + 1);
  if (!dtype || isFloatDtype(dtype)) return dtype;
  return node.childForFieldName('operator')?.text === '/' || number.type === 'float' ? 'float64' : dtype;
}
