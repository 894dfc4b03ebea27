/** Settings over stdio: pulled per resource with workspace/configuration, or pushed by simpler clients. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type PublishDiagnosticsParams } from 'vscode-languageserver';
import { readinessReportMethod, settingsSection, type FileReadiness } from '../../server/src/protocol';
import { fileUri, LspClient } from './harness';

const saveBeforeCompile = [
  'from tensorflow import keras',
  'model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
  'model.save("m.keras")',
  'model.compile(optimizer="adam", loss="mse")',
  '',
].join('\n');

const fitGenerator = [
  'from tensorflow import keras',
  'model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
  'model.compile(optimizer="adam", loss="mse")',
  'model.fit_generator(batches, epochs=2)',
  '',
].join('\n');

const summary = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => [d.code, d.severity]);

describe('language server: settings from workspace/configuration', () => {
  let client: LspClient;

  before(async () => {
    ({ client } = await LspClient.start({ configuration: true }));
  });

  after(() => client.kill());

  /** Changes what the client answers, notifies the server, and returns the next diagnostics of `uri`. */
  async function reconfigure(uri: string, settings: unknown): Promise<PublishDiagnosticsParams> {
    client.settings['*'] = settings;
    const since = client.mark();
    await client.changeConfiguration();
    return client.diagnostics(uri, { since });
  }

  test('settings are read per document and re-read after didChangeConfiguration', async () => {
    const uri = fileUri('settings.py');
    await client.open(uri, saveBeforeCompile);
    assert.deepEqual(summary(await client.diagnostics(uri, { version: 1 })), [['KSM101', DiagnosticSeverity.Warning]]);
    assert.ok(
      client.configurationRequests.some((r) => r.items.some((item) => item.scopeUri === uri && item.section === settingsSection)),
      'asked for the section with the document as scope',
    );

    assert.deepEqual(summary(await reconfigure(uri, { rules: { KSM101: 'error' } })), [['KSM101', DiagnosticSeverity.Error]]);
    assert.deepEqual(summary(await reconfigure(uri, { rules: { 'save-before-compile': 'hint' } })), [['KSM101', DiagnosticSeverity.Hint]]);
    assert.deepEqual(summary(await reconfigure(uri, { rules: { 'save-before-compile': 'off' } })), []);
    assert.deepEqual(summary(await reconfigure(uri, { rules: { KSM101: 'default' } })), [['KSM101', DiagnosticSeverity.Warning]]);
    const disabled = await reconfigure(uri, { enable: false });
    assert.deepEqual(disabled.diagnostics, []);
    assert.equal(disabled.version, 1, 'cleared for the current version');
    assert.deepEqual(summary(await reconfigure(uri, { enable: true })), [['KSM101', DiagnosticSeverity.Warning]]);
    await client.close(uri);
  });

  test('kerasVersion decides a version-dependent severity', async () => {
    const uri = fileUri('version.py');
    client.settings['*'] = { kerasVersion: '2' };
    await client.open(uri, fitGenerator);
    assert.deepEqual(summary(await client.diagnostics(uri, { version: 1 })), [['KSM402', DiagnosticSeverity.Warning]]);
    assert.deepEqual(summary(await reconfigure(uri, { kerasVersion: '3' })), [['KSM402', DiagnosticSeverity.Error]]);
    await client.close(uri);
  });

  test('each document gets the settings of its own scope', async () => {
    const quiet = fileUri('quiet/a.py');
    const loud = fileUri('loud/a.py');
    client.settings = { [quiet]: { rules: { KSM101: 'off' } }, [loud]: { rules: { KSM101: 'error' } } };
    await client.open(quiet, saveBeforeCompile);
    await client.open(loud, saveBeforeCompile);
    assert.deepEqual(summary(await client.diagnostics(quiet, { version: 1 })), []);
    assert.deepEqual(summary(await client.diagnostics(loud, { version: 1 })), [['KSM101', DiagnosticSeverity.Error]]);
    await client.close(quiet);
    await client.close(loud);
    client.settings = {};
  });

  test('invalid values fall back to the defaults', async () => {
    const uri = fileUri('invalid.py');
    client.settings['*'] = { enable: 'yes', kerasVersion: 'four', rules: { KSM101: 'loud' } };
    await client.open(uri, saveBeforeCompile);
    assert.deepEqual(summary(await client.diagnostics(uri, { version: 1 })), [['KSM101', DiagnosticSeverity.Warning]]);
    await client.close(uri);
    client.settings = {};
  });
});

