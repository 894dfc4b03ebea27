import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings } from '../../server/src/engine/analysis/types';
import type { ProjectFinding } from '../../server/src/engine/project';
import { projectFilePatterns } from '../../server/src/engine/analysis/project-version';
import { requirementFilePatterns } from '../../client/src/requirement-files';
import { analyzeTexts, describeProjectFixtures } from '../helpers/project-fixtures';

describeProjectFixtures('KSM602');

before(() => initParser());

function findings(files: Record<string, string>, settings: AnalysisSettings = { kerasVersion: 'auto', rules: {} }): ProjectFinding[] {
  return analyzeTexts(new Map(Object.entries(files)), settings).filter((f) => f.code === 'KSM602');
}

function only(files: Record<string, string>): ProjectFinding {
  const found = findings(files);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

test('KSM602 (a) anchors on the keras requirement, names the TensorFlow line, and offers three unsafe rewrites', () => {
  const text = 'tensorflow>=2.16\nkeras<3\n';
  const finding = only({ 'requirements.txt': text });
  assert.equal(finding.file, 'requirements.txt');
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 7 } });
  assert.equal(finding.message, '`keras<3` cannot be installed with `tensorflow>=2.16`');
  assert.equal(
    finding.detail,
    '`tensorflow>=2.16` is required at line 1. TensorFlow 2.16 and later require Keras 3, so pip stops with ' +
    '"ResolutionImpossible". Require `keras>=3`, or keep Keras 2 with TensorFlow before 2.16 or with the `tf-keras` package.',
  );
  assert.deepEqual(finding.related, [{ uri: 'requirements.txt', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 16 } }, message: '`tensorflow>=2.16` is required here' }]);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability, applyEdits(text, f.edits)]), [
    ['Require Keras 3: `keras>=3`', 'unsafe', 'tensorflow>=2.16\nkeras>=3\n'],
    ['Keep Keras 2 with TensorFlow before 2.16: `tensorflow<2.16`', 'unsafe', 'tensorflow<2.16\nkeras<3\n'],
    ['Keep Keras 2 on TensorFlow 2.16 with the legacy package: `tf-keras==2.16.*`', 'unsafe', 'tensorflow>=2.16\ntf-keras==2.16.*\n'],
  ]);
  assert.deepEqual(finding.noqa, { range: { start: { line: 1, character: 7 }, end: { line: 1, character: 7 } }, newText: '  # noqa: KSM602' });
});

test('KSM602 across files: the TensorFlow line of another file is related, and its rewrite is not offered', () => {
  const finding = only({ 'requirements.txt': 'keras==2.15.0\n', 'pyproject.toml': '[project]\nname = "x"\nversion = "1"\ndependencies = ["tensorflow>=2.16"]\n' });
  assert.equal(finding.message, '`keras==2.15.0` cannot be installed with `tensorflow>=2.16`');
  assert.match(finding.detail ?? '', /^`tensorflow>=2\.16` is required at pyproject\.toml, line 4\. /);
  assert.equal(finding.related[0]!.uri, 'pyproject.toml');
  assert.deepEqual(finding.related[0]!.range, { start: { line: 3, character: 17 }, end: { line: 3, character: 33 } });
  assert.deepEqual(finding.fixes.map((f) => f.title), ['Require Keras 3: `keras>=3`', 'Keep Keras 2 on TensorFlow 2.16 with the legacy package: `tf-keras==2.16.*`']);
});

test('KSM602 (b) quotes the pin TensorFlow declares and pins keras to its minor, in Poetry\'s form in Poetry tables', () => {
  const text = '[tool.poetry.dependencies]\ntensorflow = "~2.13"\nkeras = "^3.0"\n';
  const finding = only({ 'pyproject.toml': text });
  assert.equal(finding.message, '`keras = "^3.0"` cannot be installed with `tensorflow = "~2.13"`');
  assert.equal(finding.detail, '`tensorflow = "~2.13"` is required at line 2. TensorFlow 2.13 depends on keras>=2.13,<2.14, so pip stops with "ResolutionImpossible".');
  assert.deepEqual(finding.fixes.map((f) => [f.title, applyEdits(text, f.edits)]), [
    ['Pin the Keras of TensorFlow 2.13: `keras==2.13.*`', '[tool.poetry.dependencies]\ntensorflow = "~2.13"\nkeras = "2.13.*"\n'],
  ]);
});

test('KSM602 (c) and (d): tf-keras follows TensorFlow\'s minor; 2.15 is a warning', () => {
  const c = only({ 'requirements.txt': 'tensorflow==2.17.0\ntf-keras~=2.16.0\n' });
  assert.equal(c.severity, 'error');
  assert.equal(c.message, '`tf-keras~=2.16.0` cannot be installed with `tensorflow==2.17.0`');
  assert.equal(c.detail, '`tensorflow==2.17.0` is required at line 1. tf-keras 2.16 depends on tensorflow>=2.16,<2.17, so pip stops with "ResolutionImpossible".');
  assert.deepEqual(c.fixes.map((f) => f.title), ['Match TensorFlow 2.17: `tf-keras==2.17.*`']);
  const d = only({ 'requirements.txt': 'tensorflow>=2.16\ntf-keras==2.15.1\n' });
  assert.equal(d.severity, 'warning');
  assert.equal(d.message, '`tf-keras==2.15.1` does not match `tensorflow>=2.16`');
  assert.equal(d.detail, '`tensorflow>=2.16` is required at line 1. tf-keras 2.15 declares no dependency, so pip installs both, and the mismatch breaks only when `tf_keras` is imported.');
});

test('KSM602 compares only requirements of one environment, and explicit pins', () => {
  assert.deepEqual(findings({ 'requirements.txt': 'tensorflow>=2.16 ; python_version >= "3.9"\nkeras<3 ; python_version < "3.9"\n' }), []);
  assert.equal(findings({ 'requirements.txt': 'tensorflow>=2.16 ; python_version >= "3.9"\nkeras<3; python_version>="3.9"\n' }).length, 1);
  assert.deepEqual(findings({ 'requirements.txt': 'tensorflow\nkeras<3\n' }), []);
  assert.deepEqual(findings({ 'requirements.txt': 'tensorflow==2.5.0\nkeras>=3\n' }), []);
});

test('KSM602 follows settings by name and severity', () => {
  const files = new Map([['requirements.txt', 'tensorflow>=2.16\nkeras<3\n']]);
  assert.deepEqual(analyzeTexts(files, { kerasVersion: 'auto', rules: { 'dependency-pin-conflict': 'off' } }), []);
  assert.equal(analyzeTexts(files, { kerasVersion: 'auto', rules: { ksm602: 'warning' } })[0]!.severity, 'warning');
});

test('the extension\'s document selector names every requirement file the server reads, except setup.py (a Python file)', () => {
  assert.deepEqual([...requirementFilePatterns].sort(), projectFilePatterns.filter((p) => p !== 'setup.py').sort());
});
