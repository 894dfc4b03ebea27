/**
 * Incremental re-parsing: the tree kept for an open document, edited change by change and
 * re-parsed with the old tree, must equal a fresh parse of the same text.
 */
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Node } from 'web-tree-sitter';
import { initParser, parsePython } from '../../server/src/engine/analysis/parser';
import { OpenDocument, pointAt, treeEdit } from '../../server/src/lsp/documents';
import { replaceChange } from './harness';

/** Every node with its type, indices and points: two trees print the same only if they match exactly. */
function dump(node: Node, out: string[] = []): string {
  out.push(`${node.type} ${node.startIndex}-${node.endIndex} ${node.startPosition.row}:${node.startPosition.column}-${node.endPosition.row}:${node.endPosition.column}`);
  for (const child of node.children) if (child) dump(child, out);
  return out.join('\n');
}

function freshDump(text: string): string {
  const tree = parsePython(text);
  try {
    return dump(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

/** Offsets that no LSP position can name: inside a surrogate pair or a \r\n. */
const splitsUnit = (text: string, at: number) => /[\uDC00-\uDFFF]/.test(text[at] ?? '') || (text[at - 1] === '\r' && text[at] === '\n');

describe('incremental parsing', () => {
  before(() => initParser());

  test('points count UTF-16 code units and \\n-separated rows', () => {
    const text = 'a = "é😀"\r\nb = 1\n';
    assert.deepEqual(pointAt(text, 0), { row: 0, column: 0 });
    assert.deepEqual(pointAt(text, 8), { row: 0, column: 8 }); // after the emoji's two code units
    assert.deepEqual(pointAt(text, text.indexOf('b')), { row: 1, column: 0 });
    assert.deepEqual(pointAt(text, text.length), { row: 2, column: 0 });
  });

  test('web-tree-sitter takes UTF-16 indices and columns in Tree.edit', () => {
    // Inserting after non-ASCII text: byte offsets would land elsewhere and the old tree's
    // reused nodes would disagree with a fresh parse.
    const text = 's = "é😀"\nx = [1, 2]\n';
    const at = text.indexOf('[') + 1;
    const next = text.slice(0, at) + '0, ' + text.slice(at);
    const tree = parsePython(text);
    tree.edit(treeEdit(text, at, at, '0, '));
    const reparsed = parsePython(next, tree);
    try {
      assert.equal(dump(reparsed.rootNode), freshDump(next));
      const x = reparsed.rootNode.descendantsOfType('identifier').find((n) => n?.text === 'x');
      assert.equal(x?.startIndex, next.indexOf('x'), 'indices are UTF-16 offsets into the JS string');
    } finally {
      tree.delete();
      reparsed.delete();
    }
  });

  test('random edit sequences give the same tree as a fresh parse', () => {
    const pieces = ['é', '😀', 'x', ' ', '\n', '\r\n', '\r', '(', ')', '[', ']', ':', '"', "'", '#', '1', 'def f():\n    ', 'model.save("m")\n', '"""', '\\'];
    const next = random(42);
    const document = new OpenDocument(TextDocument.create('file:///fuzz.py', 'python', 1, 'import keras\n# é😀\nm = keras.Sequential()\nm.save("é")\n'));
    try {
      for (let version = 2; version < 600; version++) {
        const text = document.text;
        // Several changes in one notification, each against the text the previous one left.
        const changes = [];
        let current = text;
        for (let k = 0, count = 1 + next(3); k < count; k++) {
          const start = next(current.length + 1);
          const end = Math.min(current.length, start + next(5));
          if (splitsUnit(current, start) || splitsUnit(current, end)) continue;
          const inserted = pieces[next(pieces.length)]!;
          changes.push(replaceChange(current, start, end, inserted));
          current = current.slice(0, start) + inserted + current.slice(end);
        }
        document.applyChanges(changes, version);
        assert.equal(document.text, current);
        // Re-parse only every few versions: edits pile up on the tree between parses, as they do while typing.
        if (version % 3 === 0 || version > 590) {
          const tree = document.currentTree();
          assert.ok(tree);
          assert.equal(dump(tree.rootNode), freshDump(current), `tree differs after version ${version}:\n${current}`);
        }
      }
    } finally {
      document.dispose();
    }
  });

  test('a full-text change replaces the tree, and unanalysable text is never parsed', () => {
    const document = new OpenDocument(TextDocument.create('file:///full.py', 'python', 1, 'x = 1\n'));
    try {
      assert.ok(document.currentTree());
      document.applyChanges([{ text: 'y = (2,\n' }], 2);
      assert.equal(dump(document.currentTree()!.rootNode), freshDump('y = (2,\n'));
      document.applyChanges([{ text: 'x = 1\u0000\n' }], 3);
      assert.equal(document.currentTree(), undefined);
      document.applyChanges([replaceChange(document.text, 5, 6, '')], 4);
      assert.equal(dump(document.currentTree()!.rootNode), freshDump('x = 1\n'));
    } finally {
      document.dispose();
    }
  });
});
