import type { SyntaxNode, SyntaxTree } from './syntax';
import type { TextEdit } from './types';

/** `# noqa`, or `# noqa: A, B` (codes or rule names), anywhere in a comment, as flake8 and ruff read it. */
const noqaPattern = /#\s*noqa(?:\s*:\s*([\w-]+(?:[\s,]+[\w-]+)*))?/i;

export type NoqaDirective = 'all' | Set<string>;

/** The noqa directives of a file, by zero-based line. Only real comments count, never strings. */
export function noqaDirectives(tree: SyntaxTree): Map<number, NoqaDirective> {
  const byLine = new Map<number, NoqaDirective>();
  for (const comment of tree.ofType('comment')) {
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
 * A caller that asks for many lines passes the comments of `line` it collected once, rather
 * than having every call look through all of the file's comments.
 */
export function noqaEdit(tree: SyntaxTree, line: number, code: string, comments: readonly SyntaxNode[] = tree.ofType('comment')): TextEdit | undefined {
  const text = tree.text;
  const lineStart = tree.lineStart(line);
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
    const last = tree.root.descendantForIndex(Math.max(lineStart, lineEnd - 1));
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
