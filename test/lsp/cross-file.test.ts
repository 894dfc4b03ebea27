/** The language server across files: imported modules, and edits to them reaching their importers. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { readinessReportMethod, type FileReadiness } from '../../server/src/protocol';
import { applyLspEdits, editsFor, LspClient, replaceChange } from './harness';
import { scaleLayerSource } from '../helpers/fixtures';

const registeredWithConfig = scaleLayerSource
  .replace('class Scale', '@keras.utils.register_keras_serializable()\nclass Scale')
  .concat('\n    def get_config(self):\n        return {**super().get_config(), "factor": self.factor}\n');

const models = (compiled: boolean) => [
  'import keras',
  '',
  '',
  'def build():',
  '    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
  ...(compiled ? ['    model.compile(optimizer="adam", loss="mse")'] : []),
  '    return model',
  '',
].join('\n');

const train = [
  'import keras',
  '',
  'from .layers import Scale',
  'from .models import build',
  '',
  'scaled = keras.Sequential([keras.Input(shape=(4,)), Scale(2.0)])',
  'scaled.compile(optimizer="adam", loss="mse")',
  'scaled.save("scaled.keras")',
  'built = build()',
  'built.save("built.keras")',
  '',
].join('\n');

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => [String(d.code), d.range.start.line]);

describe('language server: across files', () => {
  let workspace: string;
  let client: LspClient;
  let trainUri: string;
  let layersUri: string;
  let modelsFile: string;

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-cross-'));
    const write = (relative: string, text: string) => {
      const file = path.join(workspace, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    };
    write('pkg/__init__.py', '');
    layersUri = pathToFileURL(write('pkg/layers.py', scaleLayerSource)).href;
    modelsFile = write('pkg/models.py', models(false));
    trainUri = pathToFileURL(write('pkg/train.py', train)).href;
    ({ client } = await LspClient.start({ workspaceFolders: [workspace] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('Python files are watched, so changes on disk reach the server', async () => {
    const watched = await client.waitFor('the watcher registration', () => client.registrations.get('workspace/didChangeWatchedFiles'));
    assert.ok(JSON.stringify(watched).includes('**/*.py'));
  });

  test('an open file is analysed with the modules it imports, and its report points into them', async () => {
    await client.open(trainUri, train);
    const published = await client.diagnostics(trainUri, { version: 1 });
    assert.deepEqual(codes(published), [['KSM203', 5], ['KSM101', 9]]);
    const unregistered = published.diagnostics.find((d) => d.code === 'KSM203')!;
    assert.equal(unregistered.relatedInformation?.[0]?.location.uri, pathToFileURL(path.join(workspace, 'pkg', 'layers.py')).href);
    assert.equal(unregistered.relatedInformation?.[0]?.location.range.start.line, 3);

    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri: trainUri });
    const scaled = report.models.find((m) => m.name === 'scaled')!;
    const problems = scaled.checks.find((c) => c.id === 'custom-objects')!.problems;
    assert.deepEqual(problems.map((p) => [p.code, p.uri, p.range.start.line]), [['KSM203', undefined, 5], ['KSM201', pathToFileURL(path.join(workspace, 'pkg', 'layers.py')).href, 3]]);
  });

  test('editing an open module updates its importer without any request for it', async () => {
    const opened = client.mark();
    await client.open(layersUri, scaleLayerSource);
    await client.diagnostics(layersUri, { version: 1 });
    // Opening it re-analyses its importer too (the editor's text now counts); let that pass first.
    assert.deepEqual(codes(await client.diagnostics(trainUri, { since: opened })), [['KSM203', 5], ['KSM101', 9]]);
    const since = client.mark();
    await client.change(layersUri, 2, [{ text: registeredWithConfig }]);
    const republished = await client.diagnostics(trainUri, { since });
    assert.equal(republished.version, 1, 'train.py itself did not change');
    assert.deepEqual(codes(republished), [['KSM101', 9]], 'Scale is registered now');
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri: trainUri });
    assert.equal(report.models.find((m) => m.name === 'scaled')!.checks.find((c) => c.id === 'custom-objects')!.status, 'pass');
  });

  test('a small incremental edit to the module is enough, and the report right after it is current', async () => {
    const since = client.mark();
    // Take the registration away again: the decorator line becomes a comment.
    const at = registeredWithConfig.indexOf('@keras');
    await client.change(layersUri, 3, [replaceChange(registeredWithConfig, at, at, '# ')]);
    // Asked for at once, before the debounce: the report must not be the stale one.
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri: trainUri });
    assert.deepEqual(report.findings.map((f) => f.code), ['KSM203', 'KSM101']);
    assert.deepEqual(codes(await client.diagnostics(trainUri, { since })), [['KSM203', 5], ['KSM101', 9]]);
  });

  test('closing the module makes its importer read the file on disk again', async () => {
    await client.change(layersUri, 4, [{ text: registeredWithConfig }]);
    await client.waitFor('KSM203 gone', () => {
      const last = client.published.filter((p) => p.uri === trainUri).pop();
      return last && !last.diagnostics.some((d) => d.code === 'KSM203') ? true : undefined;
    });
    const since = client.mark();
    await client.close(layersUri);
    assert.deepEqual(codes(await client.diagnostics(trainUri, { since })), [['KSM203', 5], ['KSM101', 9]], 'the disk still has the unregistered class');
  });

  test('a module changed on disk, never opened, updates its importer', async () => {
    fs.writeFileSync(modelsFile, models(true));
    const since = client.mark();
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(modelsFile).href, type: 2 }] });
    assert.deepEqual(codes(await client.diagnostics(trainUri, { since })), [['KSM203', 5]], 'build() compiles now');
  });

  test('a module created on disk is found by the import that missed it', async () => {
    const uri = pathToFileURL(path.join(workspace, 'pkg', 'later.py')).href;
    const text = 'from .blocks import build_block\nm = build_block()\nm.save("m.keras")\n';
    await client.open(uri, text);
    assert.deepEqual(codes(await client.diagnostics(uri, { version: 1 })), []);
    const blocks = path.join(workspace, 'pkg', 'blocks.py');
    fs.writeFileSync(blocks, models(false).replace('def build', 'def build_block'));
    const since = client.mark();
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(blocks).href, type: 1 }] });
    assert.deepEqual(codes(await client.diagnostics(uri, { since })), [['KSM101', 2]]);
    await client.close(uri);
  });

  test('two hops: editing layers.py updates a file whose model comes from a helper that uses its class', async () => {
    const helpers = [
      'import keras',
      'from .layers import Scale',
      '',
      '',
      'def build_scaled():',
      '    scaled = keras.Sequential([keras.Input(shape=(4,)), Scale(2.0)])',
      '    scaled.compile(optimizer="adam", loss="mse")',
      '    return scaled',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(workspace, 'pkg', 'helpers.py'), helpers);
    const uri = pathToFileURL(path.join(workspace, 'pkg', 'serve.py')).href;
    await client.open(uri, 'from .helpers import build_scaled\nm = build_scaled()\nm.save("m.keras")\n');
    const published = await client.diagnostics(uri, { version: 1 });
    assert.deepEqual(codes(published), [['KSM203', 1]]);
    assert.equal(published.diagnostics[0]!.relatedInformation?.[0]?.location.uri, layersUri);
    const since = client.mark();
    await client.open(layersUri, registeredWithConfig);
    assert.deepEqual(codes(await client.diagnostics(uri, { since })), [], 'Scale is registered in the editor now');
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri });
    assert.equal(report.models[0]!.checks.find((c) => c.id === 'custom-objects')!.status, 'pass');
    await client.close(layersUri);
    await client.close(uri);
  });
});

