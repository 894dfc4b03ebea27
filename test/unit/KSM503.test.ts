import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM503');

before(() => initParser());

const text = [
  'import tensorflow as tf',
  'model = tf.keras.Sequential([',
  '    tf.keras.Input(shape=(4,)),',
  '    tf.keras.layers.Lambda(lambda t: t * 2),',
  '    tf.keras.layers.Dense(1),',
  '])',
  'model.save("model.keras")',
  '',
].join('\n');

function only(source: string, settings: Partial<AnalysisSettings> = {}): Finding {
  const findings = analyze(source, settings).filter((f) => f.code === 'KSM503');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  return findings[0]!;
}

test('KSM503 anchors on the Lambda call and names both ways out', () => {
  const finding = only(text);
  assert.equal(finding.severity, 'information');
  assert.deepEqual(finding.range, { start: { line: 3, character: 4 }, end: { line: 3, character: 43 } });
  assert.equal(finding.message, 'This `Lambda` wraps a Python lambda, which Keras 3 refuses in safe mode');
  assert.equal(
    finding.detail,
    'Keras 3 refuses to load it under the default `safe_mode=True`; Keras 2 stores ' +
    'it as bytecode that loads only under the same Python version. To reload the model, load with `safe_mode=False` if ' +
    'you trust the file, or replace it with a custom layer (registered with ' +
    '`@keras.saving.register_keras_serializable()`) or a built-in one.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[6, '`model` is saved here']]);
});

test('KSM503 messages follow the version, and name the argument that holds the lambda', () => {
  assert.match(only(text, { kerasVersion: '3' }).detail ?? '', /^Keras 3 refuses to load it under the default `safe_mode=True`\. To reload/);
  assert.equal(only(text, { kerasVersion: '2' }).message, 'This `Lambda` wraps a Python lambda, which Keras 2 stores as bytecode');
  assert.match(only(text, { kerasVersion: '2' }).detail ?? '', /Keras 2 stores it as bytecode .* and the `\.keras` format refuses it/);
  const shape = text.replace('Lambda(lambda t: t * 2)', 'Lambda(tf.nn.relu, output_shape=lambda s: s)');
  assert.match(only(shape).message, /^The `output_shape` of this `Lambda` is a Python lambda, /);
});

test('KSM503 ties the finding to the saved model in the readiness report, without blocking it', () => {
  const [report] = analyzeText(text, { kerasVersion: 'auto', rules: {} }).models;
  const check = report!.checks.find((c) => c.id === 'save-api')!;
  assert.deepEqual(check.problems.map((p) => p.code), ['KSM503']);
  assert.equal(report!.verdict, 'ready');
});

test('KSM503 is silent once the file opts out of safe mode', () => {
  for (const optOut of ['tf.keras.config.enable_unsafe_deserialization()\n', 'tf.keras.models.load_model("model.keras", safe_mode=False)\n']) {
    assert.deepEqual(analyze(text + optOut).filter((f) => f.code === 'KSM503'), [], optOut);
  }
});

test('KSM503 flags a Lambda around a named function under Keras 2, for `.keras` saves only', () => {
  const named = [
    'import tensorflow as tf',
    'def scale(t):',
    '    return t / 255.0',
    'model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Lambda(scale)])',
    'model.save("model.keras")',
    '',
  ].join('\n');
  const ways = 'To reload the model under Keras 2, load with `safe_mode=False` if you trust the file, or replace it with ' +
    'a custom layer (registered with `@keras.saving.register_keras_serializable()`) or a built-in one.';
  assert.equal(only(named).message, 'This `Lambda` wraps `scale`, which Keras 2 stores as bytecode');
  assert.equal(
    only(named, { kerasVersion: '2' }).detail,
    'Keras 2 stores every `Lambda` function as bytecode, and its `.keras` loader refuses ' +
      `it under the default \`safe_mode=True\` (\`.h5\` and SavedModel loads accept it). ${ways}`,
  );
  assert.equal(
    only(named).detail,
    'Keras 2 stores every `Lambda` function as bytecode, and its `.keras` loader refuses ' +
      'it under the default `safe_mode=True` (`.h5` and SavedModel loads accept it); Keras 3 stores a named function ' +
      `by name instead. ${ways}`,
  );
  assert.deepEqual(analyze(named, { kerasVersion: '3' }).filter((f) => f.code === 'KSM503'), []);
  assert.deepEqual(analyze(named.replace('model.keras', 'model.h5'), { kerasVersion: '2' }).filter((f) => f.code === 'KSM503'), []);
});

test('KSM503 replaces a lambda that is a built-in layer\'s job with that layer, keeping its name', () => {
  const replaced = (lambda: string, settings: Partial<AnalysisSettings> = {}) => {
    const source = text.replace('tf.keras.layers.Lambda(lambda t: t * 2)', lambda);
    const [fix] = only(source, settings).fixes;
    assert.equal(fix!.applicability, 'unsafe');
    return [fix!.title, applyEdits(source, fix!.edits).split('\n')[3]];
  };
  assert.deepEqual(replaced('tf.keras.layers.Lambda(lambda t: t * 2)'), ['Replace the `Lambda` with `tf.keras.layers.Rescaling(2)`', '    tf.keras.layers.Rescaling(2),']);
  assert.deepEqual(replaced('tf.keras.layers.Lambda(lambda x: x / 127.5 - 1, name="scale")'), [
    'Replace the `Lambda` with `tf.keras.layers.Rescaling(1 / 127.5, offset=-1, name="scale")`', '    tf.keras.layers.Rescaling(1 / 127.5, offset=-1, name="scale"),',
  ]);
  assert.deepEqual(replaced('tf.keras.layers.Lambda(lambda x: tf.nn.relu(x))'), ['Replace the `Lambda` with `tf.keras.layers.Activation("relu")`', '    tf.keras.layers.Activation("relu"),']);
  assert.deepEqual(replaced('tf.keras.layers.Lambda(lambda x: tf.keras.activations.sigmoid(x))')[1], '    tf.keras.layers.Activation("sigmoid"),');
});

test('KSM503 turns any other lambda into a registered custom layer above the model, spelled by version', () => {
  const source = text.replace('tf.keras.layers.Lambda(lambda t: t * 2)', 'tf.keras.layers.Lambda(lambda t: tf.reduce_mean(t, axis=-1, keepdims=True) + t.shape[-1])');
  const [fix] = only(source).fixes;
  assert.equal(fix!.title, 'Replace the `Lambda` with a registered custom layer `LambdaLayer`');
  assert.equal(applyEdits(source, fix!.edits), [
    'import tensorflow as tf',
    '@tf.keras.utils.register_keras_serializable()',
    'class LambdaLayer(tf.keras.layers.Layer):',
    '    def call(self, inputs):',
    '        return tf.reduce_mean(inputs, axis=-1, keepdims=True) + inputs.shape[-1]',
    '',
    '',
    'model = tf.keras.Sequential([',
    '    tf.keras.Input(shape=(4,)),',
    '    LambdaLayer(),',
    '    tf.keras.layers.Dense(1),',
    '])',
    'model.save("model.keras")',
    '',
  ].join('\n'));
  // Under Keras 3 the documented home of the decorator; the generated layer raises no finding of its own.
  const keras3 = only(source, { kerasVersion: '3' }).fixes[0]!;
  const fixed = applyEdits(source, keras3.edits);
  assert.match(fixed, /@tf\.keras\.saving\.register_keras_serializable\(\)/);
  assert.deepEqual(analyze(fixed, { kerasVersion: '3' }).map((f) => f.code).filter((c) => c.startsWith('KSM2') || c === 'KSM503'), []);
  // `arguments` would be lost: no fix. The output shape the replacement computes itself.
  assert.deepEqual(only(source.replace('keepdims=True) + t.shape[-1])', 'keepdims=True), arguments={"k": 1})')).fixes, []);
  assert.match(only(source.replace('keepdims=True) + t.shape[-1])', 'keepdims=True), output_shape=(1,))')).fixes[0]!.title, /registered custom layer/);
});

test('KSM503 replaces a Lambda around a named function too: an activation, or a custom layer calling it', () => {
  const named = [
    'import tensorflow as tf',
    'def scale(t):',
    '    return t * 3',
    'model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Lambda(scale, name="s"), tf.keras.layers.Lambda(tf.nn.relu, output_shape=lambda s: s)])',
    'model.save("model.keras")',
    '',
  ].join('\n');
  const [custom, relu] = analyze(named, { kerasVersion: '2' }).filter((f) => f.code === 'KSM503');
  const fixed = applyEdits(named, custom!.fixes[0]!.edits);
  assert.match(fixed, /class LambdaLayer\(tf\.keras\.layers\.Layer\):\n {4}def call\(self, inputs\):\n {8}return scale\(inputs\)\n/);
  assert.match(fixed, /LambdaLayer\(name="s"\)/);
  assert.equal(relu!.fixes[0]!.title, 'Replace the `Lambda` with `tf.keras.layers.Activation("relu")`');
});
