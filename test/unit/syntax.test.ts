import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import type { Node } from 'web-tree-sitter';
import { initParser, parsePython } from '../../server/src/engine/analysis/parser';
import { SyntaxTree, type SyntaxNode } from '../../server/src/engine/analysis/syntax';
import { repoRoot } from '../helpers/fixtures';
import { filesUnder } from '../helpers/snapshot';

before(() => initParser());

/** Every difference between tree-sitter's tree and the engine's copy of it, as readable lines. */
function differences(text: string): string[] {
  const tree = parsePython(text);
  try {
    const copy = new SyntaxTree(text, tree);
    const out: string[] = [];
    if (copy.size !== tree.rootNode.descendantCount) out.push(`size ${copy.size}, tree-sitter counts ${tree.rootNode.descendantCount}`);
    const pending: Array<[Node, SyntaxNode]> = [[tree.rootNode, copy.root]];
    while (pending.length > 0 && out.length < 5) {
      const [want, got] = pending.pop()!;
      const at = `${want.type}@${want.startIndex}`;
      const pairs: Array<[string, unknown, unknown]> = [
        ['type', want.type, got.type],
        ['range', `${want.startIndex}-${want.endIndex}`, `${got.startIndex}-${got.endIndex}`],
        ['start', `${want.startPosition.row}:${want.startPosition.column}`, `${got.startPosition.row}:${got.startPosition.column}`],
        ['end', `${want.endPosition.row}:${want.endPosition.column}`, `${got.endPosition.row}:${got.endPosition.column}`],
        ['named', want.isNamed, got.isNamed],
        ['missing', want.isMissing, got.isMissing],
        ['error', want.hasError, got.hasError],
        ['children', want.childCount, got.children.length],
        ['text', want.text, got.text],
      ];
      for (const [what, a, b] of pairs) if (a !== b) out.push(`${at} ${what}: tree-sitter ${String(a)}, copy ${String(b)}`);
      for (let i = 0; i < want.childCount; i++) {
        const child = got.children[i];
        if (!child) break;
        if (want.fieldNameForChild(i) !== child.fieldName) out.push(`${at} child ${i} field: ${want.fieldNameForChild(i)} vs ${child.fieldName}`);
        pending.push([want.child(i)!, child]);
      }
    }
    for (const type of ['call', 'identifier', 'string', 'comment', 'function_definition', 'ERROR']) {
      const want = tree.rootNode.descendantsOfType(type).map((n) => n.startIndex).join(',');
      const got = copy.root.descendantsOfType(type).map((n) => n.startIndex).join(',');
      if (want !== got) out.push(`descendantsOfType(${type}) differs`);
    }
    const step = Math.max(1, Math.floor(text.length / 400));
    for (let index = 0; index <= text.length; index += step) {
      const want = tree.rootNode.descendantForIndex(index)!;
      const got = copy.root.descendantForIndex(index);
      if (want.type !== got.type || want.startIndex !== got.startIndex) out.push(`descendantForIndex(${index}): ${want.type} vs ${got.type}`);
    }
    return out;
  } finally {
    tree.delete();
  }
}

test('the copy of the tree answers every question as tree-sitter does, on every fixture, corpus file and example', () => {
  const files = ['test/fixtures', 'test/corpus', 'examples'].flatMap(filesUnder).filter((f) => f.endsWith('.py'));
  assert.ok(files.length > 100);
  for (const file of files) assert.deepEqual(differences(fs.readFileSync(path.join(repoRoot, file), 'utf8')), [], file);
});

test('the copy matches on broken code, non-ASCII text, CRLF and truncations', () => {
  const texts = [
    'class A(B):\n    def f(self, x):\n        return [x for x in "é😀" if x]\n\ndef g(:\n  pass\nx = (1,\n',
    'model = keras.Sequential([\r\n    layers.LSTM(8),\r\n])\r\nmodel.save("m")  # noqa\r\n',
    'def f(\n    x = """unterminated\n',
    'if True:\n\tprint("tab")\n  bad_indent = 1\n',
    '',
  ];
  const sample = fs.readFileSync(path.join(repoRoot, filesUnder('examples').find((f) => f.endsWith('.py'))!), 'utf8');
  for (let cut = 7; cut < sample.length; cut += Math.ceil(sample.length / 23)) texts.push(sample.slice(0, cut), sample.slice(cut));
  for (const text of texts) assert.deepEqual(differences(text), [], JSON.stringify(text.slice(0, 60)));
});

test('contains and descendantsOfType follow preorder ids, the node itself included', () => {
  const copy = new SyntaxTree('def f():\n    g(h(1))\n', parsePython('def f():\n    g(h(1))\n'));
  const fn = copy.ofType('function_definition')[0]!;
  const calls = fn.descendantsOfType('call');
  assert.deepEqual(calls.map((c) => c.text), ['g(h(1))', 'h(1)']);
  assert.deepEqual(calls[0]!.descendantsOfType('call').map((c) => c.text), ['g(h(1))', 'h(1)']);
  assert.ok(fn.contains(calls[1]!));
  assert.ok(!calls[1]!.contains(calls[0]!));
  assert.deepEqual(copy.root.descendantsOfType(['integer', 'identifier']).map((n) => n.text), ['f', 'g', 'h', '1']);
});
