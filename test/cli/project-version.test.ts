import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures';

/** The bundled CLI, as users run it. */
const cli = path.join(repoRoot, 'dist', 'cli.js');

function ksm(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

let work: string;
before(() => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-cli-project-')));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const training = 'from tensorflow import keras\nmodel = keras.Sequential()\nmodel.fit_generator(batches, epochs=3)\n';

/** A project folder (a repository root, so nothing above it is read) with the given files. */
function project(name: string, files: Record<string, string>): string {
  const root = path.join(work, name);
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

function ksm402Severities(root: string, extra: string[] = []): string[] {
  const run = ksm(['check', '--format', 'json', ...extra, '.'], root);
  assert.equal(run.code, 1, run.stderr);
  const findings = JSON.parse(run.stdout) as Array<{ code: string; severity: string }>;
  return findings.filter((f) => f.code === 'KSM402').map((f) => f.severity);
}

describe('the Keras version from the project files', () => {
  test('tensorflow==2.15 in requirements.txt makes KSM402 a warning, >=2.16 an error', () => {
    const keras2 = project('tf215', { 'requirements.txt': 'numpy\ntensorflow==2.15\n', 'train.py': training });
    const keras3 = project('tf216', { 'requirements.txt': 'numpy\ntensorflow>=2.16\n', 'train.py': training });
    assert.deepEqual(ksm402Severities(keras2), ['warning']);
    assert.deepEqual(ksm402Severities(keras3), ['error']);
  });

  test('the file is read from the nearest project folder above it', () => {
    const root = project('nested', { 'pyproject.toml': '[project]\nname = "demo"\ndependencies = ["tensorflow>=2.16"]\n', 'src/demo/train.py': training });
    assert.deepEqual(ksm402Severities(root), ['error']);
    assert.deepEqual(ksm402Severities(path.join(root, 'src', 'demo')), ['error']);
  });

  test('--keras-version wins over the project files', () => {
    const root = project('override', { 'requirements.txt': 'tensorflow>=2.16\n', 'train.py': training });
    assert.deepEqual(ksm402Severities(root, ['--keras-version', '2']), ['warning']);
  });

  test('without project files the version stays unknown', () => {
    const root = project('bare', { 'train.py': training });
    assert.deepEqual(ksm402Severities(root), ['warning']);
    const run = ksm(['report', '--format', 'json', 'train.py'], root);
    const [file] = JSON.parse(run.stdout) as Array<{ kerasVersion: { major?: number; source: string } }>;
    assert.deepEqual(file!.kerasVersion, { source: 'no evidence in the file' });
  });

  test('the report names the version and the requirement it came from, relative to the working directory', () => {
    const root = project('report', { 'requirements.txt': '-r requirements/base.txt\n', 'requirements/base.txt': 'tensorflow==2.15.1\n', 'app/train.py': training });
    const text = ksm(['report', 'app'], root);
    assert.equal(text.stdout.split('\n')[0], `${path.join('app', 'train.py')} (Keras 2: \`tensorflow==2.15.1\` in ${path.join('requirements', 'base.txt')} (line 1))`);
    const json = ksm(['report', '--format', 'json', 'app'], root);
    const [file] = JSON.parse(json.stdout) as Array<{ kerasVersion: { major?: number; source: string } }>;
    assert.deepEqual(file!.kerasVersion, { major: 2, source: `\`tensorflow==2.15.1\` in ${path.join('requirements', 'base.txt')} (line 1)`, range: { low: [2, 15], high: [2, 16] } });
  });

  test("an `import tf_keras` in the file wins over the project's Keras 3", () => {
    const root = project('legacy', { 'requirements.txt': 'tensorflow>=2.16\ntf-keras\n', 'train.py': training.replace('from tensorflow import keras', 'import tf_keras as keras') });
    assert.deepEqual(ksm402Severities(root), ['warning']);
  });
});
