import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { ApplyWorkspaceEditParams, Hover, InitializeResult, MarkupContent } from 'vscode-languageserver';
import { initParser } from '../../server/src/engine/analysis/parser';
import { defaultSettings } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { serverCommands, type FileReadiness, type FixAllResult } from '../../server/src/protocol';
import { applyLspEdits, editsFor, engineFindings, fileUri, LspClient, replaceChange, repoRoot, saveBeforeCompile } from './harness';

/** LSP 3.17 conventions: server info, position encoding, hover on findings, and commands for clients without code-action UIs. */
describe('language server: LSP conventions', () => {
  let client: LspClient;
  let initialize: InitializeResult;
  const applied: ApplyWorkspaceEditParams[] = [];

  before(async () => {
    await initParser();
    ({ client, initialize } = await LspClient.start());
    client.connection.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams) => {
      applied.push(params);
      return { applied: true };
    });
  });

  after(async () => {
    await client.shutdown();
  });

  test('initialize names the server with its version, UTF-16 positions, hover and the commands', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual(initialize.serverInfo, { name: 'keras-savedmodel-lint', version });
    assert.equal(initialize.capabilities.positionEncoding, 'utf-16');
    assert.equal(initialize.capabilities.hoverProvider, true);
    assert.deepEqual(initialize.capabilities.executeCommandProvider?.commands.sort(), Object.values(serverCommands).sort());
  });

  test('hover on a finding shows its code, name, message and documentation link; off findings there is none', async () => {
    const uri = fileUri('hover.py');
    await client.open(uri, saveBeforeCompile);
    const [diagnostic] = (await client.diagnostics(uri)).diagnostics;
    const hover: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 8 } });
    assert.ok(hover);
    const { kind, value } = hover.contents as MarkupContent;
    const message = diagnostic!.message as string;
    assert.equal(kind, 'markdown');
    assert.match(value, /^\*\*KSM101\*\* `save-before-compile`/);
    assert.ok(value.includes(message));
    // The explanation the short message leaves out: what Keras says, by version.
    const [finding] = analyzeText(saveBeforeCompile, defaultSettings).findings;
    assert.ok(finding?.detail && finding.detail !== message);
    assert.ok(value.includes(finding.detail), value);
    assert.ok(value.includes(`(${diagnostic!.codeDescription!.href})`));
    assert.deepEqual(hover.range, diagnostic!.range);
    const nothing = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
    assert.equal(nothing, null);
    await client.close(uri);
  });

  test('the fix-all command applies the safe fixes through workspace/applyEdit', async () => {
    const uri = fileUri('fix_all_command.py');
    // fit_generator -> fit is safe; the save before compile has only an unsafe fix, which stays.
    const text = saveBeforeCompile + 'model.fit_generator(batches)\n';
    await client.open(uri, text);
    await client.diagnostics(uri, { version: 1 });
    const result: FixAllResult = await client.connection.sendRequest('workspace/executeCommand', { command: serverCommands.fixAll, arguments: [uri] });
    assert.deepEqual(result, { fixes: 1, applied: true });
    const fixed = applyLspEdits(text, editsFor(applied.at(-1)!.edit, uri, 1));
    assert.ok(fixed.includes('model.fit(batches)'));
    assert.deepEqual(engineFindings(fixed).map((f) => f.code), ['KSM101']);
    await client.close(uri);
  });

  test('the fix-all command on a file with nothing to fix asks the client for nothing', async () => {
    const uri = fileUri('nothing_to_fix.py');
    await client.open(uri, 'x = 1\n');
    const before = applied.length;
    const result: FixAllResult = await client.connection.sendRequest('workspace/executeCommand', { command: serverCommands.fixAll, arguments: [uri] });
    assert.deepEqual(result, { fixes: 0, applied: false });
    assert.equal(applied.length, before);
    await client.close(uri);
  });

  test('the readiness-report command answers as the request does', async () => {
    const uri = fileUri('report_command.py');
    await client.open(uri, saveBeforeCompile);
    const byCommand: FileReadiness = await client.connection.sendRequest('workspace/executeCommand', { command: serverCommands.readinessReport, arguments: [uri] });
    const byRequest: FileReadiness = await client.connection.sendRequest('kerasSavedModel/readinessReport', { uri });
    assert.deepEqual(byCommand, byRequest);
    assert.equal(byCommand.models.length, 1);
    await client.close(uri);
  });

  test('an unknown command or a missing argument is an InvalidParams error', async () => {
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: 'kerasSavedModel.nope' }), /unknown command/);
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: serverCommands.fixAll, arguments: [] }), /expects a document URI/);
  });
});

describe('language server: the run and exclude settings', () => {
  let client: LspClient;
  let folder: string;

  before(async () => {
    await initParser();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-settings-'));
    ({ client } = await LspClient.start({ workspaceFolders: [folder] }));
  });

  after(async () => {
    await client.shutdown();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('with run: onSave an edit publishes nothing until the file is saved', async () => {
    client.settings['*'] = { run: 'onSave' };
    await client.changeConfiguration();
    const uri = pathToFileURL(path.join(folder, 'on_save.py')).href;
    let since = client.mark();
    await client.open(uri, 'x = 1\n');
    assert.deepEqual((await client.diagnostics(uri, { since, version: 1 })).diagnostics, []);
    since = client.mark();
    await client.change(uri, 2, [replaceChange('x = 1\n', 6, 6, saveBeforeCompile)]);
    // The save is sent after a wait in which a check on type would have published.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(client.published.slice(since).filter((p) => p.uri === uri).length, 0);
    await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    assert.deepEqual((await client.diagnostics(uri, { since, version: 2 })).diagnostics.map((d) => d.code), ['KSM101']);
    await client.close(uri);
  });

  test('a file matched by exclude gets no diagnostics and is left out of the workspace report', async () => {
    fs.mkdirSync(path.join(folder, 'legacy'));
    fs.writeFileSync(path.join(folder, 'legacy', 'old.py'), saveBeforeCompile);
    fs.writeFileSync(path.join(folder, 'kept.py'), saveBeforeCompile);
    client.settings['*'] = { exclude: ['legacy/**'] };
    await client.changeConfiguration();
    const excluded = pathToFileURL(path.join(folder, 'legacy', 'old.py')).href;
    const kept = pathToFileURL(path.join(folder, 'kept.py')).href;
    const since = client.mark();
    await client.open(excluded, saveBeforeCompile);
    await client.open(kept, saveBeforeCompile);
    assert.equal((await client.diagnostics(kept, { since })).diagnostics.length, 1);
    assert.deepEqual((await client.diagnostics(excluded, { since })).diagnostics, []);
    const reports: FileReadiness[] = await client.connection.sendRequest('kerasSavedModel/workspaceReadinessReport', {});
    assert.deepEqual(reports.map((r) => path.basename(new URL(r.uri).pathname)).filter((n) => n.endsWith('.py')).sort(), ['kept.py']);
    await client.close(excluded);
    await client.close(kept);
  });
});
