import type { SyntaxNode, SyntaxTree } from './syntax';
import { nodeRange } from './text';
import type { Range } from './types';

/** Where a file's first syntax error is, and what it is, in a few words. */
export interface SyntaxErrorAt {
  range: Range;
  /** "unexpected `)`", "missing `)`", "`(` is never closed", "cannot parse `if x`". */
  problem: string;
}

const closers: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
/** Longer code than this is cut in the message: the range shows the rest. */
const shownLength = 30;

/**
 * The first syntax error of a file, in document order, or undefined when it parses. tree-sitter
 * recovers from an error with an ERROR node (the tokens it could not place, and the constructs it
 * had begun) or a zero-width MISSING node (a token it assumed); the first such node holds the error.
 */
export function firstSyntaxError(tree: SyntaxTree): SyntaxErrorAt | undefined {
  const first = errorIn(tree.root);
  return first && describe(first);
}

function describe(node: SyntaxNode): SyntaxErrorAt {
  return node.isMissing ? { range: nodeRange(node), problem: `missing ${shown(node)}` } : describeError(node);
}

/** The first ERROR or MISSING node at or below `node`, outermost first. */
function errorIn(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node;
  const child = node.children.find((c) => c.hasError);
  return child && errorIn(child);
}

/** A token as written (`` `)` ``), or a named node by its kind (`identifier`). */
function shown(node: SyntaxNode): string {
  return node.isNamed ? node.type.replace(/_/g, ' ') : `\`${node.type}\``;
}

/**
 * Where in an ERROR node parsing failed, in this order:
 * - tokens it skipped on a later line than it starts, as an ERROR of their own (a merge-conflict
 *   marker inside a call left open across lines): those tokens;
 * - a closing bracket with no opener among its tokens: that bracket, unexpected;
 * - an opening bracket with no closer: that bracket, never closed (even when an error lies deeper,
 *   in an expression the parser stretched over the next line);
 * - an error inside a construct it wraps: that error;
 * - else the node is code that parses as nothing, shown by its first line (the range covers that
 *   line's part, not the whole node).
 */
function describeError(error: SyntaxNode): SyntaxErrorAt {
  const row = error.startPosition.row;
  const skipped = error.children.find((c) => c.type === 'ERROR' && c.startPosition.row > row);
  if (skipped) return describeError(skipped);
  const open: SyntaxNode[] = [];
  for (const child of error.children) {
    if (child.type === '(' || child.type === '[' || child.type === '{') open.push(child);
    const opener = closers[child.type];
    if (opener === undefined) continue;
    if (open[open.length - 1]?.type !== opener) return { range: nodeRange(child), problem: `unexpected \`${child.type}\`` };
    open.pop();
  }
  if (open[0]) return { range: nodeRange(open[0]), problem: `\`${open[0].type}\` is never closed` };
  const inner = error.children.map(errorIn).find((e) => e !== undefined);
  if (inner) return describe(inner);
  const [first = error.text] = error.text.split(/\r?\n/);
  const range = nodeRange(error);
  if (range.end.line !== range.start.line) range.end = { line: range.start.line, character: range.start.character + first.length };
  if (first.trim() === '') return { range, problem: 'cannot parse the code here' };
  const code = first.length > shownLength ? `${first.slice(0, shownLength)}…` : first;
  return { range, problem: error.children.length === 1 ? `unexpected \`${code}\`` : `cannot parse \`${code}\`` };
}
