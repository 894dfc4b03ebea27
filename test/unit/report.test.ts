import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initParser } from '../../server/src/engine/analysis/parser';
import { defaultSettings } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';

before(() => initParser());

const source = [
  'import numpy as np',
  'import keras',
  'x = np.zeros((10, 5, 2))',
  'ready = keras.Sequential([keras.Input(shape=(5, 2)), keras.layers.LSTM(4), keras.layers.Dense(1)])',
  'ready.compile(optimizer="adam", loss="mse")',
  'ready.fit(x, x[:, 0, :1])',
  'ready.save("ready.keras")',
  'blocked = keras.Sequential([keras.layers.LSTM(4), keras.layers.Dense(1)])',
  'blocked.save("blocked.keras")',
  'blocked.export("served")',
  'sketch = keras.Sequential([keras.layers.Dense(3)])',
  '',
].join('\n');

test('the report lists each model with its saves, checks and verdict', () => {
  const { models } = analyzeText(source, defaultSettings);
  assert.deepEqual(models.map((m) => [m.name, m.verdict, m.blocking]), [
    ['ready', 'ready', 0],
    ['blocked', 'not-ready', 1],
    ['sketch', 'ready', 0],
  ]);
  const [ready, blocked, sketch] = models;
  assert.deepEqual(ready!.saves.map((s) => [s.method, s.range.start.line]), [['save', 6]]);
  assert.ok(ready!.checks.every((c) => c.status === 'pass'));
  assert.deepEqual(blocked!.saves.map((s) => s.method), ['save', 'export']);
  const byId = new Map(blocked!.checks.map((c) => [c.id, c]));
  assert.equal(byId.get('input-shape')!.status, 'fail');
  assert.deepEqual(byId.get('input-shape')!.problems.map((p) => [p.code, p.severity, p.range.start.line]), [['KSM301', 'error', 7]]);
  assert.equal(byId.get('compile')!.status, 'fail');
  assert.equal(byId.get('compile')!.problems[0]!.severity, 'warning');
  assert.deepEqual(blocked!.definition.start, { line: 7, character: 10 });
  // A model never saved gets a hint, which does not block.
  assert.equal(sketch!.checks.find((c) => c.id === 'input-shape')!.status, 'fail');
});

test('settings apply to the report: a rule off shows as off, a severity change changes the verdict', () => {
  const off = analyzeText(source, { ...defaultSettings, rules: { 'lstm-missing-input-shape': 'off', KSM302: 'off', KSM303: 'off' } });
  const blocked = off.models.find((m) => m.name === 'blocked')!;
  assert.equal(blocked.checks.find((c) => c.id === 'input-shape')!.status, 'off');
  assert.equal(blocked.verdict, 'ready');
  const raised = analyzeText(source, { ...defaultSettings, rules: { KSM101: 'error' } });
  assert.equal(raised.models.find((m) => m.name === 'blocked')!.blocking, 2);
});

test('rule settings match codes and names in any case', () => {
  const codes = (rules: Record<string, 'off' | 'error'>) => analyzeText(source, { ...defaultSettings, rules }).findings.map((f) => `${f.code}:${f.severity}`);
  const all = codes({});
  assert.ok(all.some((c) => c.startsWith('KSM101:')));
  for (const key of ['KSM101', 'ksm101', 'Ksm101', 'save-before-compile', 'Save-Before-Compile']) {
    assert.ok(!codes({ [key]: 'off' }).some((c) => c.startsWith('KSM101:')), key);
  }
  assert.ok(codes({ Ksm101: 'error' }).includes('KSM101:error'));
});

test('the report names the Keras version and where it came from', () => {
  assert.deepEqual(analyzeText(source, defaultSettings).version, { major: 3, source: '`keras.Input` with `import keras` (line 4)' });
  assert.deepEqual(analyzeText('import tf_keras as keras\n', defaultSettings).version, { major: 2, source: '`tf_keras` import (line 1)' });
  assert.deepEqual(analyzeText('import tensorflow as tf\n', defaultSettings).version, { major: undefined, source: 'no evidence in the file' });
  assert.deepEqual(analyzeText('import keras\n', { ...defaultSettings, kerasVersion: '3' }).version, { major: 3, source: 'the kerasVersion setting' });
  // The setting says which Keras the `keras` package is; tf_keras stays Keras 2.
  assert.deepEqual(analyzeText('import tf_keras\n', { ...defaultSettings, kerasVersion: '3' }).version, { major: 2, source: '`tf_keras` import (line 1)' });
});

test('asked for it, the report judges each model under Keras 2 and under Keras 3 over the same facts', () => {
  const text = 'import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])\nm.compile(loss="mse")\nm.save("exported_model")\n';
  assert.equal(analyzeText(text, defaultSettings).models[0]!.byVersion, undefined, 'only when asked for');
  const [model] = analyzeText(text, defaultSettings, { versionView: true }).models;
  assert.equal(model!.verdict, 'ready', 'unknown version: KSM502 is a warning');
  assert.deepEqual(model!.byVersion!.keras2, { verdict: 'ready', blocking: [] });
  assert.equal(model!.byVersion!.keras3.verdict, 'not-ready');
  assert.deepEqual(model!.byVersion!.keras3.blocking.map((p) => [p.code, p.severity, p.range.start.line]), [['KSM502', 'error', 3]]);
  // Under a set version, that column agrees with the report itself.
  const [set] = analyzeText(text, { ...defaultSettings, kerasVersion: '3' }, { versionView: true }).models;
  assert.equal(set!.verdict, set!.byVersion!.keras3.verdict);
  assert.equal(set!.blocking, set!.byVersion!.keras3.blocking.length);
});
