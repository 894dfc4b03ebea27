import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM302');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = { kerasVersion: '3' }): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM302');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const net = [
  'import keras',
  'class Net(keras.Model):',
  '    def call(self, x):',
  '        return x',
  'def main():',
  '    net = Net()',
  '',
].join('\n');

test('KSM302 export under Keras 3: the message by minor version, related class and instantiation', () => {
  const text = `${net}    net.export("serving/net")\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 6, character: 4 }, end: { line: 6, character: 29 } });
  assert.equal(finding.message, '`net` (subclassed model `Net`) is exported before anything builds it');
  assert.equal(
    finding.detail,
    'Keras 3 raises "The model ' +
    'provided has not yet been built. It must be built before export." Build it first with `net.build(input_shape)` or a call on data.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[1, '`Net` is defined here'], [5, '`net` is created here']]);
  const early = only(text, { projectVersion: { major: 3, range: { low: [3, 0], high: [3, 8] }, source: 'keras<3.8' } });
  assert.match(early.detail ?? '', /Keras 3 raises "The layer provided has not yet been built\. It must be built before export\."/);
});

test('KSM302 fix: an unsafe build before the save, with a snippet for the shape', () => {
  const text = `${net}    net.save("net.keras")\n`;
  const finding = only(text);
  assert.equal(finding.severity, 'warning');
  assert.equal(finding.fixes.length, 1);
  const fix = finding.fixes[0]!;
  assert.equal(fix.title, 'Build `net` first: `net.build((None, 1))` (check the input shape)');
  assert.equal(fix.applicability, 'unsafe');
  assert.equal(applyEdits(text, fix.edits), `${net}    net.build((None, 1))\n    net.save("net.keras")\n`);
  assert.equal(fix.edits[0]!.snippet, '    net.build((None, ${1:1}))\n');
});

test('KSM302 fix builds with the shape of the data the model is trained on later, when it is visible', () => {
  const text = `import numpy as np\n${net}    x = np.random.rand(256, 28, 28)\n    net.save("net.keras")\n    net.fit(x, y, epochs=2)\n`;
  const [fix] = only(text).fixes;
  assert.equal(fix!.title, 'Build `net` first: `net.build((None, 28, 28))`');
  assert.equal(fix!.applicability, 'unsafe');
  assert.equal(fix!.edits[0]!.snippet, undefined);
  const fixed = applyEdits(text, fix!.edits);
  assert.match(fixed, /\n {4}net\.build\(\(None, 28, 28\)\)\n {4}net\.save\("net\.keras"\)\n/);
  assert.deepEqual(findings(fixed), []);
  // Only the feature count visible (`reshape(-1, 16)`): the other dimensions stay open.
  const partial = text.replace('np.random.rand(256, 28, 28)', 'raw.reshape(-1, 16)');
  assert.equal(only(partial).fixes[0]!.title, 'Build `net` first: `net.build((None, 16))`');
  // Data from a file: nothing to read, the placeholder stays.
  const loaded = text.replace('np.random.rand(256, 28, 28)', 'np.load("x.npy")');
  assert.equal(only(loaded).fixes[0]!.title, 'Build `net` first: `net.build((None, 1))` (check the input shape)');
});

test('KSM302 `.h5` under Keras 2 is an error even when built, with no fix', () => {
  const text = `${net}    net.fit(x, y)\n    net.save("net.h5")\n`;
  const finding = only(text, { kerasVersion: '2' });
  assert.equal(finding.severity, 'error');
  assert.equal(finding.message, '`net` (subclassed model `Net`) cannot be held by HDF5');
  assert.equal(
    finding.detail,
    'Keras 2 raises "Saving the model to HDF5 ' +
    'format requires the model to be a Functional model or a Sequential model. It does not work for subclassed models…". ' +
    'Save it to a `.keras` file.',
  );
  assert.deepEqual(finding.fixes, []);
  assert.deepEqual(findings(text), []);
});

test('KSM302 an invisible path: a warning naming what each format does', () => {
  const text = `${net}    net.save(path)\n`;
  assert.match(only(text, { kerasVersion: '2' }).detail ?? '', /Keras 2 raises "Model … cannot be saved either because the input shape is not available or because the forward pass of the model is not defined\." for a SavedModel path, and a `\.keras` file would hold no weights/);
  assert.equal(only(text, { kerasVersion: '2' }).severity, 'warning');
});
