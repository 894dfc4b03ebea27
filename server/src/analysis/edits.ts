import type { Node } from 'web-tree-sitter';
import { eolOf, indentOf, nodeRange, positionOf } from './text';
import type { TextEdit } from './types';

/** The statement that holds a node: the ancestor that sits directly in a block or the module. */
export function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** True when only whitespace precedes the node on its line. */
function startsLine(node: Node, text: string): boolean {
  const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
  return /^[ \t]*$/.test(text.slice(lineStart, node.startIndex));
}

/**
 * Inserts code so that it runs just before `statement`: on lines of its own with the
 * statement's indentation, or, when the statement shares its line (`else: model.save(p)`),
 * joined to it with `;` (possible for one line only; undefined otherwise).
 */
export function insertBefore(statement: Node, code: string | string[], text: string): TextEdit | undefined {
  const lines = typeof code === 'string' ? [code] : code;
  const start = positionOf(statement.startPosition);
  if (startsLine(statement, text)) {
    const indent = indentOf(statement, text);
    const eol = eolOf(text);
    const lineStart = { line: start.line, character: 0 };
    const newText = lines.map((line) => (line.length > 0 ? indent + line : line) + eol).join('');
    return { range: { start: lineStart, end: lineStart }, newText };
  }
  if (lines.length !== 1) return undefined;
  return { range: { start, end: start }, newText: `${lines[0]}; ` };
}

/**
 * Removes a statement together with its line, when it stands alone on its lines;
 * otherwise only its own text. Returns the edit and the statement's text re-indented to
 * start at column 0, for moving it elsewhere.
 */
export function removeStatement(statement: Node, text: string): { edit: TextEdit; body: string[] } | undefined {
  if (!startsLine(statement, text)) return undefined;
  const lineEnd = text.indexOf('\n', statement.endIndex);
  const rest = text.slice(statement.endIndex, lineEnd < 0 ? text.length : lineEnd);
  // Something else after the statement on its last line (`; x = 1`) means it does not stand alone.
  if (!/^[ \t]*(#.*)?\r?$/.test(rest)) return undefined;
  const indent = indentOf(statement, text);
  const body = text
    .slice(statement.startIndex, statement.endIndex)
    .split(/\r?\n/)
    .map((line, i) => (i === 0 ? line : line.startsWith(indent) ? line.slice(indent.length) : line));
  const startPos = { line: statement.startPosition.row, character: 0 };
  const endPos = lineEnd < 0 ? positionOf(statement.endPosition) : { line: statement.endPosition.row + 1, character: 0 };
  return { edit: { range: { start: startPos, end: endPos }, newText: '' }, body };
}

/** Replaces a node's text. */
export function replaceNode(node: Node, newText: string): TextEdit {
  return { range: nodeRange(node), newText };
}

/**
 * Removes one argument from an argument list together with the comma that separates it,
 * keeping the rest of the call well formed.
 */
export function removeArgument(argument: Node): TextEdit {
  const prev = argument.previousSibling;
  const next = argument.nextSibling;
  if (prev && prev.type === ',') {
    return { range: { start: positionOf(prev.startPosition), end: positionOf(argument.endPosition) }, newText: '' };
  }
  if (next && next.type === ',') {
    const after = next.nextSibling;
    const end = after && after.type !== ')' ? positionOf(after.startPosition) : positionOf(next.endPosition);
    return { range: { start: positionOf(argument.startPosition), end }, newText: '' };
  }
  return { range: nodeRange(argument), newText: '' };
}

/** Adds a keyword argument at the end of a call's argument list. */
export function appendArgument(call: Node, argumentText: string): TextEdit | undefined {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  const close = args.lastChild;
  if (!close || close.type !== ')') return undefined;
  const items = args.namedChildren.filter((c) => c.type !== 'comment');
  const last = items[items.length - 1];
  if (!last) return { range: { start: positionOf(close.startPosition), end: positionOf(close.startPosition) }, newText: argumentText };
  // After the last argument (before any trailing comma or comment).
  const at = positionOf(last.endPosition);
  return { range: { start: at, end: at }, newText: `, ${argumentText}` };
}
