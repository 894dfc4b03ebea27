import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { fixAll } from '../../server/src/engine/fix-all';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM501');

before(() => initParser());

const header = 'import keras\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n';

function only(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding {
  const findings = analyze(text, settings).filter((f) => f.code === 'KSM501');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  return findings[0]!;
}

/** Each fix as [title, applicability, preferred, the last line of the fixed text]. */
function fixes(text: string, finding: Finding): Array<[string, string, boolean, string]> {
  return finding.fixes.map((fix) => {
    const lines = applyEdits(text, fix.edits).trimEnd().split('\n');
    return [fix.title, fix.applicability, fix.preferred === true, lines[lines.length - 1]!];
  });
}

test('KSM501 save_format="tf": export preferred, or a clean `.keras` literal; both unsafe', () => {
  const text = `${header}model.save("exported/classifier", save_format="tf", overwrite=True)\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 2, character: 34 }, end: { line: 2, character: 50 } });
  assert.equal(finding.message, '`save_format="tf"` makes Keras 3 raise an error');
  assert.equal(
    finding.detail,
    'Keras 3 raises "The `save_format` argument is deprecated in Keras 3. Please remove this ' +
    'argument and pass a file path with either `.keras` or `.h5` extension." `model.export(path)` writes a SavedModel.',
  );
  assert.deepEqual(fixes(text, finding), [
    ['Export a SavedModel with `model.export("exported/classifier")`', 'unsafe', true, 'model.export("exported/classifier")'],
    ['Save in the Keras format to `"exported/classifier.keras"`', 'unsafe', false, 'model.save("exported/classifier.keras", overwrite=True)'],
  ]);
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[1, '`model` is defined here']]);
});

test('KSM501 save_format="h5" or "keras": the matching extension, argument dropped', () => {
  const h5 = `${header}model.save("weights/", save_format="h5")\n`;
  assert.deepEqual(fixes(h5, only(h5)), [['Save as HDF5 to `"weights.h5"`', 'unsafe', true, 'model.save("weights.h5")']]);
  const native = `${header}keras.saving.save_model(model, f"{run}/final", save_format="keras")\n`;
  assert.deepEqual(fixes(native, only(native)), [
    ['Save in the Keras format to `f"{run}/final.keras"`', 'unsafe', true, 'keras.saving.save_model(model, f"{run}/final.keras")'],
  ]);
});

test('KSM501 paths it cannot read get the suffix through an f-string or str()', () => {
  const name = `${header}model.save(args.out, save_format="tf")\n`;
  assert.equal(fixes(name, only(name))[1]![3], 'model.save(f"{args.out}.keras")');
  const call = `${header}model.save(get_dir("m"), save_format="tf")\n`;
  assert.equal(fixes(call, only(call))[1]![3], 'model.save(str(get_dir("m")) + ".keras")');
  const ending = `${header}model.save(f"ckpt/{epoch}", save_format="tf")\n`;
  assert.equal(fixes(ending, only(ending))[1]![3], 'model.save(f"ckpt/{epoch}.keras")');
  // A name bound to a string: concatenation.
  const bound = `${header}target = "runs/final"\nmodel.save(target, save_format="tf")\n`;
  assert.equal(fixes(bound, only(bound))[1]![3], 'model.save(target + ".keras")');
});

test('KSM501 with an extension Keras 3 accepts: a warning, and dropping the argument is safe when nothing changes', () => {
  const matching = 'import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.save("model.h5", save_format="h5")\n';
  const finding = only(matching, {});
  assert.equal(finding.severity, 'warning');
  assert.match(finding.message, /is ignored under Keras 3; Keras 2 honours it$/);
  assert.equal(finding.detail, "Keras 3 deprecates it: the path's `.h5` extension decides the format.");
  assert.deepEqual(fixes(matching, finding), [
    ['Remove `save_format` (the extension decides the format)', 'safe', true, 'model.save("model.h5")'],
  ]);
  // Keras 2 would write a SavedModel for "tf": unsafe unless the version is Keras 3.
  const mismatched = 'import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.save("model.keras", save_format="tf")\n';
  assert.equal(only(mismatched, { kerasVersion: 'auto' }).fixes[0]!.applicability, 'unsafe');
  assert.equal(only(mismatched).fixes[0]!.applicability, 'safe');
  assert.equal(only(mismatched).severity, 'warning');
});

test('KSM501 by version: error under Keras 3, a warning naming both when unknown, nothing under Keras 2', () => {
  const text = 'import tensorflow as tf\nm = tf.keras.Sequential()\nm.save("out", save_format="tf")\n';
  const unknown = only(text, {});
  assert.equal(unknown.severity, 'warning');
  assert.match(unknown.message, /fails under Keras 3; fine under Keras 2$/);
  assert.match(unknown.detail ?? '', /^Keras 3, which TensorFlow 2\.16 and later install, raises /);
  assert.equal(only(text).severity, 'error');
  assert.deepEqual(analyze(text, { kerasVersion: '2' }).filter((f) => f.code === 'KSM501'), []);
});

test('KSM501 fails the save-api check of the model it saves, and fix-all leaves the unsafe fixes alone', () => {
  const text = `${header}model.compile(loss="mse")\nmodel.save("out", save_format="tf")\n`;
  const result = analyzeText(text, { kerasVersion: '3', rules: {} });
  const report = result.models.find((m) => m.name === 'model')!;
  const check = report.checks.find((c) => c.id === 'save-api')!;
  assert.equal(check.status, 'fail');
  assert.deepEqual(check.problems.map((p) => p.code), ['KSM501']);
  assert.equal(report.verdict, 'not-ready');
  assert.equal(fixAll(text, { kerasVersion: '3', rules: {} }).text, text);
});

test('KSM501 with the version unknown says that `model.export` needs Keras 2.12 or later', () => {
  const text = 'from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.save("exported/classifier", save_format="tf")\n';
  const finding = only(text, {});
  assert.equal(finding.severity, 'warning');
  assert.match(finding.detail ?? '', / `model\.export\(path\)` \(Keras 2\.12 and later\) writes a SavedModel\.$/);
  assert.equal(finding.fixes[0]!.title, 'Export a SavedModel with `model.export("exported/classifier")` (Keras 2.12 and later)');
});
