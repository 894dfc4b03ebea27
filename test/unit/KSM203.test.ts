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
  assert.equal(finding.message, '`Scale`, used in `m`, is not registered');
  assert.equal(
    finding.detail,
    '`m` is saved in the `.keras` format. From Keras 3.9 on, any ' +
    'reload without registration or `custom_objects` fails with "Could not locate class \'Scale\'"; Keras 3.0–3.8 ' +
    'and 2.13–2.15 import the module that defines it, so a reload in the same script, or in a program that can ' +
    'import that module, works, and anywhere else fails the same way.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[10, '`m` is saved here']]);
  // With the version unknown, the spelling that every Keras version has.
  assert.equal(finding.fixes[0]!.title, 'Register `Scale` with `@tf.keras.utils.register_keras_serializable()`');
  assert.equal(fixed(text, finding), [
    'import functools',
    'import tensorflow as tf',
    '',
    'def build():',
    '    @tf.keras.utils.register_keras_serializable()',
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
    'from tensorflow.keras.utils import register_keras_serializable',
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
  // An import of keras.saving is extended instead (under Keras 3, where the decorator lives there).
  const extended = 'from keras.saving import load_model\nfrom keras import layers, Sequential\n\nclass S(layers.Layer):\n    pass\n\nm = Sequential([S()])\nm.save("m.keras")\n';
  assert.equal(
    fixed(extended, only(extended, { kerasVersion: '3' })),
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
    'from tensorflow.keras.utils import register_keras_serializable',
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
    'from keras.layers import Layer\nfrom keras.models import Sequential\nfrom keras.utils import register_keras_serializable\n\n' +
    'class Base(Layer):\n    pass\n\n@register_keras_serializable()\nclass Scale(Base):\n    pass\n\nm = Sequential([Scale()])\nm.save("m.keras")\n',
  );
});

const scaled = [
  'import keras',
  '',
  'class Scale(keras.layers.Layer):',
  '    pass',
  '',
  'm = keras.Sequential([keras.Input(shape=(4,)), Scale()])',
  '',
].join('\n');

function pinned(low: [number, number], high?: [number, number]): Partial<AnalysisSettings> {
  return { projectVersion: { major: 3, source: 'requirements.txt', range: { low, ...(high ? { high } : {}) } } };
}

test('KSM203 says what reloading does by the loading Keras', () => {
  const keras = `${scaled}m.save("m.keras")\n`;
  assert.equal(
    only(keras, pinned([3, 9], [3, 12])).detail,
    '`m` is saved in the `.keras` format. Keras 3.9 and later import ' +
      'no module of yours at load, so any reload without registration or `custom_objects` fails with "Could not ' +
      'locate class \'Scale\'. Make sure custom classes are decorated with `@keras.saving.register_keras_serializable()`."',
  );
  assert.match(
    only(keras, pinned([3, 12])).detail ?? '',
    /fails with "Could not locate class 'Scale'\. Make sure custom classes and functions are decorated with `@keras\.saving\.register_keras_serializable\(\)`\. If they are already decorated, make sure they are all imported so that the decorator is run before trying to load them\."$/,
  );
  assert.equal(
    only(keras, pinned([3, 0], [3, 9])).detail,
    '`m` is saved in the `.keras` format. Keras 3.0–3.8 import the ' +
      'module that defines it, so a reload in the same script, or in a program that can import that module, works; ' +
      'anywhere else it fails with "Could not locate class \'Scale\'. Make sure custom classes are decorated with ' +
      '`@keras.saving.register_keras_serializable()`."',
  );
  assert.match(only(keras, { kerasVersion: '3' }).detail ?? '', /\. From Keras 3\.9 on, any reload .*; Keras 3\.0–3\.8 import the module/);
  assert.match(only(keras, { kerasVersion: '2' }).detail ?? '', /\. Keras 2\.13–2\.15 import the module that defines it/);
});

test('KSM203 quotes the legacy loader for `.h5` saves under every version', () => {
  const h5 = `${scaled}m.save("m.h5")\n`;
  for (const kerasVersion of ['2', '3', 'auto'] as const) {
    assert.equal(
      only(h5, { kerasVersion }).detail,
      '`m` is saved in the `.h5` format. The `.h5` loader looks only ' +
        'at registered classes and `custom_objects`, never at the module that defines it, so any reload without ' +
        'registration or `custom_objects` fails with "Unknown layer: \'Scale\'. Please ensure you are using a ' +
        '`keras.utils.custom_object_scope` and that this object is included in the scope."',
      kerasVersion,
    );
  }
});

test('KSM203 counts a ModelCheckpoint as a save, named as such', () => {
  const text = `${scaled}m.compile(loss="mse")\nm.fit(x, y, callbacks=[keras.callbacks.ModelCheckpoint("best.keras")])\n`;
  const finding = only(text, { kerasVersion: '3' });
  assert.equal(finding.message, '`Scale`, used in `m`, is not registered');
  assert.match(finding.detail ?? '', /^`m` is saved in the `\.keras` format by a `ModelCheckpoint`\. /);
  assert.deepEqual(finding.related.map((r) => [r.range.start, r.message]), [
    [{ line: 7, character: 23 }, '`m` is saved here, by this `ModelCheckpoint` during `fit`'],
  ]);
  const extensionless = `${scaled}m.fit(x, y, callbacks=[keras.callbacks.ModelCheckpoint("ckpt")])\n`;
  assert.match(only(extensionless, { kerasVersion: '3' }).detail ?? '', /is saved under Keras 3 by a `ModelCheckpoint`/);
  // With no version evidence (`keras.Input` with `import keras` would be some), an extensionless path is not such a save.
  const unknown = extensionless.replace('import keras', 'from tensorflow import keras');
  assert.deepEqual(analyze(unknown).filter((f) => f.code === 'KSM203'), []);
});

test('KSM203 spells the decorator by version: keras.saving from 2.12 or Keras 3, keras.utils otherwise', () => {
  // `keras.Input` with `import keras` would be Keras 3 evidence: spelled through TensorFlow here.
  const keras = `${scaled}m.save("m.keras")\n`.replace('import keras', 'from tensorflow import keras');
  const title = (settings: Partial<AnalysisSettings>) => only(keras, settings).fixes[0]!.title;
  assert.equal(title({ kerasVersion: '3' }), 'Register `Scale` with `@keras.saving.register_keras_serializable()`');
  assert.equal(title({ projectVersion: { major: 2, source: 'requirements.txt', range: { low: [2, 12] } } }), 'Register `Scale` with `@keras.saving.register_keras_serializable()`');
  assert.equal(title({ projectVersion: { major: 2, source: 'requirements.txt', range: { high: [2, 12] } } }), 'Register `Scale` with `@keras.utils.register_keras_serializable()`');
  assert.equal(title({ kerasVersion: '2' }), 'Register `Scale` with `@keras.utils.register_keras_serializable()`');
  assert.equal(title({}), 'Register `Scale` with `@keras.utils.register_keras_serializable()`');
  // In the file's own spelling of keras.
  const aliased = keras.replace('import keras', 'from tensorflow import keras as K').replace(/keras\./g, 'K.');
  assert.equal(only(aliased, { kerasVersion: '3' }).fixes[0]!.title, 'Register `Scale` with `@K.saving.register_keras_serializable()`');
});
