import type { SyntaxNode, SyntaxTree } from './syntax';
import { nodeRange } from './text';
import type { Range } from './types';

/** Where a file's first syntax error is, and what it is, in a few words. */
export interface SyntaxErrorAt {
  range: Range;
  /** `unexpected `)``, `missing `:``, `` `(` is never closed ``. */
  problem: string;
}

const closers: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
/** Longer code than this is cut in the message: the range shows the rest. */
const shownLength = 30;

/**
 * The first syntax error of a file, in document order, or undefined when it parses. tree-sitter
 * recovers from an error with an ERROR node (the tokens it could not place) or a zero-width
 * MISSING node (a token it assumed); the outermost such node first in the file is the first error.
 */
export function firstSyntaxError(tree: SyntaxTree): SyntaxErrorAt | undefined {
  let node = tree.root;
  if (!node.hasError) return undefined;
  while (node.type !== 'ERROR' && !node.isMissing) {
    const child = node.children.find((c) => c.hasError);
    if (!child) return undefined;
    node = child;
  }
  return node.isMissing ? { range: nodeRange(node), problem: `missing ${shown(node)}` } : describeError(node);
}

/** A token as written (`` `)` ``), or a named node by its kind (`identifier`). */
function shown(node: SyntaxNode): string {
  return node.isNamed ? node.type.replace(/_/g, ' ') : `\`${node.type}\``;
}

/**
 * An ERROR node: a closing bracket with no opener among the tokens it holds is the unexpected
 * token; else an opening one with no closer is never closed; else the node is code that parses
 * as nothing, shown by its first line (the range covers that line's part, not the whole node).
 */
function describeError(error: SyntaxNode): SyntaxErrorAt {
  const open: SyntaxNode[] = [];
  for (const child of error.children) {
    if (child.type === '(' || child.type === '[' || child.type === '{') open.push(child);
    const opener = closers[child.type];
    if (opener === undefined) continue;
    if (open[open.length - 1]?.type !== opener) return { range: nodeRange(child), problem: `unexpected \`${child.type}\`` };
    open.pop();
  }
  if (open[0]) return { range: nodeRange(open[0]), problem: `\`${open[0].type}\` is never closed` };
  const [first = error.text] = error.text.split(/\r?\n/);
  const range = nodeRange(error);
  if (range.end.line !== range.start.line) range.end = { line: range.start.line, character: range.start.character + first.length };
  if (first.trim() === '') return { range, problem: 'cannot parse the code here' };
  const code = first.length > shownLength ? `${first.slice(0, shownLength)}…` : first;
  return { range, problem: error.children.length === 1 ? `unexpected \`${code}\`` : `cannot parse \`${code}\`` };
}
