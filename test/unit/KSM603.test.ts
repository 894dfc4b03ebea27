import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import { analyzeProject, type ProjectFinding } from '../../server/src/engine/project';
import { readProject } from '../../server/src/workspace/project-files';
import { analyzeTexts, describeProjectFixtures } from '../helpers/project-fixtures';

describeProjectFixtures('KSM603');

before(() => initParser());

function only(files: Record<string, string>): ProjectFinding {
  const found = analyzeTexts(new Map(Object.entries(files)), { kerasVersion: 'auto', rules: {} }).filter((f) => f.code === 'KSM603');
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

test('KSM603 anchors on the tensorflow line, relates the import, and adds tf-keras of TensorFlow\'s minor under it', () => {
  const text = 'numpy\ntensorflow==2.16.*\npillow\n';
  const finding = only({ 'requirements.txt': text, 'train.py': 'import numpy\nimport tf_keras\n' });
  assert.equal(finding.severity, 'warning');
  assert.deepEqual(finding.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 18 } });
  assert.equal(finding.message, '`tf-keras` is not listed, but `import tf_keras` needs it');
  assert.equal(
    finding.detail,
    '`tensorflow==2.16.*` is listed without it; `import tf_keras` is in train.py, line 2. TensorFlow 2.16 and later ' +
    'do not install it, and `import tf_keras` raises "ModuleNotFoundError: No module named \'tf_keras\'".',
  );
  assert.deepEqual(finding.related, [{ uri: 'train.py', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 15 } }, message: '`import tf_keras` uses Keras 2 from the tf_keras package' }]);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability, applyEdits(text, f.edits)]), [
    ['Add `tf-keras==2.16.*` under `tensorflow==2.16.*`', 'unsafe', 'numpy\ntensorflow==2.16.*\ntf-keras==2.16.*\npillow\n'],
  ]);
});

test('KSM603 quotes what TensorFlow logs and raises for the legacy variable', () => {
  const finding = only({ 'requirements.txt': 'tensorflow>=2.16\n', 'app.py': 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\n' });
  assert.equal(finding.message, '`tf-keras` is not listed, but `TF_USE_LEGACY_KERAS` set to "1" needs it');
  assert.equal(
    finding.detail,
    '`tensorflow>=2.16` is listed without it; `TF_USE_LEGACY_KERAS` set to "1" is in app.py, line 2. TensorFlow 2.16 ' +
    'and later do not install it, log "Your environment has TF_USE_LEGACY_KERAS set to True, but you do not have the tf_keras package ' +
    'installed. You must install it in order to use the legacy tf.keras. Install it via: `pip install tf_keras`", and the first use of ' +
    '`tf.keras` raises "ImportError: Keras cannot be imported. Check that it is installed."',
  );
  assert.deepEqual(finding.related.map((r) => [r.uri, r.range.start.line]), [['app.py', 1]]);
});

test('KSM603 adds a list item in the list\'s own form', () => {
  const inline = 'dependencies = ["tensorflow>=2.17"]\n';
  const text = `[project]\nname = "x"\nversion = "1"\n${inline}`;
  const finding = only({ 'pyproject.toml': text, 'm.py': 'import tf_keras\n' });
  assert.equal(applyEdits(text, finding.fixes[0]!.edits), `[project]\nname = "x"\nversion = "1"\ndependencies = ["tensorflow>=2.17", "tf-keras>=2.17"]\n`);
  const setup = 'from setuptools import setup\nsetup(\n    install_requires=[\n        "tensorflow~=2.18.0",\n    ],\n)\n';
  const fromSetup = only({ 'setup.py': setup, 'm.py': 'import tf_keras\n' });
  assert.equal(applyEdits(setup, fromSetup.fixes[0]!.edits), 'from setuptools import setup\nsetup(\n    install_requires=[\n        "tensorflow~=2.18.0",\n        "tf-keras==2.18.*",\n    ],\n)\n');
});

test('KSM603 is silent when the tensorflow pin is 2.15 or earlier anywhere in the project', () => {
  const found = analyzeTexts(new Map([['requirements.txt', 'tensorflow\n'], ['requirements-lock.txt', 'tensorflow==2.15.1\n'], ['m.py', 'import tf_keras\n']]), { kerasVersion: 'auto', rules: {} });
  assert.deepEqual(found.filter((f) => f.code === 'KSM603'), []);
});

test('KSM603 counts a notebook of the project that imports tf_keras, naming its cell', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm603-notebook-'));
  try {
    fs.writeFileSync(path.join(folder, 'requirements.txt'), 'tensorflow==2.17.0\n');
    const cells = [
      { cell_type: 'markdown', metadata: {}, source: ['# Forecast'] },
      { cell_type: 'code', metadata: {}, source: ['import numpy as np\n', 'import tf_keras\n'], outputs: [], execution_count: null },
    ];
    fs.writeFileSync(path.join(folder, 'forecast.ipynb'), JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    const input = readProject(folder, folder)!;
    const found = analyzeProject(input, { kerasVersion: 'auto', rules: {} }).findings.filter((f) => f.code === 'KSM603');
    assert.equal(found.length, 1);
    assert.match(found[0]!.detail!, /`import tf_keras` is in forecast\.ipynb, cell 2, line 2\./);
    assert.deepEqual(found[0]!.related.map((r) => r.uri), ['forecast.ipynb']);
    // Without the notebook's import nothing needs tf-keras.
    fs.writeFileSync(path.join(folder, 'forecast.ipynb'), JSON.stringify({ cells: [cells[0]], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    assert.deepEqual(analyzeProject(readProject(folder, folder)!, { kerasVersion: 'auto', rules: {} }).findings.filter((f) => f.code === 'KSM603'), []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
