import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM504');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM504');
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

const header = 'from tensorflow import keras\n';

test('KSM504 quotes the Keras 3 message on a full-model checkpoint path and appends `.keras` safely', () => {
  const text = `${header}checkpoint = keras.callbacks.ModelCheckpoint("checkpoints/best", save_best_only=True)\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 1, character: 45 }, end: { line: 1, character: 63 } });
  assert.equal(finding.message, '`"checkpoints/best"` does not end in `.keras`');
  assert.equal(
    finding.detail,
    'Keras 3 raises "The filepath provided must end in `.keras` (Keras model ' +
    'format)." when the callback is created (3.8 and later also accept `.h5`).',
  );
  assert.deepEqual(fixes(text, finding), [[
    'Use the `.keras` extension: `"checkpoints/best.keras"`', 'safe',
    `${header}checkpoint = keras.callbacks.ModelCheckpoint("checkpoints/best.keras", save_best_only=True)\n`,
  ]]);
});

test('KSM504 keeps an `{epoch}` pattern before the extension and replaces `.h5`/`.ckpt`', () => {
  const weights = `${header}c = keras.callbacks.ModelCheckpoint("ckpt/cp-{epoch:04d}.ckpt", save_weights_only=True)\n`;
  const finding = only(weights);
  assert.equal(finding.message, '`"ckpt/cp-{epoch:04d}.ckpt"` does not end in `.weights.h5`');
  assert.match(finding.detail ?? '', /^Keras 3 raises "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `\.weights\.h5` \(Keras weights format\)\."/);
  assert.equal(fixes(weights, finding)[0]![2], `${header}c = keras.callbacks.ModelCheckpoint("ckpt/cp-{epoch:04d}.weights.h5", save_weights_only=True)\n`);
  const pattern = `${header}import os\nc = keras.callbacks.ModelCheckpoint(os.path.join("runs", "{epoch:02d}-{val_loss:.2f}"))\n`;
  assert.equal(fixes(pattern, only(pattern))[0]![0], 'Use the `.keras` extension: `os.path.join("runs", "{epoch:02d}-{val_loss:.2f}.keras")`');
});

test('KSM504 `.h5` checkpoints by minor version: error for 3.0-3.7, silent from 3.8, information when unknown', () => {
  const text = `${header}c = keras.callbacks.ModelCheckpoint("best.h5")\n`;
  const early = only(text, { projectVersion: { major: 3, range: { low: [3, 0], high: [3, 8] }, source: 'keras<3.8' } });
  assert.equal(early.severity, 'error');
  assert.equal(early.message, '`"best.h5"` does not end in `.keras`');
  assert.equal(early.detail, 'Keras 3.0–3.7 raise "The filepath provided must end in `.keras` (Keras model format)." when the callback is created; 3.8 and later accept `.h5`.');
  assert.deepEqual(findings(text, { projectVersion: { major: 3, range: { low: [3, 9] }, source: 'keras>=3.9' } }), []);
  const unknownMinor = only(text);
  assert.equal(unknownMinor.severity, 'information');
  assert.equal(unknownMinor.fixes[0]!.title, 'Use the `.keras` extension: `"best.keras"`');
  assert.equal(only(text, {}).severity, 'warning');
});

test('KSM504 renames other uses of the path too, and is then unsafe', () => {
  const text = `${header}path = "runs/best.h5"\nc = keras.callbacks.ModelCheckpoint(path)\nm = keras.models.load_model(path)\nkeras.models.load_model("runs/best.h5")\n`;
  const finding = only(text, { projectVersion: { major: 3, range: { low: [3, 0], high: [3, 8] }, source: 'keras<3.8' } });
  assert.deepEqual(fixes(text, finding), [[
    'Use the `.keras` extension: `"runs/best.keras"` (renames the same path elsewhere in the file too)', 'unsafe',
    `${header}path = "runs/best.keras"\nc = keras.callbacks.ModelCheckpoint(path)\nm = keras.models.load_model(path)\nkeras.models.load_model("runs/best.keras")\n`,
  ]]);
  // With the version unknown the fix is unsafe even when the path has no other use.
  const alone = `${header}c = keras.callbacks.ModelCheckpoint("ckpt")\n`;
  assert.equal(only(alone, {}).fixes[0]!.applicability, 'unsafe');
  assert.match(only(alone, {}).detail ?? '', /^Creating the callback fails under Keras 3, which TensorFlow 2\.16 and later install, with .* Keras 2 writes a SavedModel directory there\.$/);
});

test('KSM504 removed keywords: `period` has two unsafe fixes, `options` one', () => {
  const text = `${header}c = keras.callbacks.ModelCheckpoint("m.keras", period=5, options=opts)\n`;
  const [period, options] = findings(text);
  assert.equal(period!.message, "`period=` is not an argument of Keras 3's `ModelCheckpoint`");
  assert.equal(period.detail, 'It takes no `**kwargs`: creating the callback raises `TypeError`; `save_freq` counts batches instead.');
  assert.deepEqual(period!.range, { start: { line: 1, character: 47 }, end: { line: 1, character: 55 } });
  assert.deepEqual(fixes(text, period!), [
    ['Use `save_freq=5 * steps_per_epoch` (check: `steps_per_epoch` must hold the number of batches per epoch)', 'unsafe', `${header}c = keras.callbacks.ModelCheckpoint("m.keras", save_freq=5 * steps_per_epoch, options=opts)\n`],
    ['Remove `period` (saves every epoch)', 'unsafe', `${header}c = keras.callbacks.ModelCheckpoint("m.keras", options=opts)\n`],
  ]);
  assert.deepEqual(fixes(text, options!), [['Remove `options`', 'unsafe', `${header}c = keras.callbacks.ModelCheckpoint("m.keras", period=5)\n`]]);
  assert.match(findings(text, {})[0]!.detail ?? '', /; Keras 2 only warns that `period` is deprecated; `save_freq` counts batches instead\.$/);
});

test('KSM504 `save_weights` and `load_weights` paths, with the model as related information', () => {
  const text = `${header}model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\nmodel.save_weights("w/final")\nmodel.load_weights("w/pretrained")\n`;
  const [saved, loaded] = findings(text);
  assert.equal(saved!.message, '`"w/final"` does not end in `.weights.h5`');
  assert.equal(saved.detail, 'Keras 3\'s `save_weights` raises "The filename must end in `.weights.h5`."');
  assert.deepEqual(saved!.related.map((r) => [r.range.start.line, r.message]), [[1, '`model` is defined here']]);
  assert.deepEqual(fixes(text, saved!).map(([title, applicability]) => [title, applicability]), [['Use the `.weights.h5` extension: `"w/final.weights.h5"`', 'safe']]);
  assert.equal(loaded!.message, "`\"w/pretrained\"` names a TensorFlow checkpoint, which Keras 3's `load_weights` cannot read");
  assert.match(loaded.detail ?? '', /^Keras 3's `load_weights` raises "File format not supported: filepath=…"/);
  assert.deepEqual(fixes(text, loaded!).map(([title, applicability]) => [title, applicability]), [
    ['Use the `.weights.h5` extension: `"w/pretrained.weights.h5"` (check: the file must have been written in that format)', 'unsafe'],
  ]);
});