describe('language server: a fix that edits the module defining the class', () => {
  const trainer = [
    'import keras',
    '',
    'from .layers import Scale',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), Scale(2.0)])',
    'model.compile(optimizer="adam", loss="mse")',
    'model.save("model.keras")',
    '',
  ].join('\n');
  let workspace: string;
  let layersFile: string;
  let layersUri: string;
  let trainUri: string;

  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-xfix-'));
    fs.mkdirSync(path.join(workspace, 'pkg'));
    fs.writeFileSync(path.join(workspace, 'pkg', '__init__.py'), '');
    layersFile = path.join(workspace, 'pkg', 'layers.py');
    layersUri = pathToFileURL(layersFile).href;
    trainUri = pathToFileURL(path.join(workspace, 'pkg', 'train.py')).href;
    fs.writeFileSync(path.join(workspace, 'pkg', 'train.py'), trainer);
  });

  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  /** The KSM203 diagnostic of train.py and its register action. */
  async function registerAction(client: LspClient, since?: number) {
    const published = await client.diagnostics(trainUri, since === undefined ? { version: 1 } : { since });
    const diagnostic = published.diagnostics.find((d) => d.code === 'KSM203');
    assert.ok(diagnostic, 'KSM203 on Scale(2.0)');
    const actions = await client.codeActions(trainUri, diagnostic.range, [diagnostic], ['quickfix']);
    const action = actions.find((a) => a.title.startsWith('Register'));
    assert.ok(action, `a register action among ${actions.map((a) => a.title).join('; ')}`);
    return action;
  }

  test('with layers.py closed: one unversioned edit of layers.py, and once it is on disk the finding goes', async () => {
    fs.writeFileSync(layersFile, scaleLayerSource);
    const { client } = await LspClient.start({ workspaceFolders: [workspace] });
    try {
      await client.open(trainUri, trainer);
      const action = await registerAction(client);
      assert.equal(action.title, 'Register `Scale` in layers.py with `@keras.utils.register_keras_serializable()`');
      assert.equal(action.isPreferred, true);
      const changes = action.edit!.documentChanges!;
      assert.equal(changes.length, 1, 'train.py itself is not edited');
      const change = changes[0]!;
      assert.ok('textDocument' in change);
      assert.deepEqual(change.textDocument, { uri: layersUri, version: null });
      const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri: trainUri });
      const problem = report.models[0]!.checks.find((c) => c.id === 'custom-objects')!.problems.find((p) => p.code === 'KSM203')!;
      assert.deepEqual(problem.fix?.otherFiles?.map((f) => [f.uri, f.range.start.line]), [[layersUri, 3]], 'the report says where the fix lands');
      const fixed = applyLspEdits(scaleLayerSource, editsFor(action.edit, layersUri));
      assert.ok(fixed.includes('@keras.utils.register_keras_serializable()\nclass Scale('), fixed);
      fs.writeFileSync(layersFile, fixed);
      const since = client.mark();
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: layersUri, type: 2 }] });
      assert.deepEqual(codes(await client.diagnostics(trainUri, { since })), [], 'Scale is registered in layers.py now');
    } finally {
      client.kill();
    }
  });

  test('with layers.py open: the edit carries its version, and applying it in the editor clears train.py', async () => {
    fs.writeFileSync(layersFile, scaleLayerSource);
    const { client } = await LspClient.start({ workspaceFolders: [workspace] });
    try {
      await client.open(trainUri, trainer);
      await client.diagnostics(trainUri, { version: 1 });
      const opened = client.mark();
      await client.open(layersUri, scaleLayerSource);
      // Opening it re-analyses its importer (the editor's text now counts); let that pass first.
      await client.diagnostics(trainUri, { since: opened });
      const first = await registerAction(client, opened);
      const since = client.mark();
      await client.change(layersUri, 2, [{ text: `# edited in the editor\n${scaleLayerSource}` }]);
      // The action computed before the change names version 1: an editor refuses it now.
      const stale = first.edit!.documentChanges![0]!;
      assert.ok('textDocument' in stale);
      assert.deepEqual(stale.textDocument, { uri: layersUri, version: 1 });
      const action = await registerAction(client, since);
      const change = action.edit!.documentChanges![0]!;
      assert.ok('textDocument' in change);
      assert.deepEqual(change.textDocument, { uri: layersUri, version: 2 });
      // The edit is against the editor's text, one line lower than the file on disk.
      const fixed = applyLspEdits(`# edited in the editor\n${scaleLayerSource}`, editsFor(action.edit, layersUri, 2));
      assert.equal(fixed.split('\n').indexOf('@keras.utils.register_keras_serializable()'), 4);
      const applied = client.mark();
      await client.change(layersUri, 3, [{ text: fixed }]);
      assert.deepEqual(codes(await client.diagnostics(trainUri, { since: applied })), [], 'the importer is clean');
    } finally {
      client.kill();
    }
  });

  test('a client without documentChanges gets the edit under changes, keyed by layers.py', async () => {
    fs.writeFileSync(layersFile, scaleLayerSource);
    const { client } = await LspClient.start({ workspaceFolders: [workspace], documentChanges: false });
    try {
      await client.open(trainUri, trainer);
      const action = await registerAction(client);
      assert.equal(action.edit!.documentChanges, undefined);
      assert.deepEqual(Object.keys(action.edit!.changes!), [layersUri]);
      assert.equal(action.edit!.changes![layersUri]![0]!.newText, '@keras.utils.register_keras_serializable()\n');
    } finally {
      client.kill();
    }
  });
});
