import type { SyntaxNode } from './syntax';
import { callArguments } from './facts';
import { lastBinding, type Scope } from './semantic';
import type { ImportTable } from './imports';

/**
 * Shapes of training data that can be read from the source without running it: arrays made by
 * NumPy/TensorFlow constructors with literal shapes, and `.reshape(...)` results.
 * A dimension is a number, or null when it is not visible (a name bound to something else, -1).
 */
export type Shape = Array<number | null>;

/** Constructors whose first argument is the shape, as a tuple/list. */
const shapeTupleFirst = new Set([
  'numpy.zeros', 'numpy.ones', 'numpy.empty', 'numpy.full', 'numpy.random.random', 'numpy.random.random_sample',
  'numpy.random.sample', 'numpy.random.rand', 'numpy.random.randn', 'tensorflow.zeros', 'tensorflow.ones',
  'tensorflow.random.normal', 'tensorflow.random.uniform', 'tensorflow.fill',
]);
/** Constructors that take the dimensions as separate arguments. */
const shapeSpread = new Set(['numpy.random.rand', 'numpy.random.randn']);
/** Constructors with the shape in a `size=` (or third positional) argument. */
const shapeInSize = new Set([
  'numpy.random.uniform', 'numpy.random.normal', 'numpy.random.randint', 'numpy.random.binomial', 'numpy.random.poisson',
]);
const reshapeFunctions = new Set(['numpy.reshape', 'tensorflow.reshape']);
/** Calls that keep the shape of their receiver: `x.astype("float32")`. */
const shapeKeepingMethods = new Set(['astype', 'copy']);

/** An integer literal, or a name bound to one earlier in the scope. */
export function intValue(node: SyntaxNode | undefined, scope: Scope, before: number): number | null {
  if (!node) return null;
  if (node.type === 'integer' && /^\d+$/.test(node.text)) return Number(node.text);
  if (node.type === 'identifier') {
    const bound = lastBinding(scope, node.text, before);
    if (bound && bound.value.type === 'integer') return intValue(bound.value, scope, bound.offset);
  }
  return null;
}

function tupleDims(node: SyntaxNode | undefined, scope: Scope, before: number): Shape | undefined {
  if (!node) return undefined;
  if (node.type === 'tuple' || node.type === 'list') {
    return node.namedChildren.filter((c) => c.type !== 'comment').map((c) => intValue(c, scope, before));
  }
  if (node.type === 'parenthesized_expression' && node.firstNamedChild) return [intValue(node.firstNamedChild, scope, before)];
  const single = intValue(node, scope, before);
  return single === null ? undefined : [single];
}

/**
 * The shape of the array an expression produces (batch dimension included), following names
 * bound in the same scope; undefined when it cannot be seen.
 */
export function dataShape(expr: SyntaxNode | undefined, scope: Scope, imports: ImportTable, before: number, depth = 0): Shape | undefined {
  if (!expr || depth > 8) return undefined;
  if (expr.type === 'identifier') {
    const bound = lastBinding(scope, expr.text, before);
    return bound ? dataShape(bound.value, scope, imports, bound.offset, depth + 1) : undefined;
  }
  if (expr.type !== 'call') return undefined;
  const fn = expr.childForFieldName('function');
  if (!fn) return undefined;
  const { positional, keywords } = callArguments(expr);
  if (fn.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text;
    const receiver = fn.childForFieldName('object') ?? undefined;
    const qualified = imports.qualify(fn);
    if (method === 'reshape' && !qualified) {
      // x.reshape(N, T, F) or x.reshape((N, T, F))
      if (positional.length === 1) return tupleDims(positional[0], scope, before);
      return positional.map((p) => intValue(p, scope, before));
    }
    if (method && shapeKeepingMethods.has(method) && !qualified) return dataShape(receiver, scope, imports, before, depth + 1);
  }
  const qualified = imports.qualify(fn);
  if (!qualified) return undefined;
  if (reshapeFunctions.has(qualified)) return tupleDims(positional[1] ?? keywords.get('shape') ?? keywords.get('newshape'), scope, before);
  if (shapeSpread.has(qualified) && positional.length !== 1) return positional.map((p) => intValue(p, scope, before));
  if (shapeTupleFirst.has(qualified)) return tupleDims(keywords.get('shape') ?? keywords.get('dims') ?? positional[0], scope, before);
  if (shapeInSize.has(qualified)) return tupleDims(keywords.get('size') ?? positional[2], scope, before);
  return undefined;
}

/** Python source for a shape tuple: `(10, 3)`, `(4,)`, `(None, 3)`. */
export function shapeText(dims: Shape): string {
  const parts = dims.map((d) => (d === null ? 'None' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}
