import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures';

const cli = path.join(repoRoot, 'dist', 'cli.js');

function ksm(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

let work: string;
before(() => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-cli-requirements-')));
  fs.mkdirSync(path.join(work, 'svc', '.git'), { recursive: true });
  fs.writeFileSync(path.join(work, 'svc', 'requirements.txt'), 'tensorflow>=2.16\nkeras<3\n');
  fs.writeFileSync(path.join(work, 'svc', 'serve.py'), 'import tf_keras\n');
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('ksm check and ksm report on requirement files', () => {
  test('a folder is checked with its requirement files, in every format', () => {
    const text = ksm(['check', 'svc'], work);
    assert.equal(text.code, 1, text.stderr);
    const requirements = path.join('svc', 'requirements.txt');
    assert.match(text.stdout, new RegExp(`^${requirements.replace(/\./g, '\\.')}:1:1: KSM603 \\[warning\\] \`tf-keras\` is not listed, but \`import tf_keras\` needs it$`, 'm'));
    assert.match(text.stdout, new RegExp(`^${requirements.replace(/\./g, '\\.')}:2:1: KSM602 \\[error\\] \`keras<3\` cannot be installed`, 'm'));
    const json = JSON.parse(ksm(['check', '--format', 'json', 'svc'], work).stdout) as Array<{ code: string; filename: string; fix: { applicability: string } | null }>;
    assert.deepEqual(json.map((f) => [f.code, f.filename, f.fix?.applicability]), [['KSM603', requirements, 'unsafe'], ['KSM602', requirements, 'unsafe']]);
    assert.match(ksm(['check', '--format', 'github', 'svc'], work).stdout, /^::error file=svc\/requirements\.txt,line=2,col=1,endLine=2,endColumn=8,title=KSM602 dependency-pin-conflict::/m);
    const sarif = JSON.parse(ksm(['check', '--format', 'sarif', 'svc'], work).stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    assert.deepEqual(sarif.runs[0]!.results.map((r) => r.ruleId), ['KSM603', 'KSM602']);
  });

  test('a requirement file named on the command line is checked as its project; --ignore and --fix leave it alone', () => {
    const named = ksm(['check', '--format', 'json', 'requirements.txt'], path.join(work, 'svc'));
    assert.deepEqual((JSON.parse(named.stdout) as Array<{ code: string }>).map((f) => f.code), ['KSM603', 'KSM602']);
    assert.equal(ksm(['check', '--ignore', 'KSM602,tf-keras-missing', 'requirements.txt'], path.join(work, 'svc')).code, 0);
    const fixed = ksm(['check', '--fix', 'requirements.txt'], path.join(work, 'svc'));
    assert.equal(fixed.code, 1);
    assert.equal(fs.readFileSync(path.join(work, 'svc', 'requirements.txt'), 'utf8'), 'tensorflow>=2.16\nkeras<3\n');
  });

  test('a project whose only requirement file is setup.py is checked; its findings join setup.py\'s own, and the report counts them', () => {
    const project = path.join(work, 'pkg');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'setup.py'), 'from setuptools import setup\n\nsetup(name="demo", install_requires=["tensorflow==2.16.1", "keras<3"])\n');
    const json = JSON.parse(ksm(['check', '--format', 'json', '.'], project).stdout) as Array<{ code: string; filename: string; location: { row: number } }>;
    assert.deepEqual(json.map((f) => [f.code, f.filename, f.location.row]), [['KSM602', 'setup.py', 3]]);
    const report = ksm(['report', '.'], project);
    assert.match(report.stdout, /fail {2}Requirements install together[^\n]*\n {10}setup\.py:3:\d+: KSM602/);
    // setup.py is still a Python file: a finding of its own code sits beside the requirement's.
    fs.writeFileSync(path.join(project, 'setup.py'), 'import keras\nfrom setuptools import setup\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m.keras")\nsetup(name="demo", install_requires=["tensorflow==2.16.1", "keras<3"])\n');
    const both = JSON.parse(ksm(['check', '--format', 'json', 'setup.py'], project).stdout) as Array<{ code: string; filename: string }>;
    assert.deepEqual(both.map((f) => [f.code, f.filename]), [['KSM101', 'setup.py'], ['KSM602', 'setup.py']]);
  });

  test('ksm report lists one Dependencies check for the project', () => {
    const text = ksm(['report', 'svc'], work);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^project svc: dependencies\n {4}fail {2}Requirements install together, with what the code imports\n/m);
    const json = JSON.parse(ksm(['report', '--format', 'json', 'svc'], work).stdout) as Array<{ project?: string; dependencies?: { status: string; problems: Array<{ code: string; uri: string }> } }>;
    const project = json.find((entry) => entry.project === 'svc')!;
    assert.equal(project.dependencies!.status, 'fail');
    assert.deepEqual(project.dependencies!.problems.map((p) => [p.code, p.uri]), [['KSM603', path.join('svc', 'requirements.txt')], ['KSM602', path.join('svc', 'requirements.txt')]]);
  });
});
