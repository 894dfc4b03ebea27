/** The readiness report requests over stdio: one document, and the workspace with progress. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { LSPErrorCodes } from 'vscode-languageserver';
import { dependenciesReportMethod, readinessReportMethod, workspaceReadinessReportMethod, type FileReadiness, type ProjectReadiness } from '../../server/src/protocol';
import { LspClient, replaceChange } from './harness';

const saveBeforeCompile = [
  'from tensorflow import keras',
  'model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
  'model.save("m.keras")',
  'model.compile(optimizer="adam", loss="mse")',
  '',
].join('\n');

/** Saved before it is built: KSM301 is an error, so the model is not ready. */
const unbuilt = [
  'from tensorflow import keras',
  'model = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])',
  'model.compile(optimizer="adam", loss="mse")',
  'model.save("m.keras")',
  '',
].join('\n');

const clean = 'import numpy as np\nx = np.zeros(3)\n';

function write(root: string, relative: string, content: string | Buffer): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

const uriOf = (file: string) => pathToFileURL(file).href;

describe('language server: readiness reports', () => {
  let workspace: string;
  let client: LspClient;

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-'));
    write(workspace, 'train.py', unbuilt);
    write(workspace, 'pkg/save_first.py', saveBeforeCompile);
    write(workspace, 'pkg/util.py', clean);
    write(workspace, 'open.py', clean);
    write(workspace, 'latin1.py', Buffer.from([0x23, 0x20, 0xe9, 0x0a])); // "# é" in Latin-1: not UTF-8
    write(workspace, 'latin1-declared.py', Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nname = "'), Buffer.from([0xe9]), Buffer.from('"\n')]));
    write(workspace, 'binary.py', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]));
    write(workspace, 'notes.txt', saveBeforeCompile);
    // Installed or generated code, never reported:
    for (const skipped of ['.venv/lib/python3.12/site-packages/k.py', 'venv/a.py', 'env/lib/python3.12/site-packages/b.py', 'node_modules/c.py', 'pkg/__pycache__/d.py', '.git/e.py']) {
      write(workspace, skipped, saveBeforeCompile);
    }
    ({ client } = await LspClient.start({ workspaceFolders: [workspace] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('the report of an open document follows the editor text', async () => {
    const uri = uriOf(path.join(workspace, 'open.py'));
    await client.open(uri, saveBeforeCompile);
    let report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri });
    assert.equal(report.uri, uri);
    assert.equal(report.skipped, undefined);
    assert.deepEqual(report.findings.map((f) => [f.code, f.name, f.severity, f.range.start.line]), [['KSM101', 'save-before-compile', 'warning', 2]]);
    assert.equal(report.models.length, 1);
    const [model] = report.models;
    assert.equal(model!.name, 'model');
    assert.equal(model!.verdict, 'ready', 'a warning does not block');
    assert.deepEqual(model!.saves.map((s) => s.range.start.line), [2]);
    const compile = model!.checks.find((c) => c.id === 'compile');
    assert.equal(compile?.status, 'fail');
    assert.deepEqual(compile?.problems.map((p) => p.code), ['KSM101']);
    assert.ok(model!.checks.filter((c) => c.id !== 'compile').every((c) => c.status === 'pass'));
    assert.deepEqual([model!.byVersion?.keras2.verdict, model!.byVersion?.keras3.verdict], ['ready', 'ready']);

    // Not yet analysed after this edit: the request must still answer for the new text.
    const at = saveBeforeCompile.indexOf('model.save');
    await client.change(uri, 2, [replaceChange(saveBeforeCompile, at, at, 'model.compile(loss="mse")\n')]);
    report = await client.connection.sendRequest(readinessReportMethod, { uri });
    assert.deepEqual(report.findings, []);
    assert.equal(report.models[0]!.checks.find((c) => c.id === 'compile')?.status, 'pass');
    await client.close(uri);
  });

  test('a file that is not open is read from disk', async () => {
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri: uriOf(path.join(workspace, 'train.py')) });
    assert.equal(report.skipped, undefined);
    assert.deepEqual(report.models.map((m) => [m.name, m.verdict]), [['model', 'not-ready']]);
    assert.equal(report.models[0]!.checks.find((c) => c.id === 'input-shape')?.status, 'fail');
    assert.equal(report.models[0]!.byVersion?.keras3.verdict, 'not-ready');
    assert.ok(report.models[0]!.blocking > 0);
  });

  test('unreadable files come back skipped, with the reason', async () => {
    const cases: Array<[string, RegExp]> = [
      [uriOf(path.join(workspace, 'latin1.py')), /not valid UTF-8/],
      [uriOf(path.join(workspace, 'missing.py')), /could not be read \(ENOENT\)/],
      [uriOf(path.join(workspace, 'binary.py')), /NUL/],
      ['untitled:Untitled-1', /not a file/],
    ];
    for (const [uri, reason] of cases) {
      const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri });
      assert.match(report.skipped ?? '', reason, uri);
      assert.deepEqual([report.models, report.findings], [[], []]);
    }
  });

  test('a request without a uri is answered with an error, and the server carries on', async () => {
    await assert.rejects(client.connection.sendRequest(readinessReportMethod, {}), (error: ResponseError<unknown>) => {
      assert.equal(error.code, -32602);
      return true;
    });
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri: uriOf(path.join(workspace, 'pkg/util.py')) });
    assert.deepEqual(report.findings, []);
  });

  test('the workspace report covers every Python file, with progress through the given token', async () => {
    const openUri = uriOf(path.join(workspace, 'pkg/util.py'));
    await client.open(openUri, saveBeforeCompile); // unsaved editor text differs from the file
    const token = 'workspace-report-1';
    const reports: FileReadiness[] = await client.connection.sendRequest(workspaceReadinessReportMethod, { workDoneToken: token });
    const names = ['binary.py', 'latin1-declared.py', 'latin1.py', 'open.py', 'pkg/save_first.py', 'pkg/util.py', 'train.py'];
    const expected = names.map((f) => uriOf(path.join(workspace, f)));
    assert.deepEqual(reports.map((r) => r.uri), expected);
    const byName = (name: string) => reports.find((r) => r.uri === uriOf(path.join(workspace, name)))!;
    assert.match(byName('latin1.py').skipped ?? '', /UTF-8/);
    assert.equal(byName('latin1-declared.py').skipped, undefined, 'a PEP 263 declaration is honoured');
    assert.match(byName('binary.py').skipped ?? '', /NUL/);
    assert.deepEqual(byName('pkg/util.py').findings.map((f) => f.code), ['KSM101'], 'open documents use the editor text');
    assert.deepEqual(byName('open.py').findings, []);
    assert.equal(byName('train.py').models[0]?.verdict, 'not-ready');

    const events = client.progress.filter((p) => p.token === token).map((p) => p.value);
    assert.equal(events[0]?.kind, 'begin');
    assert.equal(events.at(-1)?.kind, 'end');
    const steps = events.filter((e) => e.kind === 'report');
    assert.equal(steps.length, expected.length, 'one report per file');
    assert.deepEqual(steps.map((s) => s.message), names.map((n) => path.join(...n.split('/'))));
    const percentages = steps.map((s) => s.percentage ?? -1);
    assert.deepEqual(percentages, [...percentages].sort((a, b) => a - b), 'percentages grow');
    assert.ok(percentages.every((p) => p >= 0 && p <= 100));
    await client.close(openUri);
  });

  test('the workspace report stops when the request is cancelled', async () => {
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-big-'));
    for (let i = 0; i < 400; i++) write(big, `m${String(i).padStart(3, '0')}.py`, saveBeforeCompile);
    const { client: other } = await LspClient.start({ workspaceFolders: [big] });
    try {
      const token = 'workspace-report-cancel';
      const source = new CancellationTokenSource();
      const request = other.connection.sendRequest(workspaceReadinessReportMethod, { workDoneToken: token }, source.token);
      await other.waitFor('the first file', () => other.progress.find((p) => p.token === token && p.value.kind === 'report'));
      source.cancel();
      await assert.rejects(request, (error: ResponseError<unknown>) => {
        assert.equal(error.code, LSPErrorCodes.RequestCancelled);
        return true;
      });
      await other.waitFor('the end of progress', () => other.progress.find((p) => p.token === token && p.value.kind === 'end'));
      const reported = other.progress.filter((p) => p.token === token && p.value.kind === 'report').length;
      assert.ok(reported < 400, `stopped early (after ${reported} files)`);
    } finally {
      other.kill();
      fs.rmSync(big, { recursive: true, force: true });
    }
  });
});

