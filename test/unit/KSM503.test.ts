import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
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

test('KSM503 anchors on the Lambda call, names both ways out, and offers no fix', () => {
  const finding = only(text);
  assert.equal(finding.severity, 'information');
  assert.deepEqual(finding.range, { start: { line: 3, character: 4 }, end: { line: 3, character: 43 } });
  assert.equal(
    finding.message,
    'This `Lambda` wraps a Python lambda: Keras 3 refuses to load it under the default `safe_mode=True`; Keras 2 stores ' +
    'it as bytecode that loads only under the same Python version. To reload the model, load with `safe_mode=False` if ' +
    'you trust the file, or replace it with a custom layer (registered with ' +
    '`@keras.saving.register_keras_serializable()`) or a built-in one',
  );
  assert.deepEqual(finding.fixes, []);
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[6, '`model` is saved here']]);
});

test('KSM503 messages follow the version, and name the argument that holds the lambda', () => {
  assert.match(only(text, { kerasVersion: '3' }).message, /^This `Lambda` wraps a Python lambda: Keras 3 refuses to load it under the default `safe_mode=True`\. To reload/);
  assert.match(only(text, { kerasVersion: '2' }).message, /Keras 2 stores it as bytecode .* and the `\.keras` format refuses it/);
  const shape = text.replace('Lambda(lambda t: t * 2)', 'Lambda(tf.nn.relu, output_shape=lambda s: s)');
  assert.match(only(shape).message, /^The `output_shape` of this `Lambda` is a Python lambda:/);
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