describe('language server: clients without workspace/configuration', () => {
  let client: LspClient;

  before(async () => {
    ({ client } = await LspClient.start({ configuration: false, initializationOptions: { rules: { KSM101: 'error' }, kerasVersion: 3 } }));
  });

  after(() => client.kill());

  test('initializationOptions set the settings, and pushed settings replace them', async () => {
    const uri = fileUri('pushed.py');
    await client.open(uri, saveBeforeCompile);
    assert.deepEqual(summary(await client.diagnostics(uri, { version: 1 })), [['KSM101', DiagnosticSeverity.Error]]);
    const other = fileUri('pushed-version.py');
    await client.open(other, fitGenerator);
    assert.deepEqual(summary(await client.diagnostics(other, { version: 1 })), [['KSM402', DiagnosticSeverity.Error]], 'kerasVersion = 3 as a number');

    // Each push re-analyses both documents; wait for both before the next push.
    const push = async (settings: unknown) => {
      const since = client.mark();
      await client.changeConfiguration({ [settingsSection]: settings });
      return [summary(await client.diagnostics(uri, { since })), summary(await client.diagnostics(other, { since }))];
    };
    assert.deepEqual(await push({ rules: { KSM101: 'off' } }), [[], [['KSM402', DiagnosticSeverity.Warning]]]);
    assert.deepEqual(await push({ enable: false }), [[], []]);
    assert.deepEqual(await push({}), [[['KSM101', DiagnosticSeverity.Warning]], [['KSM402', DiagnosticSeverity.Warning]]]);
    assert.equal(client.configurationRequests.length, 0, 'never asks a client that cannot answer');
  });
});

describe('language server: the Keras version from the project\'s dependency files', () => {
  let workspace: string;
  let client: LspClient;

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-project-'));
    fs.mkdirSync(path.join(workspace, 'training'));
    fs.writeFileSync(path.join(workspace, 'requirements.txt'), 'numpy\ntensorflow>=2.16\n');
    fs.writeFileSync(path.join(workspace, 'training', 'fit.py'), fitGenerator);
    ({ client } = await LspClient.start({ workspaceFolders: [workspace] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('requirements decide the version, and a change to them is picked up', async () => {
    const requirements = path.join(workspace, 'requirements.txt');
    const uri = pathToFileURL(path.join(workspace, 'training', 'fit.py')).href;
    await client.open(uri, fitGenerator);
    assert.deepEqual(summary(await client.diagnostics(uri, { version: 1 })), [['KSM402', DiagnosticSeverity.Error]], 'Keras 3 from tensorflow>=2.16');
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri });
    assert.equal(report.kerasVersion.major, 3);
    assert.match(report.kerasVersion.source, /requirements\.txt/);

    const watched = await client.waitFor('the watcher registration', () => client.registrations.get('workspace/didChangeWatchedFiles'));
    assert.ok(JSON.stringify(watched).includes('requirements*.txt'));
    fs.writeFileSync(requirements, 'tensorflow==2.15.0\n');
    const since = client.mark();
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(requirements).href, type: 2 }] });
    assert.deepEqual(summary(await client.diagnostics(uri, { since })), [['KSM402', DiagnosticSeverity.Warning]], 'Keras 2 from tensorflow==2.15.0');
    await client.close(uri);
  });
});

