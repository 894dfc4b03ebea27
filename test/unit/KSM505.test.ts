import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM505');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM505');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const model = [
  'from tensorflow import keras',
  'model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])',
  'model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])',
  '',
].join('\n');

test('KSM505 `val_acc` against `metrics=["accuracy"]`: the message, related locations and the safe rename', () => {
  const text = `${model}best = keras.callbacks.ModelCheckpoint("best.keras", monitor='val_acc', save_best_only=True)\nmodel.fit(x, y, validation_split=0.2, callbacks=[best])\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'warning');
  assert.deepEqual(finding.range, { start: { line: 3, character: 53 }, end: { line: 3, character: 70 } });
  assert.equal(finding.message, "`monitor='val_acc'` names a metric the training never logs");
  assert.equal(
    finding.detail,
    "`compile` asks for `\"accuracy\"`, which Keras logs as " +
    '`val_accuracy`: Keras 2 and Keras 3.0–3.9 warn "Can save best model only with val_acc available, skipping." at every ' +
    'epoch and never write the file; Keras 3.10 and later warn "Can save best model only with val_acc available." and save ' +
    'at every epoch (the last epoch, not the best).',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[2, 'compiled with `metrics` here'], [4, '`model` is trained here']]);
  assert.equal(finding.fixes.length, 1);
  assert.equal(finding.fixes[0]!.title, 'Monitor `val_accuracy`');
  assert.equal(finding.fixes[0]!.applicability, 'safe');
  assert.equal(applyEdits(text, finding.fixes[0]!.edits), text.replace("'val_acc'", "'val_accuracy'"));
});

test('KSM505 names one behaviour when the minor version is known', () => {
  const text = `${model}best = keras.callbacks.ModelCheckpoint("best.keras", monitor="val_acc", save_best_only=True)\nmodel.fit(x, y, validation_split=0.2, callbacks=[best])\n`;
  assert.match(only(text, { projectVersion: { major: 3, range: { low: [3, 10] }, source: 'keras>=3.10' } }).detail ?? '',
    /: Keras warns "Can save best model only with val_acc available\." and saves at every epoch, so the file holds the last epoch, not the best\.$/);
  assert.match(only(text, { kerasVersion: '2' }).detail ?? '', /: Keras warns "Can save best model only with val_acc available, skipping\." at every epoch and never writes the file\.$/);
});

test('KSM505 the default `val_loss` without validation data: anchored on the call, no fix', () => {
  const text = `${model}best = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)\nmodel.fit(x, y, epochs=3, callbacks=[best])\n`;
  const finding = only(text, { kerasVersion: '2' });
  assert.deepEqual(finding.range, { start: { line: 3, character: 7 }, end: { line: 3, character: 73 } });
  assert.equal(finding.message, 'The default monitor `val_loss` needs validation data, but `model.fit(...)` gets none');
  assert.equal(
    finding.detail,
    '`model.fit(...)` gets neither ' +
    '`validation_data` nor `validation_split`: Keras warns "Can save best model only with val_loss available, skipping." at ' +
    'every epoch and never writes the file. Pass `validation_split=` or `validation_data=`, or monitor `"loss"`.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[4, '`model` is trained here without validation data']]);
  assert.deepEqual(finding.fixes, []);
});

test('KSM505 both problems at once: one finding, without the rename', () => {
  const text = `${model}best = keras.callbacks.ModelCheckpoint("best.keras", monitor="val_acc", save_best_only=True)\nmodel.fit(x, y, callbacks=[best])\n`;
  const finding = only(text);
  assert.equal(finding.message, '`monitor="val_acc"` needs validation data, but `model.fit(...)` gets none');
  assert.match(finding.detail ?? '', /^`model\.fit\(\.\.\.\)` gets neither `validation_data` nor `validation_split` \(and `compile` logs it as `val_accuracy`\): /);
  assert.deepEqual(finding.fixes, []);
});

test('KSM505 keras 2.2 and older logged "accuracy" as `acc`: silent there', () => {
  const text = [
    'import keras',
    'from keras.callbacks import ModelCheckpoint',
    'model = keras.models.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(3,))])',
    'model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])',
    'checkpoint = ModelCheckpoint("weights.best.hdf5", monitor="val_acc", save_best_only=True, mode="max")',
    'model.fit(x, y, validation_split=0.5, callbacks=[checkpoint])',
    '',
  ].join('\n');
  assert.deepEqual(findings(text, { projectVersion: { major: 2, range: { low: [2, 2], high: [2, 3] }, source: 'keras==2.2.4' } }), []);
  assert.equal(findings(text, { projectVersion: { major: 2, range: { low: [2, 3], high: [2, 4] }, source: 'keras==2.3.1' } }).length, 1);
});

test('KSM505 EarlyStopping(restore_best_weights=True) feeding a saved model: information, with the rename', () => {
  const text = [
    'import keras',
    'model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])',
    'model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])',
    'stop = keras.callbacks.EarlyStopping("val_acc", 0, 3, 0, "auto", None, True)',
    'model.fit(x, y, validation_split=0.2, callbacks=[stop])',
    'model.save("m.keras")',
    '',
  ].join('\n');
  const found = analyze(text, { kerasVersion: '3' }).filter((f) => f.code === 'KSM505');
  assert.equal(found.length, 1);
  const [finding] = found;
  assert.equal(finding!.severity, 'information');
  assert.equal(finding!.message, '`monitor="val_acc"` names a metric the training never logs');
  assert.match(finding!.detail ?? '', /"Early stopping conditioned on metric `val_acc` which is not available\. Available metrics are: …" at every epoch, never stops early and never restores the best weights/);
  assert.equal(applyEdits(text, finding!.fixes[0]!.edits).split('\n')[3], 'stop = keras.callbacks.EarlyStopping("val_accuracy", 0, 3, 0, "auto", None, True)');
  // The same callback with the weights not restored (positionally False), or a model only exported: silent.
  const silent = (t: string) => analyze(t, { kerasVersion: '3' }).filter((f) => f.code === 'KSM505');
  assert.deepEqual(silent(text.replace('None, True)', 'None, False)')), []);
  assert.deepEqual(silent(text.replace('model.save("m.keras")', 'model.export("serving")')), []);
});
