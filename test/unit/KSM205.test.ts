import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM205');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM205');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const lossFile = [
  'import keras',
  '',
  '',
  'def rmse(y_true, y_pred):',
  '    return keras.ops.sqrt(keras.ops.mean(keras.ops.square(y_true - y_pred)))',
  '',
  '',
  'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
  'model.compile(optimizer="adam", loss=rmse)',
  'model.save("regressor.keras")',
  '',
].join('\n');

test('KSM205 anchors on the use site, names the Keras 3 error, and relates the def and the save', () => {
  const finding = only(lossFile);
  assert.equal(finding.severity, 'warning');
  assert.deepEqual(finding.range, { start: { line: 8, character: 37 }, end: { line: 8, character: 41 } });
  assert.equal(finding.message, '`rmse`, the loss of `model`, is not registered');
  assert.equal(
    finding.detail,
    '`model` gets a full-model save. Keras 3 stores only the ' +
    'function\'s name, and loading raises "Could not locate function \'rmse\'" unless the loading code registers it ' +
    'or passes it in `custom_objects`.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [
    [3, '`rmse` is defined here'],
    [9, '`model` is saved here'],
  ]);
});

test('KSM205 registers the function in the file\'s spelling, by version (safe)', () => {
  const [fix] = only(lossFile).fixes;
  assert.equal(fix!.title, 'Register `rmse` with `@keras.saving.register_keras_serializable()`');
  assert.equal(fix!.applicability, 'safe');
  assert.match(applyEdits(lossFile, fix!.edits), /\n\n@keras\.saving\.register_keras_serializable\(\)\ndef rmse\(/);
  // Unknown version: `keras.utils`, which every version has; the message names both behaviours.
  const tf = lossFile.replace('import keras', 'import tensorflow as tf\nkeras = tf.keras').replace(/keras\.Sequential/, 'tf.keras.Sequential');
  const unknown = only(tf, {});
  assert.equal(unknown.fixes[0]!.title, 'Register `rmse` with `@tf.keras.utils.register_keras_serializable()`');
  assert.match(unknown.detail ?? '', /Under Keras 3, which TensorFlow 2\.16 and later install, the file stores only its name and loading raises "Could not locate function 'rmse'"; Keras 2 `\.keras` files store only its name too, and loading raises "Could not locate function 'rmse'"; both unless/);
});

test('KSM205 names the Keras 2 behaviour by format and place', () => {
  const h5 = lossFile.replace('regressor.keras', 'regressor.h5');
  assert.match(only(h5, { kerasVersion: '2' }).detail ?? '', /Keras 2\.13–2\.15 load the file, then `fit`\/`evaluate` raise "Unknown loss function: 'rmse'" \(Keras 2\.12 and earlier raise it at load\)/);
  assert.match(only(lossFile, { kerasVersion: '2' }).detail ?? '', /Keras 2 `\.keras` files store only its name too, and loading raises "Could not locate function 'rmse'"/);
  const activation = 'import keras\n\ndef act(x):\n    return x\n\nm = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation=act)])\nm.save("m.h5")\n';
  const found = only(activation, { kerasVersion: '2' });
  assert.equal(found.message, '`act`, the activation of a `Dense` layer of `m`, is not registered');
  assert.match(found.detail ?? '', /loading raises "Unknown activation function 'act' cannot be deserialized\."/);
});

test('KSM205 is an error when the same file reloads the path without the function', () => {
  const text = `${lossFile}restored = keras.models.load_model("regressor.keras")\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.match(finding.detail ?? '', / This file reloads it at line 11 without supplying it\.$/);
  assert.deepEqual(finding.related.map((r) => r.message).pop(), 'The saved file is reloaded here');
  // Supplying it anywhere in the file silences the rule.
  assert.deepEqual(findings(`${lossFile}restored = keras.models.load_model("regressor.keras", custom_objects={"rmse": rmse})\n`), []);
});

test('KSM205 turns a closure used as a loss into a registered Loss subclass (unsafe)', () => {
  const text = [
    'import keras',
    '',
    '',
    'def create_huber(threshold=1.0):',
    '    def huber_fn(y_true, y_pred):',
    '        return keras.ops.abs(y_true - y_pred) * threshold',
    '    return huber_fn',
    '',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss=create_huber(2.0))',
    'model.save("huber.keras")',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(finding.severity, 'warning');
  assert.equal(finding.message, '`create_huber(2.0)`, the loss of `model`, is a closure whose captured values are not saved');
  assert.match(finding.detail ?? '', /^`model` gets a full-model save\. The file keeps only the name of the closure `huber_fn`, never the values it captured/);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [['Turn `create_huber` into the `Loss` subclass `HuberFn`', 'unsafe']]);
  assert.equal(applyEdits(text, finding.fixes[0]!.edits), [
    'import keras',
    '',
    '',
    'def create_huber(threshold=1.0):',
    '    def huber_fn(y_true, y_pred):',
    '        return keras.ops.abs(y_true - y_pred) * threshold',
    '    return huber_fn',
    '',
    '',
    '@keras.saving.register_keras_serializable()',
    'class HuberFn(keras.losses.Loss):',
    '    def __init__(self, threshold=1.0, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.threshold = threshold',
    '',
    '    def call(self, y_true, y_pred):',
    '        threshold = self.threshold',
    '        return keras.ops.abs(y_true - y_pred) * threshold',
    '',
    '    def get_config(self):',
    '        config = super().get_config()',
    '        config.update({',
    '            "threshold": self.threshold,',
    '        })',
    '        return config',
    '',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss=HuberFn(2.0))',
    'model.save("huber.keras")',
    '',
  ].join('\n'));
  // The generated class is registered, has its config and forwards **kwargs: no finding of its own.
  assert.deepEqual(analyze(applyEdits(text, finding.fixes[0]!.edits), { kerasVersion: '3' }).map((f) => f.code), []);
});

test('KSM205 turns a closure used as a metric into a registered Mean subclass that keeps the metric\'s name (unsafe)', () => {
  const text = [
    'import keras',
    '',
    '',
    'def within(tolerance):',
    '    """Share of predictions within `tolerance` of the target."""',
    '    @keras.saving.register_keras_serializable()',
    '    def within_tolerance(y_true, y_pred):',
    '        return keras.ops.cast(keras.ops.abs(y_true - y_pred) < tolerance, "float32")',
    '',
    '    return within_tolerance',
    '',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss="mse", metrics=[within(0.1)])',
    'model.save("within.keras")',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(finding.message, '`within(0.1)`, a metric of `model`, is a closure whose captured values are not saved');
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [['Turn `within` into the `Mean` subclass `WithinTolerance`', 'unsafe']]);
  const fixed = applyEdits(text, finding.fixes[0]!.edits);
  assert.equal(fixed, [
    ...text.split('\n').slice(0, 10),
    '',
    '',
    '@keras.saving.register_keras_serializable()',
    'class WithinTolerance(keras.metrics.Mean):',
    '    def __init__(self, tolerance, name="within_tolerance", **kwargs):',
    '        super().__init__(name=name, **kwargs)',
    '        self.tolerance = tolerance',
    '',
    '    def update_state(self, y_true, y_pred, sample_weight=None):',
    '        return super().update_state(self.within_tolerance(y_true, y_pred), sample_weight=sample_weight)',
    '',
    '    def within_tolerance(self, y_true, y_pred):',
    '        tolerance = self.tolerance',
    '        return keras.ops.cast(keras.ops.abs(y_true - y_pred) < tolerance, "float32")',
    '',
    '    def get_config(self):',
    '        config = super().get_config()',
    '        config.update({',
    '            "tolerance": self.tolerance,',
    '        })',
    '        return config',
    '',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss="mse", metrics=[WithinTolerance(0.1)])',
    'model.save("within.keras")',
    '',
  ].join('\n'));
  assert.deepEqual(analyze(fixed, { kerasVersion: '3' }).map((f) => f.code), []);
  assert.deepEqual(analyze(fixed, { kerasVersion: '2' }).map((f) => f.code), []);
});

test('KSM205 offers no class for a closure the factory does more around, or whose parameters a base class already takes', () => {
  const factory = (params: string, before = '') => [
    'import keras',
    '',
    '',
    `def make(${params}):`,
    ...(before ? [`    ${before}`] : []),
    '    def scaled(y_true, y_pred):',
    '        return keras.ops.mean(keras.ops.abs(y_true - y_pred)) * factor',
    '    return scaled',
    '',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss=make(2.0))',
    'model.save("scaled.keras")',
    '',
  ].join('\n');
  assert.equal(only(factory('factor')).fixes.length, 1);
  // The factory computes something the closure captures: the class would have to repeat it.
  assert.deepEqual(only(factory('scale', 'factor = scale * 2')).fixes, []);
  // `name` is the Loss's own parameter: the config would hold it twice.
  assert.deepEqual(only(factory('factor, name="scaled"')).fixes, []);
  // A decorator other than registration changes what the function is.
  assert.deepEqual(only(factory('factor').replace('    def scaled', '    @tf.function\n    def scaled')).fixes, []);
});

test('KSM205 leaves Keras 2 Lambda functions to KSM503, and flags them under Keras 3', () => {
  const text = 'import keras\n\ndef double(x):\n    return x * 2\n\nm = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Lambda(double)])\nm.save("m.keras")\n';
  assert.deepEqual(findings(text, { kerasVersion: '2' }), []);
  assert.match(only(text).message, /^`double`, the function of a `Lambda` layer of `m`, /);
});

test('KSM205 on the function of a Lambda also offers replacing the Lambda: a built-in layer, or a registered custom layer', () => {
  const lambdaOf = (fn: string, body: string) => [
    'import keras', 'from keras import layers', '', '', `def ${fn}(x):`, `    return ${body}`, '', '',
    `model = keras.Sequential([keras.Input(shape=(4,)), layers.Lambda(${fn}), layers.Dense(1)])`,
    'model.compile(optimizer="adam", loss="mse")', 'model.save("m.keras")', '',
  ].join('\n');
  const text = lambdaOf('scale', 'x * 2.0');
  const finding = only(text);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [
    ['Register `scale` with `@keras.saving.register_keras_serializable()`', 'safe'],
    ['Replace the `Lambda` with a registered custom layer `LambdaLayer`', 'unsafe'],
  ]);
  const replaced = applyEdits(text, finding.fixes[1]!.edits);
  assert.ok(replaced.includes('@keras.saving.register_keras_serializable()\nclass LambdaLayer(layers.Layer):\n    def call(self, inputs):\n        return scale(inputs)\n'), replaced);
  assert.ok(replaced.includes('layers.Dense(1)])') && replaced.includes('LambdaLayer(), layers.Dense(1)'));
  assert.deepEqual(analyze(replaced, { kerasVersion: '3' }), [], 'the generated layer raises nothing');
  // `output_shape=fn` is registered only: the Lambda's function is what a replacement would take.
  const shaped = lambdaOf('scale', 'x * 2.0').replace('layers.Lambda(scale)', 'layers.Lambda(lambda t: t, output_shape=scale)');
  const shapeFinding = findings(shaped).find((f) => f.message.includes('`output_shape`'));
  assert.deepEqual(shapeFinding?.fixes.map((f) => f.applicability), ['safe']);
});
