import type { SyntaxNode } from './syntax';
import type { Point } from 'web-tree-sitter';
import type { Position, Range } from './types';

export function positionOf(point: Point): Position {
  return { line: point.row, character: point.column };
}

/** An empty range at a point (an insertion). */
export function rangeOf(point: Point): Range {
  const p = positionOf(point);
  return { start: p, end: p };
}

export function nodeRange(node: SyntaxNode): Range {
  return { start: positionOf(node.startPosition), end: positionOf(node.endPosition) };
}

/** The whitespace that starts the line holding `node`. */
export function indentOf(node: SyntaxNode, text: string): string {
  const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
  const match = /^[ \t]*/.exec(text.slice(lineStart, node.startIndex));
  return match ? match[0] : '';
}

/** The text's own line ending, so inserted lines match the file. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Unquotes a plain Python string literal; undefined for f-strings and other expressions. */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  const start = node.firstNamedChild;
  if (start?.type === 'string_start' && /[fF]/.test(start.text)) return undefined;
  let value = '';
  for (const child of node.namedChildren) {
    if (child?.type === 'string_content') value += child.text;
    else if (child?.type === 'interpolation') return undefined;
  }
  return value;
}

/** The text with its first letter in upper case, for a name that starts a sentence. */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A clause as a sentence of a finding's detail: capitalised, ending in a full stop unless a quoted message already ends it. */
export function sentence(clause: string): string {
  return capitalised(clause).replace(/(?<![.!?]"?)$/, '.');
}

/** The last segment of a path or URI (`layers.py` of `file:///w/pkg/layers.py` or `pkg\layers.py`), decoded. */
export function fileName(location: string): string {
  const last = location.split(/[\\/]/).pop() ?? location;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
