import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { fixAll } from '../../server/src/engine/fix-all';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM203');

before(() => initParser());

function only(text: string, settings: Partial<AnalysisSettings> = {}): Finding {
  const findings = analyze(text, settings).filter((f) => f.code === 'KSM203');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  return findings[0]!;
}

function fixed(text: string, finding: Finding): string {
  assert.equal(finding.fixes.length, 1);
  assert.equal(finding.fixes[0]!.applicability, 'safe');
  assert.equal(finding.fixes[0]!.preferred, true);
  return applyEdits(text, finding.fixes[0]!.edits);
}

test('KSM203 adds the decorator above existing ones, at the class indentation, spelled through the file', () => {
  const text = [
    'import functools',
    'import tensorflow as tf',
    '',
    'def build():',
    '    @functools.total_ordering',
    '    class Scale(tf.keras.layers.Layer):',
    '        def call(self, x):',
    '            return x * 2.0',
    '',
    '    m = tf.keras.Sequential([tf.keras.Input(shape=(4,)), Scale()])',
    '    m.save("scaled.keras")',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(finding.severity, 'information');
  assert.deepEqual(finding.range, { start: { line: 5, character: 10 }, end: { line: 5, character: 15 } });
  assert.equal(
    finding.message,
    '`Scale` is used in `m`, which is saved in the `.keras` format, but is not registered: loading the file where ' +
    '`custom_objects` does not name it fails with "Could not locate class \'Scale\'. Make sure custom classes and ' +
    'functions are decorated with `@keras.saving.register_keras_serializable()`."',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[10, '`m` is saved here']]);
  assert.equal(finding.fixes[0]!.title, 'Register `Scale` with `@tf.keras.saving.register_keras_serializable()`');
  assert.equal(fixed(text, finding), [
    'import functools',
    'import tensorflow as tf',
    '',
    'def build():',
    '    @tf.keras.saving.register_keras_serializable()',
    '    @functools.total_ordering',
    '    class Scale(tf.keras.layers.Layer):',
    '        def call(self, x):',
    '            return x * 2.0',
    '',
    '    m = tf.keras.Sequential([tf.keras.Input(shape=(4,)), Scale()])',
    '    m.save("scaled.keras")',
    '',
  ].join('\n'));
});

test('KSM203 under Keras 2 registers through keras.utils, which every Keras 2 has', () => {
  const body = [
    'class Scale(keras.layers.Layer):',
    '    pass',
    '',
    'm = keras.Sequential([keras.Input(shape=(4,)), Scale()])',
    'm.save("m.keras")',
    '',
  ].join('\n');
  const tfKeras = `import tf_keras as keras\n\n${body}`;
  assert.equal(fixed(tfKeras, only(tfKeras)), `import tf_keras as keras\n\n@keras.utils.register_keras_serializable()\n${body}`);
  const tensorflow = `from tensorflow import keras\n\n${body}`;
  assert.equal(
    fixed(tensorflow, only(tensorflow, { kerasVersion: '2' })),
    `from tensorflow import keras\n\n@keras.utils.register_keras_serializable()\n${body}`,
  );
});

test('KSM203 imports the decorator from the package of the class base when no import reaches it', () => {
  const text = [
    'from tensorflow.keras.layers import Dense, Layer',
    'from tensorflow.keras.models import Sequential',
    '',
    '',
    'class Scale(Layer):',
    '    pass',
    '',
    '',
    'm = Sequential([Dense(4), Scale()])',
    'm.save("m.keras")',
    '',
  ].join('\n');
  assert.equal(fixed(text, only(text)), [
    'from tensorflow.keras.layers import Dense, Layer',
    'from tensorflow.keras.models import Sequential',
    'from tensorflow.keras.saving import register_keras_serializable',
    '',
    '',
    '@register_keras_serializable()',
    'class Scale(Layer):',
    '    pass',
    '',
    '',
    'm = Sequential([Dense(4), Scale()])',
    'm.save("m.keras")',
    '',
  ].join('\n'));
  // An import of keras.saving is extended instead.
  const extended = 'from keras.saving import load_model\nfrom keras import layers, Sequential\n\nclass S(layers.Layer):\n    pass\n\nm = Sequential([S()])\nm.save("m.keras")\n';
  assert.equal(
    fixed(extended, only(extended)),
    'from keras.saving import load_model, register_keras_serializable\nfrom keras import layers, Sequential\n\n' +
    '@register_keras_serializable()\nclass S(layers.Layer):\n    pass\n\nm = Sequential([S()])\nm.save("m.keras")\n',
  );
});

