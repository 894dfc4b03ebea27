import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM506');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM506');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const exported = [
  'import keras',
  'import tensorflow as tf',
  'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
  'model.export("serving/classifier")',
  'restored = keras.models.load_model("serving/classifier")',
  '',
].join('\n');

test('KSM506 (a) anchors on the call, quotes Keras 3, relates the export and offers two unsafe loads', () => {
  const finding = only(exported);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 4, character: 11 }, end: { line: 4, character: 56 } });
  assert.equal(finding.message, 'Keras 3 cannot load the SavedModel that `model.export(…)` writes (line 4)');
  assert.equal(
    finding.detail,
    'Keras 3 `load_model` raises "File format not ' +
    'supported: filepath=serving/classifier. Keras 3 only supports V3 `.keras` files and legacy H5 format files (`.h5` ' +
    'extension). Note that the legacy SavedModel format is not supported by `load_model()` in Keras 3. In order to reload ' +
    'a TensorFlow SavedModel as an inference-only layer in Keras 3, use `keras.layers.TFSMLayer(serving/classifier, ' +
    'call_endpoint=\'serving_default\')` (note that your `call_endpoint` might have a different name)."',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[3, 'The path is written here']]);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability, applyEdits(exported, f.edits).split('\n')[4]]), [
    [
      'Load it as an inference-only layer with `keras.layers.TFSMLayer("serving/classifier", call_endpoint="serving_default")`',
      'unsafe',
      'restored = keras.layers.TFSMLayer("serving/classifier", call_endpoint="serving_default")',
    ],
    ['Load the SavedModel with `tf.saved_model.load("serving/classifier")`', 'unsafe', 'restored = tf.saved_model.load("serving/classifier")'],
  ]);
});

test('KSM506 (a) by version: a warning naming both when unknown, silent under Keras 2', () => {
  const unknown = only(exported.replace('import keras\n', 'from tensorflow import keras\n'), {});
  assert.equal(unknown.severity, 'warning');
  assert.match(unknown.detail ?? '', /^Under Keras 3, which TensorFlow 2\.16 and later install, `load_model` raises ".*" Keras 2 loads a SavedModel directory\.$/);
  assert.deepEqual(findings(exported, { kerasVersion: '2' }), []);
});

const custom = [
  'import keras',
  'class Scale(keras.layers.Layer):',
  '    def call(self, x):',
  '        return x * 2.0',
  'model = keras.Sequential([keras.Input(shape=(4,)), Scale()])',
  'model.save("scaled.keras")',
  'restored = keras.models.load_model("scaled.keras")',
  '',
].join('\n');

test('KSM506 (b) classes: error from Keras 3.9 on, warning for 3.0–3.8; the fix passes custom_objects (safe)', () => {
  const settings = (low: [number, number], high?: [number, number]): Partial<AnalysisSettings> => ({
    projectVersion: { major: 3, source: 'requirements.txt', range: { low, ...(high ? { high } : {}) } },
  });
  const recent = only(custom, settings([3, 9]));
  assert.equal(recent.severity, 'error');
  assert.equal(recent.message, 'This reload lacks `custom_objects` for `Scale`');
  assert.equal(recent.detail, 'The file that `model.save(…)` writes (line 6) holds `Scale`, and no `custom_objects`, `custom_object_scope` or registration supplies it: Keras 3.9 and later import no module of yours and raise "Could not locate class \'Scale\'".');
  const older = only(custom, settings([3, 0], [3, 9]));
  assert.equal(older.severity, 'warning');
  assert.match(older.detail ?? '', /Keras 3\.0–3\.8 import the class's module, so a reload in this script finds it, and one anywhere else fails with "Could not locate class 'Scale'"\.$/);
  const [fix] = recent.fixes;
  assert.deepEqual([fix!.title, fix!.applicability], ['Pass `custom_objects` for `Scale`', 'safe']);
  assert.equal(applyEdits(custom, fix!.edits).split('\n')[6], 'restored = keras.models.load_model("scaled.keras", custom_objects={"Scale": Scale})');
  // Added to the dict the call already passes.
  const partial = custom.replace('load_model("scaled.keras")', 'load_model("scaled.keras", custom_objects={"Other": int})');
  assert.equal(applyEdits(partial, only(partial).fixes[0]!.edits).split('\n')[6], 'restored = keras.models.load_model("scaled.keras", custom_objects={"Other": int, "Scale": Scale})');
  // Registered classes need nothing.
  assert.deepEqual(findings(custom.replace('class Scale', '@keras.saving.register_keras_serializable()\nclass Scale')), []);
});

test('KSM506 (b) passes a closure as the call that made it', () => {
  const text = [
    'import keras',
    'def create_huber(threshold):',
    '    def huber_fn(y_true, y_pred):',
    '        return threshold * keras.ops.abs(y_true - y_pred)',
    '    return huber_fn',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
    'model.compile(optimizer="adam", loss=create_huber(2.0))',
    'model.save("huber.keras")',
    'restored = keras.models.load_model("huber.keras")',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.equal(applyEdits(text, finding.fixes[0]!.edits).split('\n')[8], 'restored = keras.models.load_model("huber.keras", custom_objects={"huber_fn": create_huber(2.0)})');
});

test('KSM506 (c) information under Keras 3.0–3.2 for custom_objects with an `.h5` file; the fix moves them into a scope', () => {
  const text = [
    'import keras',
    'def rmse(y_true, y_pred):',
    '    return y_true - y_pred',
    'def main():',
    '    old = keras.models.load_model("legacy.h5", custom_objects={"rmse": rmse}, compile=True)',
    '    return old',
    '',
  ].join('\n');
  const settings: Partial<AnalysisSettings> = { projectVersion: { major: 3, source: 'requirements.txt', range: { low: [3, 0], high: [3, 3] } } };
  const finding = only(text, settings);
  assert.equal(finding.severity, 'information');
  assert.equal(finding.message, 'Keras 3.0–3.2 do not pass `custom_objects` on to the `.h5` loader');
  assert.equal(finding.detail, 'These objects are therefore not found there; registration and a `custom_object_scope` still reach it.');
  const [fix] = finding.fixes;
  assert.deepEqual([fix!.title, fix!.applicability], ['Pass the custom objects through `with keras.saving.custom_object_scope(…)`', 'safe']);
  assert.equal(applyEdits(text, fix!.edits).split('\n').slice(4, 6).join('\n'), [
    '    with keras.saving.custom_object_scope({"rmse": rmse}):',
    '        old = keras.models.load_model("legacy.h5", compile=True)',
  ].join('\n'));
  assert.deepEqual(findings(text, { projectVersion: { major: 3, source: 'requirements.txt', range: { low: [3, 3] } } }), []);
});
