import { TextDocument } from 'vscode-languageserver-textdocument';
import { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { Edit, type Point, type Tree } from 'web-tree-sitter';
import { parsePython } from '../engine/analysis/parser';
import { unanalysableReason } from '../engine/engine';

/**
 * The tree-sitter point of a string offset. Rows count `\n` only, as tree-sitter does; columns
 * are UTF-16 code units, which is what web-tree-sitter 0.27 takes and reports for both points
 * and indices (checked against fresh parses in test/lsp/incremental.test.ts).
 */
export function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let next = text.indexOf('\n'); next >= 0 && next < offset; next = text.indexOf('\n', next + 1)) {
    row++;
    lineStart = next + 1;
  }
  return { row, column: offset - lineStart };
}

/** The point reached by writing `inserted` at `start`. */
function pointAfter(start: Point, inserted: string): Point {
  const lastBreak = inserted.lastIndexOf('\n');
  if (lastBreak < 0) return { row: start.row, column: start.column + inserted.length };
  let breaks = 0;
  for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) breaks++;
  return { row: start.row + breaks, column: inserted.length - lastBreak - 1 };
}

/** The tree-sitter edit for replacing `[start, oldEnd)` of `text` with `inserted`. */
export function treeEdit(text: string, start: number, oldEnd: number, inserted: string): Edit {
  const startPosition = pointAt(text, start);
  return new Edit({
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: start + inserted.length,
    startPosition,
    oldEndPosition: pointAt(text, oldEnd),
    newEndPosition: pointAfter(startPosition, inserted),
  });
}

/**
 * An open editor document and its syntax tree. Edits are passed to the tree as they arrive;
 * the re-parse waits until a tree is needed, so a burst of keystrokes costs one parse, and
 * that parse reuses every unchanged part of the old tree.
 */
export class OpenDocument {
  private tree: Tree | undefined;
  /** False after edits until the next parse. */
  private treeMatchesText = false;

  constructor(public readonly document: TextDocument) {}

  get uri(): string {
    return this.document.uri;
  }

  get version(): number {
    return this.document.version;
  }

  get text(): string {
    return this.document.getText();
  }

  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (TextDocumentContentChangeEvent.isIncremental(change) && this.tree) {
        const before = this.document.getText();
        const start = this.document.offsetAt(change.range.start);
        const oldEnd = Math.max(start, this.document.offsetAt(change.range.end));
        this.tree.edit(treeEdit(before, start, oldEnd, change.text));
      } else {
        this.dropTree();
      }
      TextDocument.update(this.document, [change], version);
    }
    this.treeMatchesText = false;
  }

  /**
   * The tree of the current text, re-parsed incrementally when edits came in since the last
   * parse. Undefined when the text is not to be analysed (too large, binary), so such a file
   * is never parsed.
   */
  currentTree(maxFileBytes?: number): Tree | undefined {
    const text = this.document.getText();
    if (unanalysableReason(text, maxFileBytes)) {
      this.dropTree();
      return undefined;
    }
    if (this.tree && this.treeMatchesText) return this.tree;
    const next = parsePython(text, this.tree);
    this.tree?.delete();
    this.tree = next;
    this.treeMatchesText = true;
    return next;
  }

  /** Frees the tree; wasm memory is not garbage-collected. */
  dispose(): void {
    this.dropTree();
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.treeMatchesText = false;
  }
}