test('KSM203 fix-all registers every class once, sharing one import, and is idempotent', () => {
  const text = [
    'from tensorflow.keras import Model, layers',
    '',
    'class A(layers.Layer):',
    '    pass',
    '',
    'class B(layers.Layer):',
    '    pass',
    '',
    'inputs = layers.Input(shape=(4,))',
    'outputs = B()(A()(inputs))',
    'model = Model(inputs, outputs)',
    'model.save("m.keras")',
    '',
  ].join('\n');
  const settings: AnalysisSettings = { kerasVersion: 'auto', rules: {} };
  const once = fixAll(text, settings).text;
  assert.equal(once, [
    'from tensorflow.keras import Model, layers',
    'from tensorflow.keras.saving import register_keras_serializable',
    '',
    '@register_keras_serializable()',
    'class A(layers.Layer):',
    '    pass',
    '',
    '@register_keras_serializable()',
    'class B(layers.Layer):',
    '    pass',
    '',
    'inputs = layers.Input(shape=(4,))',
    'outputs = B()(A()(inputs))',
    'model = Model(inputs, outputs)',
    'model.save("m.keras")',
    '',
  ].join('\n'));
  assert.equal(fixAll(once, settings).text, once);
});

test('KSM203 feeds the custom-objects check of the saved model without blocking it', () => {
  const text = 'import keras\n\nclass S(keras.layers.Layer):\n    pass\n\nm = keras.Sequential([keras.Input(shape=(2,)), S()])\nm.compile(loss="mse")\nm.save("m.keras")\n';
  const [report] = analyzeText(text, { kerasVersion: 'auto', rules: {} }).models;
  const check = report!.checks.find((c) => c.id === 'custom-objects')!;
  assert.equal(check.status, 'fail');
  assert.deepEqual(check.problems.map((p) => [p.code, p.severity]), [['KSM203', 'information']]);
  assert.equal(report!.verdict, 'ready');
});

test('KSM203 follows a name passed as custom_objects to what is put into it', () => {
  const base = 'import keras\n\nclass S(keras.layers.Layer):\n    pass\n\nm = keras.Sequential([keras.Input(shape=(2,)), S()])\nm.save("m.keras")\n';
  assert.equal(only(base).code, 'KSM203');
  for (const loading of [
    'objs = dict(S=S)\nkeras.models.load_model("m.keras", custom_objects=objs)\n',
    'objs = {}\nobjs.setdefault("S", S)\nkeras.saving.load_model("m.keras", None)\nkeras.models.load_model("m.keras", objs)\n',
    'keras.saving.register_keras_serializable()(S)\n',
  ]) {
    assert.deepEqual(analyze(base + loading).filter((f) => f.code === 'KSM203'), [], loading);
  }
  // A dict that does not hold the class does not count.
  assert.equal(only(`${base}keras.models.load_model("m.keras", custom_objects={"Other": object})\n`).code, 'KSM203');
});

test('KSM203 finds the package to import from through in-file bases', () => {
  const text = 'from keras.layers import Layer\nfrom keras.models import Sequential\n\nclass Base(Layer):\n    pass\n\nclass Scale(Base):\n    pass\n\nm = Sequential([Scale()])\nm.save("m.keras")\n';
  assert.equal(
    fixed(text, only(text)),
    'from keras.layers import Layer\nfrom keras.models import Sequential\nfrom keras.saving import register_keras_serializable\n\n' +
    'class Base(Layer):\n    pass\n\n@register_keras_serializable()\nclass Scale(Base):\n    pass\n\nm = Sequential([Scale()])\nm.save("m.keras")\n',
  );
});
