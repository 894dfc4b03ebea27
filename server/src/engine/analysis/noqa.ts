import type { Node } from 'web-tree-sitter';
import type { TextEdit } from './types';

/** `# noqa`, or `# noqa: A, B` (codes or rule names), anywhere in a comment, as flake8 and ruff read it. */
const noqaPattern = /#\s*noqa(?:\s*:\s*([\w-]+(?:[\s,]+[\w-]+)*))?/i;

export type NoqaDirective = 'all' | Set<string>;

/** The noqa directives of a file, by zero-based line. Only real comments count, never strings. */
export function noqaDirectives(root: Node): Map<number, NoqaDirective> {
  const byLine = new Map<number, NoqaDirective>();
  for (const comment of root.descendantsOfType('comment')) {
    const match = noqaPattern.exec(comment.text);
    if (!match) continue;
    const line = comment.startPosition.row;
    if (!match[1]) {
      byLine.set(line, 'all');
      continue;
    }
    const codes = new Set(match[1].split(/[\s,]+/).filter(Boolean).map((c) => c.toLowerCase()));
    byLine.set(line, codes);
  }
  return byLine;
}

export function isSuppressed(directives: Map<number, NoqaDirective>, line: number, code: string, name: string): boolean {
  const directive = directives.get(line);
  if (!directive) return false;
  return directive === 'all' || directive.has(code.toLowerCase()) || directive.has(name.toLowerCase());
}

/**
 * The edit that adds `code` to the noqa comment of a line, writing one if there is none.
 * Undefined when the line ends inside a string (a comment cannot go there) or is already suppressed.
 * A caller that asks for many lines passes the comments it collected once (all of them, or
 * those of `line`), rather than having every call walk the whole tree.
 */
export function noqaEdit(root: Node, text: string, line: number, code: string, comments: Node[] = root.descendantsOfType('comment')): TextEdit | undefined {
  const lineStart = lineOffset(text, line);
  if (lineStart === undefined) return undefined;
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  if (text[lineEnd - 1] === '\r') lineEnd--;
  const lineText = text.slice(lineStart, lineEnd);
  const comment = comments.find((c) => c.startPosition.row === line);
  if (comment) {
    const match = noqaPattern.exec(comment.text);
    if (match && !match[1]) return undefined;
    if (match) {
      if (match[1]!.split(/[\s,]+/).some((c) => c.toLowerCase() === code.toLowerCase())) return undefined;
      const at = comment.startPosition.column + match.index + match[0].length;
      return { range: { start: { line, character: at }, end: { line, character: at } }, newText: `, ${code}` };
    }
  } else {
    const last = root.descendantForIndex(Math.max(lineStart, lineEnd - 1));
    if (last && (last.type === 'string_content' || last.type === 'string' || last.type === 'string_start') && last.endIndex > lineEnd) {
      return undefined;
    }
  }
  const trimmed = lineText.replace(/\s+$/, '');
  const column = trimmed.length;
  const separator = comment ? ' ' : '  ';
  return {
    range: { start: { line, character: column }, end: { line, character: lineText.length } },
    newText: `${separator}# noqa: ${code}`,
  };
}

function lineOffset(text: string, line: number): number | undefined {
  let offset = 0;
  for (let i = 0; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return undefined;
    offset = next + 1;
  }
  return offset;
}
