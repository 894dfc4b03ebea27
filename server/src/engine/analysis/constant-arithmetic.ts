import type { SyntaxNode } from './syntax';
import type { FileFacts } from './facts';
import { unparen } from './semantic';

/**
 * Constant arithmetic on one array (`x / 255.0`, `x / 127.5 - 1`, `(x - mean) / std`) and the
 * Keras preprocessing layer that does the same inside a model: what KSM401 moves out of a
 * generator and KSM503 out of a `Lambda`.
 */

/** A constant scale or shift of a whole array, and the preprocessing layer that does it inside the model. */
export interface ConstantTransform {
  /** The array the arithmetic applies to, kept in the generator. */
  operand: SyntaxNode;
  /** The layer's class in `keras.layers` and its arguments. */
  layer: 'Rescaling' | 'Normalization';
  args: string;
}

/**
 * `(x - m) / s` (Normalization), and any chain of `x / c`, `x * c`, `x + c`, `x - c` (Rescaling,
 * with the scale and offset that chain computes: `x / 127.5 - 1` is `Rescaling(1 / 127.5, offset=-1)`),
 * with constants that are numbers, or names bound once at module level, before the model, to a
 * number or to `np.mean`/`np.std` of an array.
 */
export function constantTransform(facts: FileFacts, node: SyntaxNode, before: number): ConstantTransform | undefined {
  const constant = (n: SyntaxNode) => isConstant(facts, n, before);
  const value = unparen(node);
  const [left, operator, right] = binaryParts(value);
  if (operator === '/' && right && constant(right)) {
    const [array, inner, centre] = binaryParts(unparen(left!));
    if (inner === '-' && array && centre && constant(centre)) {
      return { operand: array, layer: 'Normalization', args: `mean=${centre.text}, variance=${powerOfTwo(right)}` };
    }
  }
  const chain = affineChain(value, constant);
  if (!chain || (chain.scale === undefined && chain.offset === undefined)) return undefined;
  const args = chain.offset === undefined ? chain.scale! : `${chain.scale ?? '1.0'}, offset=${chain.offset}`;
  return { operand: chain.operand, layer: 'Rescaling', args };
}

/** `x * scale + offset` for a chain of constant arithmetic on one array, as source text. */
function affineChain(node: SyntaxNode, constant: (n: SyntaxNode) => boolean): { operand: SyntaxNode; scale?: string; offset?: string } {
  const value = unparen(node);
  const [left, operator, right] = binaryParts(value);
  if (!left || !right) return { operand: node };
  // `c * x` scales as `x * c` does.
  const [array, c] = operator === '*' && constant(left) && !constant(right) ? [right, left] : [left, right];
  if (!constant(c) || !['/', '*', '+', '-'].includes(operator!)) return { operand: node };
  const { operand, scale, offset } = affineChain(array, constant);
  const k = grouped(c);
  switch (operator) {
    case '/': return { operand, scale: scale ? `${scale} / ${k}` : `1 / ${k}`, ...(offset ? { offset: `${grouped2(offset)} / ${k}` } : {}) };
    case '*': return { operand, scale: scale ? `${scale} * ${k}` : k, ...(offset ? { offset: `${grouped2(offset)} * ${k}` } : {}) };
    case '+': return { operand, ...(scale ? { scale } : {}), offset: offset ? `${offset} + ${k}` : k };
    default: return { operand, ...(scale ? { scale } : {}), offset: offset ? `${offset} - ${k}` : `-${k}` };
  }
}

function binaryParts(node: SyntaxNode): [SyntaxNode | undefined, string | undefined, SyntaxNode | undefined] {
  if (node.type !== 'binary_operator') return [undefined, undefined, undefined];
  return [node.childForFieldName('left') ?? undefined, node.childForFieldName('operator')?.text, node.childForFieldName('right') ?? undefined];
}

/** An offset written so far, parenthesised before it is scaled again. */
function grouped2(text: string): string {
  return /^-?[\w.]+$/.test(text) ? text : `(${text})`;
}

/** `(s) ** 2` as source, without parentheses a plain name or number does not need. */
function powerOfTwo(node: SyntaxNode): string {
  return `${grouped(node)} ** 2`;
}

function grouped(node: SyntaxNode): string {
  return /^[\w.]+$/.test(node.text) ? node.text : `(${unparen(node).text})`;
}

const statisticFunctions = new Set(['numpy.mean', 'numpy.std', 'numpy.var', 'numpy.max', 'numpy.min']);

function isConstant(facts: FileFacts, node: SyntaxNode, before: number): boolean {
  const value = unparen(node);
  switch (value.type) {
    case 'integer': case 'float':
      return true;
    case 'unary_operator': {
      const argument = value.childForFieldName('argument');
      return argument !== null && isConstant(facts, argument, before);
    }
    case 'binary_operator': {
      const left = value.childForFieldName('left');
      const right = value.childForFieldName('right');
      return left !== null && right !== null && isConstant(facts, left, before) && isConstant(facts, right, before);
    }
    case 'identifier': {
      // Read where the model is built: a module-level name bound once, before the model.
      const bindings = facts.semantic.moduleScope.bindings.get(value.text);
      const binding = bindings?.length === 1 ? bindings[0] : undefined;
      if (!binding || binding.offset > before) return false;
      const bound = unparen(binding.value);
      if (bound.type === 'call') return statisticFunctions.has(facts.imports.qualify(bound.childForFieldName('function')) ?? '');
      return bound.type !== 'identifier' && isConstant(facts, bound, before);
    }
    default:
      return false;
  }
}

