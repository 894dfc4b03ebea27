import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures';

/**
 * The npm package as a user installs it: `npm pack` of this checkout (built by the test run),
 * installed globally into a scratch prefix from the tarball alone, offline.
 */
let scratch: string;
let tarball: string;

const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-pack-'));
  // The scripts are skipped: the test run has just built dist/, which is what `prepack` does.
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], repoRoot);
  assert.equal(packed.status, 0, packed.stderr);
  tarball = path.join(scratch, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('the tarball holds the bundles, the wasm files and the docs, and nothing to fetch or build', () => {
  const list = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n');
  for (const file of ['package/dist/cli.js', 'package/dist/server.js', 'package/dist/check-worker.js', 'package/dist/web-tree-sitter.wasm', 'package/dist/tree-sitter-python.wasm', 'package/docs/rules/KSM301.md', 'package/README.md']) {
    assert.ok(list.includes(file), file);
  }
  assert.deepEqual(list.filter((f) => /\.(ts|map|vsix)$|\/(test|server|client|scripts|out|node_modules)\//.test(f)), []);
  const manifest = JSON.parse(spawnSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
  assert.equal(manifest['dependencies'], undefined, 'everything the CLI needs is bundled');
  assert.equal(manifest['private'], undefined);
  assert.deepEqual(manifest['bin'], { ksm: 'dist/cli.js' });
});

test('installed globally from the tarball alone, offline, `ksm check examples/` works', () => {
  const prefix = path.join(scratch, 'global');
  const installed = npm(['install', '--global', '--offline', '--prefix', prefix, tarball], scratch);
  assert.equal(installed.status, 0, installed.stderr);
  const ksm = path.join(prefix, 'bin', 'ksm');
  const run = spawnSync(ksm, ['check', path.join(repoRoot, 'examples')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /^Found \d+ problems .* in \d+ files\.$/m);
  const explained = spawnSync(ksm, ['explain', 'KSM301'], { encoding: 'utf8' });
  assert.equal(explained.status, 0);
  assert.match(explained.stdout, /KSM301/);
});
