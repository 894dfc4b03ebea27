import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { DocumentDiagnosticReport, FullDocumentDiagnosticReport, InitializeResult, WorkspaceDiagnosticReport, WorkspaceFullDocumentDiagnosticReport } from 'vscode-languageserver';
import { initParser } from '../../server/src/engine/analysis/parser';
import { diagnosticKeys, engineFindings, LspClient, replaceChange, saveBeforeCompile } from './harness';

/** LSP 3.17 pull diagnostics, for clients that announce them; the others get them pushed (every other suite). */
describe('language server: pulled diagnostics', () => {
  let client: LspClient;
  let initialize: InitializeResult;
  let workspace: string;

  before(async () => {
    await initParser();
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-pull-'));
    ({ client, initialize } = await LspClient.start({ pullDiagnostics: true, workspaceFolders: [workspace] }));
  });

  after(async () => {
    await client.shutdown();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  const pull = (uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> =>
    client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });

  function full(report: DocumentDiagnosticReport): FullDocumentDiagnosticReport {
    assert.equal(report.kind, 'full');
    return report as FullDocumentDiagnosticReport;
  }

  test('the server announces a diagnostic provider whose findings depend on other files', () => {
    assert.deepEqual(initialize.capabilities.diagnosticProvider, { identifier: 'keras-savedmodel-lint', interFileDependencies: true, workspaceDiagnostics: false });
  });

  test('a pull answers the current text, unchanged when the client has it, and nothing is pushed', async () => {
    const uri = pathToFileURL(path.join(workspace, 'train.py')).href;
    await client.open(uri, saveBeforeCompile);
    const first = full(await pull(uri));
    assert.deepEqual(diagnosticKeys(first.items), engineFindings(saveBeforeCompile));
    assert.ok(first.resultId);
    assert.deepEqual(await pull(uri, first.resultId), { kind: 'unchanged', resultId: first.resultId });

    // An edit: the next pull waits for the new text's analysis.
    const fixed = saveBeforeCompile.replace('model.save', 'model.compile(loss="mse")\nmodel.save');
    await client.change(uri, 2, [replaceChange(saveBeforeCompile, 0, saveBeforeCompile.length, fixed)]);
    const second = full(await pull(uri, first.resultId));
    assert.deepEqual(second.items, []);
    assert.notEqual(second.resultId, first.resultId);
    assert.equal(client.published.length, 0, 'a client that pulls gets nothing pushed');
  });

  test('a change the client did not ask about (the settings) asks it to pull again', async () => {
    const uri = pathToFileURL(path.join(workspace, 'refresh.py')).href;
    await client.open(uri, saveBeforeCompile);
    const before = full(await pull(uri));
    assert.equal(before.items.length, 1);
    const refreshes = client.refreshes;
    client.settings['*'] = { rules: { KSM101: 'off' } };
    await client.changeConfiguration();
    await client.waitFor('a refresh request', () => (client.refreshes > refreshes ? true : undefined));
    assert.deepEqual(full(await pull(uri, before.resultId)).items, []);
    client.settings = {};
  });

  test('a document the server does not have is answered with an empty report', async () => {
    assert.deepEqual(full(await pull('file:///nowhere/never_opened.py')).items, []);
  });
});

describe('language server: workspace diagnostics, for clients that ask for them', () => {
  let client: LspClient;
  let initialize: InitializeResult;
  let workspace: string;

  before(async () => {
    await initParser();
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-workspace-pull-'));
    fs.writeFileSync(path.join(workspace, 'train.py'), saveBeforeCompile);
    fs.writeFileSync(path.join(workspace, 'clean.py'), 'x = 1\n');
    ({ client, initialize } = await LspClient.start({ pullDiagnostics: true, workspaceFolders: [workspace], initializationOptions: { workspaceDiagnostics: true } }));
  });

  after(async () => {
    await client.shutdown();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  const pullWorkspace = (previousResultIds: Array<{ uri: string; value: string }> = []): Promise<WorkspaceDiagnosticReport> =>
    client.connection.sendRequest('workspace/diagnostic', { previousResultIds });

  test('every file of the workspace is reported, and one that has not changed is unchanged', async () => {
    assert.equal((initialize.capabilities.diagnosticProvider as { workspaceDiagnostics: boolean }).workspaceDiagnostics, true);
    const train = pathToFileURL(path.join(workspace, 'train.py')).href;
    const clean = pathToFileURL(path.join(workspace, 'clean.py')).href;
    const first = await pullWorkspace();
    const byUri = new Map(first.items.map((item) => [item.uri, item]));
    assert.deepEqual([...byUri.keys()].sort(), [clean, train].sort());
    const trainReport = byUri.get(train) as WorkspaceFullDocumentDiagnosticReport;
    assert.equal(trainReport.kind, 'full');
    assert.equal(trainReport.version, null, 'not open');
    assert.deepEqual(diagnosticKeys(trainReport.items), engineFindings(saveBeforeCompile));
    assert.deepEqual((byUri.get(clean) as WorkspaceFullDocumentDiagnosticReport).items, []);

    const held = first.items.map((item) => ({ uri: item.uri, value: item.resultId! }));
    assert.deepEqual((await pullWorkspace(held)).items.map((item) => item.kind), ['unchanged', 'unchanged']);

    // A file changed on disk is analysed again.
    fs.writeFileSync(path.join(workspace, 'train.py'), 'x = 2\n');
    const after = new Map((await pullWorkspace(held)).items.map((item) => [item.uri, item]));
    assert.equal(after.get(clean)!.kind, 'unchanged');
    assert.deepEqual(after.get(train), { kind: 'full', uri: train, version: null, resultId: (after.get(train) as WorkspaceFullDocumentDiagnosticReport).resultId, items: [] });
  });
});
