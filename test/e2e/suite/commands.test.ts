import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commandIds } from '../../../client/src/command-ids';
import type { FileReadiness } from '../../../server/src/protocol';
import { extensionApi, openCopy, waitFor, waitForDiagnostic, workspaceFolder } from './helpers';

/** Every Python file and notebook under a folder, as `file:` URIs. */
function checkedFiles(folder: string): string[] {
  return fs.readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.py') || name.endsWith('.ipynb'))
    .map((name) => vscode.Uri.file(path.join(folder, name)).toString())
    .sort();
}

function codes(file: FileReadiness): string[] {
  return file.findings.map((f) => f.code);
}

/** Waits for an open webview tab of the report with this title. */
function waitForReportTab(label: string): Promise<vscode.Tab> {
  const tabs = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs);
  return waitFor(
    `the report tab "${label}"`,
    () => tabs().find((tab) => tab.label === label && tab.input instanceof vscode.TabInputWebview),
    () => `tabs: ${tabs().map((t) => `"${t.label}"`).join(', ')}`,
  );
}

suite('Readiness commands', () => {
  test('Check SavedModel Readiness reports the active file', async () => {
    const api = await extensionApi();
    const { document } = await openCopy('examples/flagged/lstm_input_shape.py');
    await waitForDiagnostic(document, { code: 'KSM301', line: 10, text: 'tf.keras.layers.LSTM(64, return_sequences=True)' });
    await vscode.commands.executeCommand(commandIds.checkReadiness);
    const report = api.lastReport;
    assert.equal(report?.kind, 'file');
    assert.deepEqual(report.files.map((f) => f.uri), [document.uri.toString()]);
    const [file] = report.files;
    assert.deepEqual(codes(file!), ['KSM301']);
    assert.deepEqual(file!.models.map((m) => [m.name, m.verdict]), [['model', 'not-ready']]);
    await waitForReportTab(`SavedModel Readiness: ${path.basename(document.uri.fsPath)}`);
  });

  test('Check SavedModel Readiness of a fixed file: ready', async () => {
    const api = await extensionApi();
    const { document } = await openCopy('examples/fixed/lstm_input_shape.py');
    await vscode.commands.executeCommand(commandIds.checkReadiness, document.uri);
    assert.equal(api.lastReport?.kind, 'file');
    const [file] = api.lastReport.files;
    assert.equal(file?.uri, document.uri.toString());
    assert.deepEqual(codes(file), []);
    assert.deepEqual(file.models.map((m) => [m.name, m.verdict]), [['model', 'ready']]);
  });

  test('Check SavedModel Readiness (Workspace) reports every Python file and notebook', async () => {
    const api = await extensionApi();
    const folder = workspaceFolder().fsPath;
    await vscode.commands.executeCommand(commandIds.checkWorkspaceReadiness);
    const report = api.lastReport;
    assert.equal(report?.kind, 'workspace');
    assert.deepEqual(report.files.map((f) => f.uri).sort(), checkedFiles(folder));
    const byPath = new Map(report.files.map((f) => [path.relative(folder, vscode.Uri.parse(f.uri).fsPath), f]));
    assert.deepEqual(codes(byPath.get(path.join('examples', 'flagged', 'lstm_input_shape.py'))!), ['KSM301']);
    assert.deepEqual(codes(byPath.get(path.join('examples', 'flagged', 'fit_generator.py'))!), ['KSM402']);
    assert.deepEqual(codes(byPath.get(path.join('examples', 'fixed', 'lstm_input_shape.py'))!), []);
    await waitForReportTab('SavedModel Readiness: Workspace');
  });
});
