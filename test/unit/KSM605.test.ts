import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding, KerasVersionInfo } from '../../server/src/engine/analysis/types';
import { fixAll } from '../../server/src/engine/fix-all';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM605');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = {}): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM605');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const pinned = (source: string, major: 2 | 3, low: [number, number], high?: [number, number]): Partial<AnalysisSettings> => {
  const projectVersion: KerasVersionInfo = { major, source, range: { low, ...(high ? { high } : {}) } };
  return { projectVersion };
};

test('KSM605 anchors on the module path and quotes the ModuleNotFoundError', () => {
  const text = 'from keras.engine.topology import Layer\n';
  const finding = only(text, { kerasVersion: '3' });
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 0, character: 5 }, end: { line: 0, character: 26 } });
  assert.equal(finding.message, '`keras.engine.topology` is gone from keras 2.13 and later, Keras 3 included');
  assert.equal(finding.detail, 'The import raises "ModuleNotFoundError: No module named \'keras.engine\'".');
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [['Import from the public API: `from keras.layers import Layer`', 'safe']]);
});

test('KSM605 keras.engine by version: its own import is not evidence; pins decide', () => {
  const text = 'from keras.engine import data_adapter\n';
  assert.equal(only(text).severity, 'warning');
  assert.match(only(text).message, /exists only in keras 2\.12 and older$/);
  assert.match(only(text).detail ?? '', /^Under keras 2\.13–2\.15, and Keras 3 which TensorFlow 2\.16 and later install/);
  assert.equal(only(text, pinned('`keras>=2.13`', 2, [2, 13])).severity, 'error');
  assert.deepEqual(findings(text, pinned('`keras==2.12.*`', 2, [2, 12], [2, 13])), []);
  assert.deepEqual(only(text).fixes, [], 'data_adapter has no public home');
});

test('KSM605 keras.src.engine: silent with keras 2.13–2.15, an error under Keras 3 or keras 2.12', () => {
  const text = 'from keras.src.engine import base_layer\n';
  assert.deepEqual(findings(text, pinned('`tensorflow==2.15.*`', 2, [2, 15], [2, 16])), []);
  assert.equal(only(text, { kerasVersion: '3' }).severity, 'error');
  assert.match(only(text, pinned('`keras<2.13`', 2, [2, 0], [2, 13])).detail ?? '', /^Under keras 2\.12 and older the import raises "ModuleNotFoundError: No module named 'keras\.src'"\.$/);
  assert.equal(only(text).severity, 'warning');
  assert.equal(only('from keras.src.utils import io_utils\n', pinned('`tensorflow==2.15.*`', 2, [2, 15], [2, 16])).severity, 'information');
});

test('KSM605 fixes mapped names only, grouping them by public module, and fix-all applies it', () => {
  const text = 'from keras.engine.base_layer import Layer, InputSpec as Spec\nfrom tensorflow.keras.engine.training import Model\n';
  const settings: AnalysisSettings = { kerasVersion: '3', rules: {} };
  assert.equal(fixAll(text, settings).text, 'from keras.layers import Layer, InputSpec as Spec\nfrom tensorflow.keras import Model\n');
  assert.deepEqual(findings('from keras.engine.training import Model, data_adapter\n', { kerasVersion: '3' })[0]!.fixes, []);
  // `Input` has a public home only from `keras.engine.input_layer`, `Model` only from `keras.engine.training`.
  assert.deepEqual(findings('from keras.engine import Model\n', { kerasVersion: '3' })[0]!.fixes, []);
  const mixed = 'from keras.src.engine.input_spec import InputSpec\n';
  assert.equal(applyEdits(mixed, only(mixed, { kerasVersion: '3' }).fixes[0]!.edits), 'from keras.layers import InputSpec\n');
});

test('KSM605 is silent on tf_keras.src.engine, tensorflow.python.keras and guarded imports', () => {
  const text = [
    'from tf_keras.src.engine import data_adapter',
    'import tensorflow.python.keras.engine',
    'try:',
    '    import keras.engine as KE',
    'except ModuleNotFoundError:',
    '    KE = None',
    '',
  ].join('\n');
  assert.deepEqual(findings(text, { kerasVersion: '3' }), []);
  // An `except` that does not catch a failed import does not guard it.
  assert.equal(findings('try:\n    import keras.engine as KE\nexcept ValueError:\n    pass\n', { kerasVersion: '3' }).length, 1);
});
