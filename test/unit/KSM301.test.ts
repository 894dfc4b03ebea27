import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM301');

before(() => initParser());

function ksm301(text: string, kerasVersion: '2' | '3' | 'auto' = 'auto'): Finding {
  const finding = analyze(text, { kerasVersion }).find((f) => f.code === 'KSM301');
  assert.ok(finding, 'expected a KSM301 finding');
  return finding;
}

test('KSM301 inserts keras.Input on its own line when the layers are one per line', () => {
  const text = [
    'import numpy as np',
    'from tensorflow import keras',
    'x = np.zeros((64, 12, 5))',
    'model = keras.Sequential([',
    '    keras.layers.LSTM(8),',
    '    keras.layers.Dense(1),',
    '])',
    'model.save("m.keras")',
    'model.fit(x, x[:, 0, :1])',
    '',
  ].join('\n');
  const finding = ksm301(text);
  assert.deepEqual(finding.range.start, { line: 4, character: 4 });
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.related.map((r) => r.range.start.line), [7]);
  const [input, inputShape] = finding.fixes;
  assert.equal(input!.applicability, 'safe');
  assert.equal(input!.preferred, true);
  assert.equal(applyEdits(text, input!.edits).split('\n').slice(3, 7).join('\n'), [
    'model = keras.Sequential([',
    '    keras.Input(shape=(12, 5)),',
    '    keras.layers.LSTM(8),',
    '    keras.layers.Dense(1),',
  ].join('\n'));
  assert.match(applyEdits(text, inputShape!.edits), /keras\.layers\.LSTM\(8, input_shape=\(12, 5\)\),/);
});

test('KSM301 reads (None, F) when only the feature count is visible, through names and reshape', () => {
  const text = [
    'import numpy as np',
    'import tensorflow as tf',
    'features = 3',
    'series = np.arange(300.0)',
    'x = series.reshape(-1, window, features)',
    'model = tf.keras.Sequential([tf.keras.layers.GRU(4), tf.keras.layers.Dense(1)])',
    'model.fit(x, y)',
    'model.save("m.keras")',
    '',
  ].join('\n');
  const finding = ksm301(text);
  assert.equal(finding.severity, 'information');
  assert.equal(finding.fixes[0]!.title, 'Insert `tf.keras.Input(shape=(None, 3))` as the first layer');
  assert.match(applyEdits(text, finding.fixes[0]!.edits), /Sequential\(\[tf\.keras\.Input\(shape=\(None, 3\)\), tf\.keras\.layers\.GRU\(4\)/);
});

test('KSM301 adds an Input before the first add() and extends a from-import to spell it', () => {
  const text = [
    'from tensorflow.keras.models import Sequential',
    'from tensorflow.keras.layers import LSTM, Dense',
    'model = Sequential()',
    'model.add(LSTM(32))',
    'model.add(Dense(1))',
    'model.save("saved_model")',
    '',
  ].join('\n');
  const finding = ksm301(text);
  assert.deepEqual(finding.range.start, { line: 3, character: 10 });
  const fixed = applyEdits(text, finding.fixes[0]!.edits);
  assert.equal(fixed, [
    'from tensorflow.keras.models import Sequential',
    'from tensorflow.keras.layers import LSTM, Dense, Input',
    'model = Sequential()',
    'model.add(Input(shape=(None, 1)))',
    'model.add(LSTM(32))',
    'model.add(Dense(1))',
    'model.save("saved_model")',
    '',
  ].join('\n'));
  assert.equal(finding.fixes[0]!.applicability, 'unsafe');
  assert.match(finding.fixes[0]!.title, /check the shape/);
  assert.equal(finding.fixes[0]!.edits[0]!.snippet, '' + 'model.add(Input(shape=(${1:None}, ${2:1})))\n');
});

test('KSM301 prefers input_shape= under Keras 2 and keras.Input under Keras 3', () => {
  const text = 'import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.LSTM(4)])\nm.save("m")\n';
  assert.match(ksm301(text, '2').fixes[0]!.title, /^Add `input_shape=/);
  assert.match(ksm301(text, '3').fixes[0]!.title, /^Insert `tf\.keras\.Input/);
  assert.match(ksm301(text, 'auto').fixes[0]!.title, /^Insert `tf\.keras\.Input/);
});

test('KSM301 names the Keras 3 consequence of exporting an unbuilt model', () => {
  const text = 'import keras\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.export("served")\n';
  assert.equal(ksm301(text, '3').message, '`m` is saved before it is built: its first layer `LSTM` has no input shape');
  assert.match(ksm301(text, '3').detail ?? '', /refuses to export/);
  assert.match(ksm301(text, '2').detail ?? '', /input shape is not available/);
});

test('KSM301 counts a full-model ModelCheckpoint as a save after a build step', () => {
  const text = [
    'from tensorflow import keras',
    'model = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss="mse")',
    'model.fit(x, y, callbacks=[keras.callbacks.ModelCheckpoint("best.keras")])',
    '',
  ].join('\n');
  const finding = ksm301(text);
  assert.equal(finding.severity, 'information');
  assert.equal(finding.message, 'The recurrent first layer `LSTM` of `model` declares no input shape');
  assert.equal(
    finding.detail,
    '`model` is saved by a `ModelCheckpoint` during training, which builds it first. ' +
      'Declare it so saving does not depend on that order and the serving signature is fixed.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start, r.message]), [
    [{ line: 3, character: 27 }, '`model` is saved by this `ModelCheckpoint` during `fit`'],
  ]);
});

test('KSM301 names a model with no name of its own by the function that returns it', () => {
  const text = [
    'from tensorflow import keras',
    'def build_model():',
    '    return keras.Sequential([keras.layers.GRU(8), keras.layers.Dense(1)])',
    '',
  ].join('\n');
  const finding = ksm301(text);
  assert.equal(finding.severity, 'hint');
  assert.equal(finding.message, 'The recurrent first layer `GRU` of the model returned by `build_model()` declares no input shape');
  assert.equal(finding.detail, 'The model has no weights until it first sees data.');
  assert.doesNotMatch(finding.message, /<returned>/);
});
