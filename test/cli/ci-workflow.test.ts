import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type * as Sarif from 'sarif';
import { repoRoot } from '../helpers/fixtures';
import { sarifProblems } from '../helpers/sarif-validator';

/**
 * The CI files that docs/ci.md shows, docs/examples/github-workflow.yml and gitlab-ci.yml, run as
 * written: each `npx --yes keras-savedmodel-lint …` command of them, with the bundled CLI in place
 * of the package from the registry, over a copy of examples/ as the checked-out repository.
 */

const cli = path.join(repoRoot, 'dist', 'cli.js');
const ciFile = (name: string) => fs.readFileSync(path.join(repoRoot, 'docs', 'examples', name), 'utf8');
const workflow = ciFile('github-workflow.yml');
const gitlab = ciFile('gitlab-ci.yml');

/** The arguments of each command of a CI file that calls the CLI, in order (the files quote nothing). */
function commandsOf(text: string): string[][] {
  return text.split('\n').flatMap((line) => {
    const match = /^\s*(?:run:|-) npx --yes keras-savedmodel-lint (.*)$/.exec(line);
    return match ? [match[1]!.trim().split(/\s+/)] : [];
  });
}
const commands = commandsOf(workflow);
const outputFile = (args: string[]) => args[args.indexOf('--output-file') + 1]!;

let checkout: string;
before(() => {
  checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-workflow-'));
  fs.cpSync(path.join(repoRoot, 'examples'), checkout, { recursive: true });
});
after(() => fs.rmSync(checkout, { recursive: true, force: true }));

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: checkout, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the workflow calls the CLI twice: SARIF to a file, then annotations', () => {
  assert.deepEqual(commands.map((args) => args.slice(0, 3)), [['check', '--format', 'sarif'], ['check', '--format', 'github']]);
});

test('its SARIF step writes the file the upload step names, which Microsoft\'s validator accepts, and never fails', () => {
  const args = commands[0]!;
  const output = outputFile(args);
  assert.match(workflow, new RegExp(`uses: github/codeql-action/upload-sarif@v3\\n\\s+with:\\n\\s+sarif_file: ${output.replace('.', '\\.')}\\n`));
  const result = run(args);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  const log = fs.readFileSync(path.join(checkout, output), 'utf8');
  const results = (JSON.parse(log) as Sarif.Log).runs[0]!.results!;
  assert.ok(results.some((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!.startsWith('flagged/')), 'the flagged examples are reported');
  assert.ok(!results.some((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!.startsWith('fixed/')), 'the fixed examples are clean');
  assert.deepEqual(sarifProblems(log), []);
});

test('its annotation step fails the job on the flagged examples, with one workflow command per finding', () => {
  const result = run(commands[1]!);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /^::(error|warning) file=flagged\/[\w.]+\.py,line=\d+/m);
});

test('the GitLab job writes the Code Quality report its artifact names, with the flagged examples, and never fails', () => {
  const [args, ...others] = commandsOf(gitlab);
  assert.deepEqual(others, []);
  assert.deepEqual(args!.slice(0, 3), ['check', '--format', 'gitlab']);
  const output = outputFile(args!);
  assert.match(gitlab, new RegExp(`reports:\\n\\s+codequality: ${output.replace(/\./g, '\\.')}\\n`));
  const result = run(args!);
  assert.equal(result.code, 0, result.stderr);
  const issues = JSON.parse(fs.readFileSync(path.join(checkout, output), 'utf8')) as Array<{ check_name: string; location: { path: string } }>;
  assert.ok(issues.length > 0);
  assert.ok(issues.every((i) => i.location.path.startsWith('flagged/') && /^KSM\d{3} /.test(i.check_name)));
});
