import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM402');

before(() => initParser());

const source = 'import keras\nm = keras.Sequential()\nm.fit_generator(gen, epochs=2, workers=4, use_multiprocessing=True)\n';

test('KSM402 under Keras 3 renames and drops the arguments Keras 3 rejects', () => {
  const [finding] = analyze(source, { kerasVersion: '3' });
  assert.equal(finding?.code, 'KSM402');
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 15 } });
  assert.equal(finding.fixes.length, 1);
  assert.equal(applyEdits(source, finding.fixes[0]!.edits), 'import keras\nm = keras.Sequential()\nm.fit(gen, epochs=2)\n');
});

test('KSM402 under Keras 2 only renames', () => {
  const [finding] = analyze(source, { kerasVersion: '2' });
  assert.equal(finding?.severity, 'warning');
  assert.equal(finding.fixes.length, 1);
  assert.equal(applyEdits(source, finding.fixes[0]!.edits), source.replace('fit_generator', 'fit'));
});

test('KSM402 with an unknown version names both behaviours and offers both fixes', () => {
  const [finding] = analyze(source);
  assert.equal(finding?.severity, 'warning');
  assert.match(finding.message, /fails under Keras 3.*working under Keras 2/);
  assert.deepEqual(finding.fixes.map((f) => f.applicability), ['safe', 'unsafe']);
});

test('KSM402 renames the generator= keyword to x=', () => {
  const text = 'import keras\nm = keras.Sequential()\nm.predict_generator(generator=gen, steps=3)\n';
  const [finding] = analyze(text);
  assert.equal(applyEdits(text, finding!.fixes[0]!.edits), 'import keras\nm = keras.Sequential()\nm.predict(x=gen, steps=3)\n');
});