describe('language server: the dependencies report, once per project', () => {
  let workspace: string;
  let outside: string;
  let client: LspClient;

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-deps-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-loose-'));
    write(workspace, 'requirements.txt', 'tensorflow>=2.16\nkeras<3\n');
    write(workspace, 'train.py', saveBeforeCompile);
    write(workspace, 'scripts/evaluate.py', clean);
    write(workspace, 'serving/pyproject.toml', '[project]\nname = "serving"\ndependencies = ["tensorflow>=2.17"]\n');
    write(workspace, 'serving/app/legacy.py', 'import tf_keras\n');
    write(workspace, 'tools/pyproject.toml', '[project]\nname = "tools"\ndependencies = ["tensorflow==2.15.*", "keras==2.15.*"]\n');
    write(workspace, 'legacy/setup.py', 'from setuptools import setup\n\nsetup(\n    name="legacy",\n    install_requires=["tensorflow==2.11.*", "keras>=3"],\n)\n');
    write(outside, 'loose.py', clean);
    ({ client } = await LspClient.start({ workspaceFolders: [workspace] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const summary = (projects: ProjectReadiness[]) =>
    projects.map((p) => [p.project, p.check.id, p.check.status, p.check.problems.map((problem) => [problem.code, problem.uri, problem.range.start.line])]);

  test('without a uri: every project of the workspace, each with its own check and the problems on its requirement files', async () => {
    const projects: ProjectReadiness[] = await client.connection.sendRequest(dependenciesReportMethod, {});
    assert.deepEqual(summary(projects), [
      // A setup.py alone makes a project.
      ['legacy', 'dependencies', 'fail', [['KSM602', uriOf(path.join(workspace, 'legacy/setup.py')), 4]]],
      // The root project's code includes serving/'s `import tf_keras`.
      ['.', 'dependencies', 'fail', [['KSM603', uriOf(path.join(workspace, 'requirements.txt')), 0], ['KSM602', uriOf(path.join(workspace, 'requirements.txt')), 1]]],
      ['serving', 'dependencies', 'fail', [['KSM603', uriOf(path.join(workspace, 'serving/pyproject.toml')), 2]]],
      ['tools', 'dependencies', 'pass', []],
    ]);
    assert.equal(projects[1]!.uri, uriOf(workspace));
  });

  test('with a uri: the project of that document only, found upwards; none outside every project', async () => {
    const nested: ProjectReadiness[] = await client.connection.sendRequest(dependenciesReportMethod, { uri: uriOf(path.join(workspace, 'serving/app/legacy.py')) });
    assert.deepEqual(nested.map((p) => p.project), ['serving']);
    const root: ProjectReadiness[] = await client.connection.sendRequest(dependenciesReportMethod, { uri: uriOf(path.join(workspace, 'scripts/evaluate.py')) });
    assert.deepEqual(summary(root).map((p) => [p[0], p[2]]), [['.', 'fail']]);
    assert.deepEqual(await client.connection.sendRequest(dependenciesReportMethod, { uri: uriOf(path.join(outside, 'loose.py')) }), []);
  });

  test('the editor text of an open requirement file counts; turned-off rules make the check off', async () => {
    const requirements = uriOf(path.join(workspace, 'requirements.txt'));
    await client.open(requirements, 'tensorflow>=2.16\nkeras>=3\ntf-keras>=2.16\n', 1);
    const fixed: ProjectReadiness[] = await client.connection.sendRequest(dependenciesReportMethod, { uri: requirements });
    assert.deepEqual(summary(fixed), [['.', 'dependencies', 'pass', []]]);
    await client.close(requirements);
    client.settings['*'] = { rules: { KSM602: 'off', KSM603: 'off' } };
    await client.changeConfiguration();
    const off: ProjectReadiness[] = await client.connection.sendRequest(dependenciesReportMethod, { uri: requirements });
    assert.deepEqual(summary(off), [['.', 'dependencies', 'off', []]]);
    client.settings = {};
    await client.changeConfiguration();
  });
});
