import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures';

/**
 * The pre-commit hook that .pre-commit-hooks.yaml declares. pre-commit runs `entry` with the
 * staged files of the hook's types appended; these tests run that command on files as it would
 * pass them, and, where pre-commit is installed, pre-commit itself with the hook as declared,
 * offline, on the package built from this checkout.
 */

const hooksFile = fs.readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8');
/** The hook's lines, comments left out: `- id: ksm` and the keys below it. */
const hookLines = hooksFile.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
/** The hook's `key: value` pairs (the file holds one hook, of scalar and flow-list values). */
const hook = new Map(hookLines.map((line) => {
  const [, key = '', value = ''] = /^[-\s]*([\w_]+):\s*(.*?)(\s+#.*)?$/.exec(line) ?? [];
  return [key, value] as const;
}));

const cli = path.join(repoRoot, 'dist', 'cli.js');
/** A Python file and a notebook that examples/ holds both flagged and fixed. */
const examples = ['save_before_compile.py', 'forecast.ipynb'];

let work: string;
before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-pre-commit-'));
  for (const dir of ['flagged', 'fixed']) fs.cpSync(path.join(repoRoot, 'examples', dir), path.join(work, 'repo', dir), { recursive: true });
  fs.writeFileSync(path.join(work, 'repo', 'README.md'), 'not Python: pre-commit passes no such file\n');
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('the hook runs `ksm check` from this package on Python files and notebooks, in parallel batches', () => {
  assert.equal(hookLines[0], '- id: ksm');
  assert.equal(hook.get('entry'), 'ksm check');
  assert.equal(hook.get('language'), 'node');
  assert.equal(hook.get('types_or'), '[python, jupyter]');
  assert.equal(hook.get('require_serial'), 'false');
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(manifest.bin[hook.get('entry')!.split(' ')[0]!], 'dist/cli.js', 'the entry is the command the package installs');
});

test('its entry, with files appended as pre-commit passes them, exits 1 on findings and 0 on clean files', () => {
  const [command, ...args] = hook.get('entry')!.split(' ');
  assert.equal(command, 'ksm');
  const entry = (files: string[]) => spawnSync(process.execPath, [cli, ...args, ...files], { cwd: path.join(work, 'repo'), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const found = entry(examples.map((f) => `flagged/${f}`));
  assert.equal(found.status, 1, found.stderr);
  assert.match(found.stdout, /^flagged\/save_before_compile\.py:\d+:\d+: KSM101 /m);
  assert.match(found.stdout, /^flagged\/forecast\.ipynb:cell \d+:\d+:\d+: KSM\d{3} /m);
  const passed = entry(examples.map((f) => `fixed/${f}`));
  assert.equal(passed.status, 0, passed.stdout + passed.stderr);
});

const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
const skip = preCommit.status === 0 ? false : 'pre-commit is not installed (apt-get install pre-commit, or pip install pre-commit)';

describe('under pre-commit', { skip }, () => {
  /**
   * A repository whose .pre-commit-config.yaml holds the hook as declared, as a `repo: local`
   * hook whose one dependency is this package packed from dist/. pre-commit's own `repo:` form
   * builds the package with `npm pack`, whose prepack output it mistakes for the file name
   * (see docs/ci.md); the local form installs the same package, offline.
   */
  let repo: string;
  const run = (...args: string[]) => spawnSync('pre-commit', ['run', ...args], {
    cwd: repo, encoding: 'utf8', env: { ...process.env, PRE_COMMIT_HOME: path.join(work, 'cache'), npm_config_offline: 'true', NO_COLOR: '1' },
  });

  before(() => {
    repo = path.join(work, 'repo');
    const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = path.join(work, packed.stdout.trim().split('\n').pop()!);
    const hookBlock = hookLines.map((line) => `      ${line}`).join('\n');
    fs.writeFileSync(path.join(repo, '.pre-commit-config.yaml'), `repos:\n  - repo: local\n    hooks:\n${hookBlock}\n        additional_dependencies: [${JSON.stringify(tarball)}]\n`);
    for (const args of [['init', '-q'], ['add', '.']]) assert.equal(spawnSync('git', args, { cwd: repo }).status, 0);
  });

  test('fails on the flagged files, naming their findings, and passes the fixed ones', () => {
    const failed = run('--files', ...examples.map((f) => `flagged/${f}`), 'README.md');
    assert.equal(failed.status, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /Keras SavedModel Lint\.+Failed/);
    assert.match(failed.stdout, /flagged\/save_before_compile\.py:\d+:\d+: KSM101 /);
    assert.match(failed.stdout, /flagged\/forecast\.ipynb:cell \d+/);
    assert.doesNotMatch(failed.stdout, /README/);
    const passed = run('--files', ...examples.map((f) => `fixed/${f}`));
    assert.equal(passed.status, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /Keras SavedModel Lint\.+Passed/);
  });
});
