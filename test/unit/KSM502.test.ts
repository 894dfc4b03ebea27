import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { fixAll } from '../../server/src/engine/fix-all';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM502');

before(() => initParser());

const header = 'import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])\n';

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM502');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

/** Each fix as [title, applicability, preferred, the fixed text]. */
function fixes(text: string, finding: Finding): Array<[string, string, boolean, string]> {
  return finding.fixes.map((fix) => [fix.title, fix.applicability, fix.preferred === true, applyEdits(text, fix.edits)]);
}

test('KSM502 anchors on the path and quotes what Keras 3 raises', () => {
  const text = `${header}model.save("models/classifier")\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 2, character: 11 }, end: { line: 2, character: 30 } });
  assert.equal(finding.message, '`"models/classifier"` has no `.keras` or `.h5` extension, which Keras 3 requires');
  assert.equal(
    finding.detail,
    'Keras 3 raises "Invalid filepath extension for saving. ' +
    'Please add either a `.keras` extension for the native Keras format (recommended) or a `.h5` extension." ' +
    '(`model.export(path)` writes a SavedModel).',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[1, '`model` is defined here']]);
  assert.deepEqual(finding.modelIds.length, 1);
});

test('KSM502 prefers `.keras` for a plain path, dropping a trailing slash; both fixes unsafe', () => {
  const text = `${header}model.save("models/classifier/")\n`;
  assert.deepEqual(fixes(text, only(text)), [
    ['Save in the Keras format to `"models/classifier.keras"`', 'unsafe', true, `${header}model.save("models/classifier.keras")\n`],
    ['Export a SavedModel with `model.export("models/classifier/")`', 'unsafe', false, `${header}model.export("models/classifier/")\n`],
  ]);
});

test('KSM502 prefers the export when the path suggests serving', () => {
  for (const path of ['"saved_model/my_model"', '"tfserving/classifier"', '"export/model"', '"models/classifier/1"', 'f"{base}/serving"']) {
    const text = `${header}model.save(${path})\n`;
    const [first] = only(text).fixes;
    assert.equal(first!.title, `Export a SavedModel with \`model.export(${path})\``, path);
    assert.equal(first!.preferred, true, path);
  }
  for (const path of ['"observations/model"', '"reserve"', '"models/v1"']) {
    assert.match(only(`${header}model.save(${path})\n`).fixes[0]!.title, /^Save in the Keras format/, path);
  }
});

test('KSM502 follows a name bound once in the same scope, and fixes at the call', () => {
  const text = 'import tensorflow as tf\ndef main(out):\n    net = tf.keras.Sequential()\n    target = f"{out}/best"\n    net.save(target)\n';
  const finding = only(text);
  assert.equal(finding.range.start.line, 4);
  assert.deepEqual(fixes(text, finding).map(([title, , preferred]) => [title, preferred]), [
    ['Save in the Keras format to `target + ".keras"`', true],
    ['Export a SavedModel with `net.export(target)`', false],
  ]);
  assert.match(fixes(text, finding)[0]![3], /\n {4}net\.save\(target \+ "\.keras"\)\n$/);
  // A name whose value ends in a separator: only the export, since `+ ".keras"` would write a hidden file.
  const slash = `${header}target = "runs/best/"\nmodel.save(target)\n`;
  assert.deepEqual(only(slash).fixes.map((f) => f.title), ['Export a SavedModel with `model.export(target)`']);
  // A `Path` built with `/` cannot take `+ ".keras"`.
  const joined = `${header}from pathlib import Path\nname = "best"\nmodel.save(Path("runs") / name)\n`;
  assert.equal(fixes(joined, only(joined))[0]![3].trimEnd().split('\n').pop(), 'model.save(str(Path("runs") / name) + ".keras")');
});

test('KSM502 by version: a warning naming both behaviours when unknown, nothing under Keras 2', () => {
  const text = `${header}model.save("out")\n`;
  const unknown = only(text, {});
  assert.equal(unknown.severity, 'warning');
  assert.match(unknown.detail ?? '', /^Saving fails under Keras 3, which TensorFlow 2\.16 and later install, with "Invalid filepath extension for saving\..*" Under Keras 2 it writes a SavedModel directory; `model.export\(path\)` \(Keras 2\.12 and later\) writes one under both\.$/);
  assert.equal(unknown.fixes.find((f) => f.title.startsWith('Export'))?.title, 'Export a SavedModel with `model.export("out")` (Keras 2.12 and later)');
  // With keras >= 2.12 known, export exists whatever the major version.
  const recent = only(text, { projectVersion: { major: undefined, source: 'requirements.txt', range: { low: [2, 12] } } });
  assert.match(recent.detail ?? '', /; `model\.export\(path\)` writes one under both\.$/);
  assert.equal(recent.fixes.find((f) => f.title.startsWith('Export'))?.title, 'Export a SavedModel with `model.export("out")`');
  assert.deepEqual(findings(text, { kerasVersion: '2' }), []);
  assert.deepEqual(findings('import tf_keras as keras\nm = keras.Sequential()\nm.save("out")\n', {}), []);
});

test('KSM502 is silent on receivers not known to be Keras models', () => {
  const text = 'import tensorflow as tf\nstore = open_store()\nstore.save("records")\nckpt = tf.train.Checkpoint()\nckpt.save("ckpt/prefix")\n';
  assert.deepEqual(findings(text), []);
  // The same receiver compiled in the same scope is a Keras model.
  assert.equal(findings(`import tensorflow as tf\nm = load()\nm.compile(loss="mse")\nm.save("out")\n`).length, 1);
});

test('KSM502 fails the save-api check; fix-all leaves its unsafe fixes alone', () => {
  const text = `${header}model.compile(loss="mse")\nmodel.save("out")\n`;
  const settings: AnalysisSettings = { kerasVersion: '3', rules: {} };
  const report = analyzeText(text, settings).models[0]!;
  assert.equal(report.checks.find((c) => c.id === 'save-api')!.status, 'fail');
  assert.equal(report.verdict, 'not-ready');
  assert.equal(fixAll(text, settings).text, text);
});