describe('language server: the configuration file', () => {
  let workspace: string;
  let client: LspClient;
  const lstm = 'import keras\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.save("m")\n';

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-config-'));
    fs.mkdirSync(path.join(workspace, '.git'));
    fs.mkdirSync(path.join(workspace, 'tests'));
    fs.writeFileSync(path.join(workspace, 'pyproject.toml'), [
      '[tool.ksm]', 'keras-version = "3"', 'ignore = ["KSM101"]',
      '[tool.ksm.severity]', 'lstm-missing-input-shape = "warning"',
      '[tool.ksm.per-file-ignores]', '"tests/*" = ["KSM3"]', '',
    ].join('\n'));
    fs.writeFileSync(path.join(workspace, 'train.py'), lstm);
    fs.writeFileSync(path.join(workspace, 'tests', 'test_train.py'), lstm);
    ({ client } = await LspClient.start({ workspaceFolders: [workspace] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('the server applies [tool.ksm] as the CLI does; an editor setting goes over it only where set', async () => {
    const train = pathToFileURL(path.join(workspace, 'train.py')).href;
    const test = pathToFileURL(path.join(workspace, 'tests', 'test_train.py')).href;
    await client.open(train, lstm);
    await client.open(test, lstm);
    // keras-version 3 makes KSM502 an error; the severity table makes KSM301 a warning; KSM101 is ignored.
    assert.deepEqual(summary(await client.diagnostics(train, { version: 1 })), [['KSM301', DiagnosticSeverity.Warning], ['KSM502', DiagnosticSeverity.Error]]);
    assert.deepEqual(summary(await client.diagnostics(test, { version: 1 })), [['KSM502', DiagnosticSeverity.Error]], 'per-file-ignores');
    // The same project through the CLI gives the same findings.
    const cli = spawnSync(process.execPath, [path.join(__dirname, '..', '..', '..', 'dist', 'cli.js'), 'check', '--format', 'json', '.'], { cwd: workspace, encoding: 'utf8' });
    const fromCli = (JSON.parse(cli.stdout) as Array<{ filename: string; code: string; severity: string }>).map((f) => [f.filename, f.code, f.severity]);
    assert.deepEqual(fromCli, [['tests/test_train.py'.split('/').join(path.sep), 'KSM502', 'error'], ['train.py', 'KSM301', 'warning'], ['train.py', 'KSM502', 'error']]);

    assert.deepEqual(summary(await reconfigureAll({ rules: { KSM301: 'error' } }, train)), [['KSM301', DiagnosticSeverity.Error], ['KSM502', DiagnosticSeverity.Error]]);
    assert.deepEqual(summary(await reconfigureAll({ kerasVersion: '2', rules: {} }, train)), [['KSM301', DiagnosticSeverity.Warning]], 'Keras 2: no KSM502');
    client.settings = {};
  });

  test('an invalid configuration is shown to the user and logged, naming the file, the line and the key', async () => {
    const train = pathToFileURL(path.join(workspace, 'train.py')).href;
    const config = path.join(workspace, 'pyproject.toml');
    fs.writeFileSync(config, '[tool.ksm]\nselect = ["KSM301"]\nfail-on = "loud"\n');
    const since = client.mark();
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(config).href, type: 2 }] });
    await client.diagnostics(train, { since });
    const shown = await client.waitFor('the error message', () => client.shown.find((m) => m.message.includes('invalid configuration')));
    assert.equal(shown.type, 1);
    assert.match(shown.message, /pyproject\.toml:3: fail-on: expected "error", "warning", "information" or "hint", got "loud"/);
    assert.ok(client.logs.some((l) => l.includes('pyproject.toml:3: fail-on')));
  });

  async function reconfigureAll(settings: unknown, uri: string): Promise<PublishDiagnosticsParams> {
    client.settings['*'] = settings;
    const since = client.mark();
    await client.changeConfiguration();
    return client.diagnostics(uri, { since });
  }
});
