import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM204');

before(() => initParser());

function only(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding {
  const found = analyze(text, settings).filter((f) => f.code === 'KSM204');
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const schedule = [
  'import keras',
  '',
  '',
  'class WarmUp(keras.optimizers.schedules.LearningRateSchedule):',
  '    def __init__(self, peak, steps=100):',
  '        self.peak = peak',
  '',
  '    def __call__(self, step):',
  '        return self.peak',
  '',
  '',
  'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
  'model.compile(optimizer=keras.optimizers.Adam(WarmUp(1e-3)), loss="mse")',
  'model.save("model.keras")',
  '',
].join('\n');

test('KSM204 reports a schedule on its class with the save error, the use site and the save', () => {
  const finding = only(schedule);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 3, character: 6 }, end: { line: 3, character: 12 } });
  assert.equal(finding.message, '`WarmUp`, a custom learning-rate schedule of `model`, defines no `get_config()`');
  assert.equal(
    finding.detail,
    '`model` gets a full-model save. The base `get_config` raises, so the save fails with "NotImplementedError: ' +
    'Learning rate schedule \'WarmUp\' must override `get_config()` in order to be serializable."',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [
    [12, '`WarmUp` is used here in `model`'],
    [13, '`model` is saved here'],
  ]);
});

test('KSM204 fixes a schedule with a plain dict, storing what __init__ never stored (safe)', () => {
  const [fix] = only(schedule).fixes;
  assert.deepEqual([fix!.title, fix!.applicability], ['Add `get_config()` to `WarmUp`', 'safe']);
  assert.equal(applyEdits(schedule, fix!.edits).split('\n').slice(3, 17).join('\n'), [
    'class WarmUp(keras.optimizers.schedules.LearningRateSchedule):',
    '    def __init__(self, peak, steps=100):',
    '        self.steps = steps',
    '        self.peak = peak',
    '',
    '    def get_config(self):',
    '        return {',
    '            "peak": self.peak,',
    '            "steps": self.steps,',
    '        }',
    '',
    '    def __call__(self, step):',
    '        return self.peak',
    '',
  ].join('\n'));
});

test('KSM204 fixes a Loss from the base config and forwards **kwargs, turning a fixed name into a default', () => {
  const text = [
    'import keras',
    '',
    '',
    'class Weighted(keras.losses.Loss):',
    '    def __init__(self, weight):',
    '        super().__init__(name="weighted")',
    '        self.weight = weight',
    '',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss=Weighted(2.0))',
    'model.save("model.keras")',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.match(finding.detail ?? '', /`__init__` of `Weighted` accepts neither `\*\*kwargs` nor `name` and `reduction`: reloading calls `Weighted\(\*\*config\)` with `name` in the config/);
  assert.equal(applyEdits(text, finding.fixes[0]!.edits).split('\n').slice(3, 15).join('\n'), [
    'class Weighted(keras.losses.Loss):',
    '    def __init__(self, weight, **kwargs):',
    '        kwargs.setdefault("name", "weighted")',
    '        super().__init__(**kwargs)',
    '        self.weight = weight',
    '',
    '    def get_config(self):',
    '        config = super().get_config()',
    '        config.update({',
    '            "weight": self.weight,',
    '        })',
    '        return config',
  ].join('\n'));
});

test('KSM204 by base: a regularizer in a Keras 2 SavedModel is a warning; a literal-only metric a warning', () => {
  const regularizer = [
    'import tensorflow as tf',
    'class Penalty(tf.keras.regularizers.Regularizer):',
    '    def __call__(self, x):',
    '        return tf.reduce_sum(x)',
    'model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1, kernel_regularizer=Penalty())])',
    'model.save("saved_model_dir")',
    '',
  ].join('\n');
  assert.equal(only(regularizer, { kerasVersion: '2' }).severity, 'warning');
  assert.equal(only(regularizer.replace('saved_model_dir', 'model.h5'), { kerasVersion: '2' }).severity, 'error');
  const regularizerFix = only(regularizer, { kerasVersion: '2' }).fixes[0]!;
  assert.match(applyEdits(regularizer, regularizerFix.edits), /return tf\.reduce_sum\(x\)\n\n {4}def get_config\(self\):\n {8}return \{\}\n/);
  const metric = [
    'import keras',
    'class Above(keras.metrics.Metric):',
    '    def __init__(self, threshold=0.5, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.threshold = threshold',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss="mse", metrics=[Above()])',
    'model.save("model.keras")',
    '',
  ].join('\n');
  const found = only(metric);
  assert.equal(found.severity, 'warning');
  assert.match(found.detail ?? '', /the base config records only `name` and `dtype`: the reloaded metric silently uses the defaults of `threshold`\.$/);
});

test('KSM204 serializes a parameter that holds a Keras object, with a matching from_config', () => {
  const text = [
    'import keras',
    'class Wrapped(keras.losses.Loss):',
    '    def __init__(self, inner=keras.losses.MeanSquaredError(), **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.inner = inner',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss=Wrapped())',
    'model.save("model.keras")',
    '',
  ].join('\n');
  const [fix] = only(text).fixes;
  assert.equal(fix!.title, 'Add `get_config()` and `from_config()` to `Wrapped`');
  const fixed = applyEdits(text, fix!.edits);
  assert.match(fixed, /"inner": keras\.saving\.serialize_keras_object\(self\.inner\),/);
  assert.match(fixed, /@classmethod\n {4}def from_config\(cls, config\):\n {8}config\["inner"\] = keras\.saving\.deserialize_keras_object\(config\["inner"\]\)\n {8}return cls\(\*\*config\)/);
});
