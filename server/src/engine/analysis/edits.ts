import type { SyntaxNode } from './syntax';
import { eolOf, indentOf, nodeRange, positionOf } from './text';
import type { Fix, ModuleVersioned, TextEdit } from './types';

/** The statement that holds a node: the ancestor that sits directly in a block or the module. */
export function statementOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** True when only whitespace precedes the node on its line. */
export function startsLine(node: SyntaxNode, text: string): boolean {
  const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
  return /^[ \t]*$/.test(text.slice(lineStart, node.startIndex));
}

/**
 * Inserts code so that it runs just before `statement`: on lines of its own with the
 * statement's indentation, or, when the statement shares its line (`else: model.save(p)`),
 * joined to it with `;` (possible for one line only; undefined otherwise).
 */
export function insertBefore(statement: SyntaxNode, code: string | string[], text: string): TextEdit | undefined {
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
export function removeStatement(statement: SyntaxNode, text: string): { edit: TextEdit; body: string[] } | undefined {
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
export function replaceNode(node: SyntaxNode, newText: string): TextEdit {
  return { range: nodeRange(node), newText };
}

/**
 * Removes one argument from an argument list together with the comma that separates it,
 * keeping the rest of the call well formed.
 */
export function removeArgument(argument: SyntaxNode): TextEdit {
  return removeArgumentSpan(argument, argument);
}

/**
 * Removes several arguments of one call: each run of adjacent ones as one span, so that the
 * edits do not overlap on the commas between them.
 */
export function removeArguments(args: readonly SyntaxNode[]): TextEdit[] {
  const runs: SyntaxNode[][] = [];
  for (const argument of [...args].sort((a, b) => a.startIndex - b.startIndex)) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run && last?.nextSibling?.type === ',' && last.nextSibling.nextSibling?.id === argument.id) run.push(argument);
    else runs.push([argument]);
  }
  return runs.map((run) => removeArgumentSpan(run[0]!, run[run.length - 1]!));
}

function removeArgumentSpan(first: SyntaxNode, last: SyntaxNode): TextEdit {
  const prev = first.previousSibling;
  const next = last.nextSibling;
  if (prev && prev.type === ',') {
    return { range: { start: positionOf(prev.startPosition), end: positionOf(last.endPosition) }, newText: '' };
  }
  if (next && next.type === ',') {
    const after = next.nextSibling;
    const end = after && after.type !== ')' ? positionOf(after.startPosition) : positionOf(next.endPosition);
    return { range: { start: positionOf(first.startPosition), end }, newText: '' };
  }
  return { range: { start: positionOf(first.startPosition), end: positionOf(last.endPosition) }, newText: '' };
}

/** Adds a keyword argument at the end of a call's argument list. */
export function appendArgument(call: SyntaxNode, argumentText: string): TextEdit | undefined {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  return appendToList(args, argumentText);
}

/** Adds a parameter (`**kwargs`) at the end of a function definition's parameter list. */
export function appendParameter(definition: SyntaxNode, parameterText: string): TextEdit | undefined {
  const params = definition.childForFieldName('parameters');
  return params ? appendToList(params, parameterText) : undefined;
}

/** Adds an item at the end of a parenthesised, comma-separated list (arguments or parameters). */
function appendToList(args: SyntaxNode, argumentText: string): TextEdit | undefined {
  const close = args.lastChild;
  if (!close || close.type !== ')') return undefined;
  const items = args.namedChildren.filter((c) => c.type !== 'comment');
  const last = items[items.length - 1];
  if (!last) return { range: { start: positionOf(close.startPosition), end: positionOf(close.startPosition) }, newText: argumentText };
  // After the last argument (before any trailing comma or comment).
  const at = positionOf(last.endPosition);
  return { range: { start: at, end: at }, newText: `, ${argumentText}` };
}

/**
 * Inserts lines after the line on which `node` ends (after any comment there), each prefixed
 * with `indent`, in the text's own line ending; `blankLine` puts an empty line first.
 */
export function insertAfter(node: SyntaxNode, lines: string[], indent: string, text: string, blankLine = false): TextEdit {
  const eol = eolOf(text);
  let lineEnd = text.indexOf('\n', node.endIndex);
  if (lineEnd < 0) lineEnd = text.length;
  if (text[lineEnd - 1] === '\r') lineEnd--;
  const lineStart = text.lastIndexOf('\n', node.endIndex - 1) + 1;
  const at = { line: node.endPosition.row, character: lineEnd - lineStart };
  const body = lines.map((line) => (line.length > 0 ? indent + line : line)).join(eol);
  return { range: { start: at, end: at }, newText: (blankLine ? eol : '') + eol + body };
}

/**
 * Inserts statements at the start of a function's body, after its docstring. Undefined when
 * the body shares the `def` line or holds no statement (code that does not parse).
 */
export function insertAtBodyStart(definition: SyntaxNode, lines: string[], text: string): TextEdit | undefined {
  const body = definition.childForFieldName('body');
  if (!body || body.startPosition.row === definition.startPosition.row) return undefined;
  const first = body.namedChildren.find((c) => c.type !== 'comment');
  if (!first) return undefined;
  const isDocstring = first.type === 'expression_statement' && first.firstNamedChild?.type === 'string';
  return isDocstring ? insertAfter(first, lines, indentOf(first, text), text) : insertBefore(first, lines, text);
}

/**
 * Joins insertions at the same point into one edit, in list order, so that their order does not
 * depend on how a client applies edits that share a position.
 */
export function joinInsertions(edits: TextEdit[]): TextEdit[] {
  const isInsertion = (e: TextEdit) => e.range.start.line === e.range.end.line && e.range.start.character === e.range.end.character;
  const out: TextEdit[] = [];
  for (const edit of edits) {
    const same = isInsertion(edit)
      ? out.find((e) => isInsertion(e) && e.range.start.line === edit.range.start.line && e.range.start.character === edit.range.start.character)
      : undefined;
    if (same) same.newText += edit.newText;
    else out.push({ ...edit });
  }
  return out;
}

/**
 * Adds an import line after the file's last top-level import (the last one before `before`, when
 * given). With no such import, the line goes just before `before`, or nowhere (undefined).
 */
export function insertImportLine(root: SyntaxNode, line: string, text: string, before?: SyntaxNode): TextEdit | undefined {
  const last = root.namedChildren
    .filter((n) => (n.type === 'import_statement' || n.type === 'import_from_statement') && (!before || n.startIndex < before.startIndex))
    .pop();
  if (last) return insertAfter(last, [line], '', text);
  return before ? insertBefore(before, line, text) : undefined;
}

/**
 * A fix whose edits are against another module's text (from that module's summary, with the
 * version of the text it was made from), as the importing file offers it: it edits only that module.
 */
export function fixInModule(fix: Fix, file: string, { version }: ModuleVersioned): Fix {
  return { ...fix, edits: [], otherFileEdits: [{ file, edits: fix.edits, ...(version !== undefined ? { version } : {}) }] };
}
