import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM303');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM303');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

/** Each fix as [title, applicability, the fixed text]. */
function fixes(text: string, finding: Finding): Array<[string, string, string]> {
  return finding.fixes.map((fix) => [fix.title, fix.applicability, applyEdits(text, fix.edits)]);
}

const header = 'from tensorflow import keras\nfrom tensorflow.keras import layers\n';

test('KSM303 `batch_input_shape` on a first layer: anchored on the argument, an unsafe Input with the batch size', () => {
  const text = `${header}model = keras.Sequential([\n    layers.LSTM(32, stateful=True, batch_input_shape=(16, 10, 8)),\n    layers.Dense(1),\n])\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 3, character: 35 }, end: { line: 3, character: 64 } });
  assert.equal(finding.message, 'Keras 3 removed `batch_input_shape`');
  assert.equal(
    finding.detail,
    'Keras 3 raises "Unrecognized keyword arguments passed to LSTM: {\'batch_input_shape\': …}". ' +
    'Declare the input with `Input(shape=..., batch_size=...)`.',
  );
  assert.deepEqual(fixes(text, finding), [[
    'Declare the input with `keras.Input(shape=(10, 8), batch_size=16)` (check: a stateful model needs this batch size)', 'unsafe',
    `${header}model = keras.Sequential([\n    keras.Input(shape=(10, 8), batch_size=16),\n    layers.LSTM(32, stateful=True),\n    layers.Dense(1),\n])\n`,
  ]]);
});

test('KSM303 a `None` batch gives a safe fix, inline and before an `add`', () => {
  const inline = `${header}model = keras.Sequential([layers.Dense(4, batch_input_shape=(None, 3)), layers.Dense(1)])\n`;
  assert.deepEqual(fixes(inline, only(inline)), [[
    'Declare the input with `keras.Input(shape=(3,))`', 'safe',
    `${header}model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4), layers.Dense(1)])\n`,
  ]]);
  const added = `${header}def build():\n    model = keras.Sequential()\n    model.add(layers.Dense(4, batch_input_shape=(None, 3)))\n    return model\n`;
  assert.equal(fixes(added, only(added))[0]![2], `${header}def build():\n    model = keras.Sequential()\n    model.add(keras.Input(shape=(3,)))\n    model.add(layers.Dense(4))\n    return model\n`);
});

test('KSM303 `Input(batch_input_shape=...)` is a TypeError; the fix rewrites the argument', () => {
  const text = `${header}inputs = keras.Input(batch_input_shape=(None, 28, 28))\n`;
  const finding = only(text);
  assert.equal(finding.detail, 'Keras 3 raises `TypeError`: `Input` takes no `**kwargs`. Declare the input with `Input(shape=..., batch_size=...)`.');
  assert.deepEqual(fixes(text, finding), [['Use `shape=(28, 28)`', 'safe', `${header}inputs = keras.Input(shape=(28, 28))\n`]]);
});

test('KSM303 on a layer called on a tensor, the argument is removed; a layer that is not called keeps no fix', () => {
  const called = `${header}inputs = keras.Input(shape=(4,))\nmiddle = layers.Dense(4, batch_input_shape=(None, 4))(inputs)\n`;
  assert.deepEqual(fixes(called, only(called)), [[
    'Remove `batch_input_shape=`: the layer takes its shape from the tensor it is called on', 'safe',
    `${header}inputs = keras.Input(shape=(4,))\nmiddle = layers.Dense(4)(inputs)\n`,
  ]]);
  const kept = `${header}dense = layers.Dense(4, batch_input_shape=(None, 4))\n`;
  assert.deepEqual(only(kept).fixes, []);
});

test('KSM303 `Input(tensor=...)` of a backend variable: the message explains, no fix', () => {
  const text = `${header}from tensorflow.keras import backend as K\nimport numpy as np\nw = K.variable(np.ones((2, 2)))\nx = keras.Input(tensor=w)\n`;
  const finding = only(text);
  assert.equal(finding.message, '`tensor=` is given a concrete value, which Keras 3 rejects');
  assert.equal(
    finding.detail,
    'Keras 3 raises "Argument `input_tensor` must be a KerasTensor. Received invalid type: …": `K.variable` makes a concrete ' +
    'value, not a symbolic tensor. Declare `Input(shape=...)` and feed the value as data when the model is called or fitted.',
  );
  assert.deepEqual(finding.fixes, []);
  assert.equal(only(text, {}).message, '`tensor=` is given a concrete value, which fails under Keras 3');
  assert.match(only(text, {}).detail ?? '', /^Keras 3, which TensorFlow 2\.16 and later install, raises .*; Keras 2 accepts it\./);
  assert.equal(only(text, {}).severity, 'warning');
});
