import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { NotebookProgram } from '../../server/src/engine/analysis/notebook';
import { initParser } from '../../server/src/engine/analysis/parser';
import { analyzeNotebook } from '../../server/src/workspace/notebook-files';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM000');

before(() => initParser());

const at = (text: string) => analyze(text).filter((f) => f.code === 'KSM000').map((f) => ({ range: f.range, message: f.message, severity: f.severity }));
const range = (line: number, start: number, end: number) => ({ start: { line, character: start }, end: { line, character: end } });

test('KSM000 is silent on valid Python, newer syntax included', () => {
  assert.deepEqual(at('def f(x, /, *, y=1):\n    return f"{x!r:>{y}}"\n\nmatch f:\n    case [1, *rest] if rest:\n        pass\ntype A = list[int]\n'), []);
  assert.deepEqual(at(''), []);
});

test('KSM000 reports one finding per file, on the first error, with what it is', () => {
  assert.deepEqual(at('print(1))\nx = = 2\n'), [{ range: range(0, 8, 9), message: 'Syntax error: unexpected `)`', severity: 'error' }]);
  assert.deepEqual(at('a = [1, 2\n'), [{ range: range(0, 4, 5), message: 'Syntax error: `[` is never closed', severity: 'error' }]);
  assert.deepEqual(at('x = 1\ndef f(:\n    pass\n'), [{ range: range(1, 6, 6), message: 'Syntax error: missing `)`', severity: 'error' }]);
  assert.deepEqual(at('x = 1\ny = = 2\n'), [{ range: range(1, 4, 5), message: 'Syntax error: unexpected `=`', severity: 'error' }]);
});

test('KSM000 anchors code that parses as nothing on its first line, and shortens it in the message', () => {
  const [finding] = at('if x\n    pass\n');
  assert.deepEqual(finding, { range: range(0, 0, 4), message: 'Syntax error: cannot parse `if x`', severity: 'error' });
  const long = 'if some_condition_that_is_long and another_one\n    pass\n';
  assert.equal(at(long)[0]?.message, 'Syntax error: cannot parse `if some_condition_that_is_long…`');
});

test('KSM000 points at tokens skipped inside a construct left open (a merge-conflict marker), not at its bracket', () => {
  const conflict = 'model = keras.Sequential([\n    layers.Flatten(),\n<<<<<<< HEAD\n    layers.Dense(8),\n=======\n    layers.Dense(16),\n>>>>>>> branch\n])\n';
  assert.deepEqual(at(conflict), [{ range: range(2, 0, 12), message: 'Syntax error: cannot parse `<<<<<<< HEAD`', severity: 'error' }]);
  // A call left open and stretched over the next statement: the bracket is the mistake.
  assert.deepEqual(at('def call(self, x):\n    y = tf.tanh(x + self.b\n    return y\n'), [{ range: range(1, 15, 16), message: 'Syntax error: `(` is never closed', severity: 'error' }]);
});

test('the other rules still report on the code that parses', () => {
  const codes = analyze('import keras\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\nmodel.fit(x, y\nmodel.save("m.keras")\n').map((f) => f.code);
  assert.deepEqual(codes, ['KSM000', 'KSM101']);
});

test('KSM000 is not silenced by # noqa, offers no noqa edit and no fix, and can be turned off', () => {
  const [finding] = analyze('x = = 3  # noqa: KSM000\n');
  assert.equal(finding?.code, 'KSM000');
  assert.equal(finding.noqa, undefined);
  assert.deepEqual(finding.fixes, []);
  assert.deepEqual(analyze('x = = 3\n', { rules: { 'invalid-syntax': 'off' } }), []);
  assert.equal(analyze('x = = 3\n', { rules: { KSM000: 'hint' } })[0]?.severity, 'hint');
});

test('in a notebook, KSM000 is on the cell that does not parse (the third, counted from 0), and IPython syntax is not an error', () => {
  const program = new NotebookProgram([
    { text: '%matplotlib inline\n!pip install keras\nimport keras', python: true },
    { text: '# Model', python: false },
    { text: 'model = keras.Sequential(', python: true },
  ]);
  const findings = analyzeNotebook(program, { kerasVersion: 'auto', rules: {} }).findings.filter((f) => f.code === 'KSM000').map((f) => program.mapFinding(f));
  assert.deepEqual(findings.map((f) => [f.cell, f.range.start.line, f.message]), [[2, 0, 'Syntax error: `(` is never closed']]);
});
