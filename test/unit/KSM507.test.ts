import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM507');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM507');
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

const header = 'import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])\n';

test('KSM507 under Keras 3: anchored on the first unsupported argument, with both SavedModel fixes', () => {
  const text = `${header}model.save("out/model.keras", options=opts, signatures=serve)\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 2, character: 30 }, end: { line: 2, character: 42 } });
  assert.equal(finding.message, "Keras 3's `save` does not support `signatures`, `options`");
  assert.equal(finding.detail, 'Keras 3 raises "The following argument(s) are not supported: [\'signatures\', \'options\']": its `save` writes only the Keras format, whatever the path.');
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[1, '`model` is defined here']]);
  assert.deepEqual(fixes(text, finding), [
    [
      'Write a TensorFlow SavedModel with `tf.saved_model.save(model, "out/model.keras", options=opts, signatures=serve)` (not a Keras file)', 'unsafe',
      `${header}tf.saved_model.save(model, "out/model.keras", options=opts, signatures=serve)\n`,
    ],
    [
      'Export an inference-only SavedModel with `model.export("out/model.keras")` (custom endpoints need an `ExportArchive`)', 'unsafe',
      `${header}model.export("out/model.keras")\n`,
    ],
  ]);
});

test('KSM507 `include_optimizer` with `.keras`: information under Keras 3, error under 2.13-2.15, with a safe removal', () => {
  const text = `${header}model.save("model.keras", include_optimizer=False)\n`;
  const keras3 = only(text);
  assert.equal(keras3.severity, 'information');
  assert.equal(keras3.message, 'Keras 3 ignores `include_optimizer` for a `.keras` file');
  assert.equal(keras3.detail, 'The optimizer state is written anyway.');
  assert.deepEqual(fixes(text, keras3), [['Remove `include_optimizer`', 'safe', `${header}model.save("model.keras")\n`]]);
  const keras215 = only(text, { projectVersion: { major: 2, range: { low: [2, 15], high: [2, 16] }, source: 'tensorflow==2.15.*' } });
  assert.equal(keras215.severity, 'error');
  assert.equal(keras215.message, 'Keras rejects `include_optimizer` for a `.keras` path');
  assert.equal(keras215.detail, 'Keras raises "The following argument(s) are not supported with the native Keras format: [\'include_optimizer\']".');
  assert.equal(keras215.fixes[0]!.applicability, 'safe');
  assert.deepEqual(findings(text, { projectVersion: { major: 2, range: { low: [2, 11], high: [2, 12] }, source: 'tensorflow==2.11.*' } }), []);
  const unknown = only(text, { kerasVersion: '2' });
  assert.equal(unknown.fixes[0]!.title, 'Remove `include_optimizer` (check: Keras 2.12 and older honour it)');
  assert.equal(unknown.fixes[0]!.applicability, 'unsafe');
});

test('KSM507 with the version unknown names both behaviours', () => {
  const text = `${header}model.save("out/savedmodel", signatures=serve)\n`;
  assert.equal(only(text, {}).message, "`signatures` fails under Keras 3's `save`");
  assert.equal(
    only(text, {}).detail,
    'Saving fails under Keras 3, which TensorFlow 2.16 and later install, with "The following argument(s) are not supported: ' +
    '[\'signatures\']"; Keras 2 accepts it for a SavedModel or `.h5` path.',
  );
});

test('KSM507 stays silent where KSM501 reports `save_format`', () => {
  const text = `${header}model.save("out/model", save_format="tf", signatures=serve)\n`;
  assert.deepEqual(findings(text), []);
  assert.equal(analyze(text, { kerasVersion: '3' }).filter((f) => f.code === 'KSM501').length, 1);
});
