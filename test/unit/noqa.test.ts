import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { noqaEdit } from '../../server/src/engine/analysis/noqa';
import { initParser, parseSyntax } from '../../server/src/engine/analysis/parser';
import { analyzeText } from '../../server/src/engine/engine';
import { analyze } from '../helpers/fixtures';

before(() => initParser());

function disable(text: string, line: number, code: string): string | undefined {
  const edit = noqaEdit(parseSyntax(text), line, code);
  return edit && applyEdits(text, [edit]);
}

test('noqa comments suppress by code, by name, and bare; only on the flagged line', () => {
  const base = 'import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m.keras")';
  assert.equal(analyze(`${base}\n`).length, 1);
  assert.equal(analyze(`${base}  # noqa: KSM101\n`).length, 0);
  assert.equal(analyze(`${base}  # NOQA:ksm101\n`).length, 0);
  assert.equal(analyze(`${base}  # noqa: save-before-compile\n`).length, 0);
  assert.equal(analyze(`${base}  # noqa\n`).length, 0);
  assert.equal(analyze(`${base}  # noqa: KSM301\n`).length, 1);
  assert.equal(analyze(`${base}  # noqa: E501, KSM101\n`).length, 0);
  assert.equal(analyze(`# noqa\n${base}\n`).length, 1);
  assert.equal(analyze(`${base}; s = "# noqa"\n`).length, 1, 'a string is not a comment');
});

test('disabling a rule for a line writes or extends the noqa comment', () => {
  assert.equal(disable('model.save("m")\n', 0, 'KSM101'), 'model.save("m")  # noqa: KSM101\n');
  assert.equal(disable('model.save("m")   \r\nx = 1\r\n', 0, 'KSM101'), 'model.save("m")  # noqa: KSM101\r\nx = 1\r\n');
  assert.equal(disable('model.save("m")  # noqa: E501\n', 0, 'KSM101'), 'model.save("m")  # noqa: E501, KSM101\n');
  assert.equal(disable('model.save("m")  # keep\n', 0, 'KSM101'), 'model.save("m")  # keep # noqa: KSM101\n');
  assert.equal(disable('model.save("m")  # noqa\n', 0, 'KSM101'), undefined, 'a bare noqa already covers it');
  assert.equal(disable('model.save("m")  # noqa: KSM101\n', 0, 'KSM101'), undefined);
  assert.equal(disable('x = """\nmodel.save("m")\n"""\n', 1, 'KSM101'), undefined, 'no comment inside a string');
  assert.equal(disable('model.save(\n    "m")\n', 0, 'KSM101'), 'model.save(  # noqa: KSM101\n    "m")\n');
});

test('keepSuppressed returns what noqa silences apart, and leaves the findings as they are', () => {
  const text = 'import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("a.keras")  # noqa: KSM101\nm.save("b.keras")\n';
  const settings = { kerasVersion: 'auto' as const, rules: {} };
  const plain = analyzeText(text, settings);
  const kept = analyzeText(text, settings, { keepSuppressed: true });
  assert.equal(plain.suppressed, undefined, 'nothing extra unless asked');
  assert.deepEqual(kept.findings, plain.findings);
  assert.deepEqual(plain.findings.map((f) => [f.code, f.range.start.line]), [['KSM101', 3]]);
  assert.deepEqual(kept.suppressed!.map((f) => [f.code, f.range.start.line, f.noqa]), [['KSM101', 2, undefined]]);
});
