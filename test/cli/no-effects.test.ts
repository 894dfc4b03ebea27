/**
 * The analyzer never runs, imports or evaluates the user's code and never opens a network
 * connection: the real CLI and server bundles run under test/helpers/forbid-effects.ts (every
 * process, eval and network entry point records the attempt and throws) over a project whose
 * every file would leave a mark if it ran, and both the record and the project stay clean.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { workspaceReadinessReportMethod, type FileReadiness } from '../../server/src/protocol';
import { repoRoot } from '../helpers/fixtures';
import { LspClient, serverPath } from '../lsp/harness';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const guard = path.join(repoRoot, 'out', 'test', 'helpers', 'forbid-effects.js');

/** Each file, if Python ran it, writes a file named `ran-…` beside it and tries the network. */
const bait = (name: string) => `open(__file__ + ".ran-${name}", "w").write("ran")\nimport socket\nsocket.create_connection(("example.com", 80))\n`;

const project: Record<string, string> = {
  'train.py': [
    'import subprocess',
    'subprocess.run(["touch", "ran-subprocess"])',
    bait('train'),
    'import keras',
    'from layers import Attention',
    'model = keras.Sequential([keras.layers.LSTM(8), Attention(), keras.layers.Dense(1)])',
    'model.fit(x, y)',
    'model.save("model.h5", save_format="h5")',
    '',
  ].join('\n'),
  'layers.py': `${bait('layers')}import keras\n\nclass Attention(keras.layers.Layer):\n    def __init__(self, units):\n        super().__init__()\n        self.units = units\n`,
  'setup.py': `${bait('setup')}from setuptools import setup\nsetup(name="demo", install_requires=["tensorflow==2.16.1"])\n`,
  'requirements.txt': 'tensorflow==2.16.1\nkeras==2.15.0\n',
  'pyproject.toml': '[tool.ksm]\nextend-select = ["KSM"]\n',
  'notebook.ipynb': JSON.stringify({
    cells: [
      { cell_type: 'code', metadata: {}, source: ['!touch ran-notebook\n', '%pip install tensorflow==2.16.1\n', bait('notebook')], outputs: [], execution_count: null },
      { cell_type: 'code', metadata: {}, source: ['import keras\n', 'm = keras.Sequential([keras.layers.LSTM(4)])\n', 'm.save("m.keras")\n'], outputs: [], execution_count: null },
    ],
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  }),
};

let work: string;
let effects: string;

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-effects-'));
  for (const [name, text] of Object.entries(project)) fs.writeFileSync(path.join(work, name), text);
  effects = path.join(os.tmpdir(), `ksm-effects-${process.pid}.log`);
  fs.writeFileSync(effects, '');
});
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(effects, { force: true });
});

function guarded(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--require', guard, cli, ...args], { cwd: work, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', KSM_EFFECTS_LOG: effects } });
}

/** Files that only running the project could have made. */
function marks(): string[] {
  return fs.readdirSync(work).filter((name) => name.includes('ran-'));
}

function assertNoEffects(): void {
  assert.equal(fs.readFileSync(effects, 'utf8'), '', 'no process, eval or network attempt');
  assert.deepEqual(marks(), []);
}

test('the guard records and stops what it forbids (so the tests below can fail)', () => {
  for (const attempt of ["require('node:child_process').spawnSync('true')", "require('node:net').connect(80, 'example.com')", "fetch('http://example.com')", "eval('1')"]) {
    const run = spawnSync(process.execPath, ['--require', guard, '-e', attempt], { encoding: 'utf8', env: { ...process.env, KSM_EFFECTS_LOG: effects } });
    assert.notEqual(run.status, 0, attempt);
  }
  assert.deepEqual(fs.readFileSync(effects, 'utf8').trim().split('\n'), ['child_process.spawnSync', 'net.connect', 'globalThis.fetch', 'globalThis.eval']);
  fs.writeFileSync(effects, '');
});

describe('nothing of the user’s project runs', () => {
  test('ksm check in every output format, with --diff, --fix, standard input and ksm report', () => {
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const run = guarded(['check', '--format', format, '.']);
      assert.equal(run.status, 1, `${format}: ${run.stderr}`);
      assert.ok(run.stdout.length > 0);
    }
    assert.equal(guarded(['check', '--diff', '.']).status, 1);
    assert.equal(guarded(['check', '-', '--stdin-filename', 'train.py'], project['train.py']).status, 1);
    const report = guarded(['report', '--format', 'json', '.']);
    assert.equal(report.status, 1, report.stderr);
    const fixed = guarded(['check', '--fix', '.']);
    assert.ok(fixed.status === 0 || fixed.status === 1, fixed.stderr);
    assert.notEqual(fs.readFileSync(path.join(work, 'train.py'), 'utf8'), project['train.py'], '--fix changed the file');
    assertNoEffects();
  });

  test('the language server: open files, code actions and the workspace report', async () => {
    process.env.KSM_EFFECTS_LOG = effects;
    const { client } = await LspClient.start({ command: ['--require', guard, serverPath], workspaceFolders: [work] });
    try {
      for (const name of ['train.py', 'layers.py', 'requirements.txt', 'setup.py']) {
        const uri = pathToFileURL(path.join(work, name)).href;
        await client.open(uri, fs.readFileSync(path.join(work, name), 'utf8'));
        const { diagnostics } = await client.diagnostics(uri, { version: 1 });
        if (diagnostics[0]) await client.codeActions(uri, diagnostics[0].range, diagnostics);
      }
      const reports: FileReadiness[] = await client.connection.sendRequest(workspaceReadinessReportMethod, {});
      assert.ok(reports.length >= 4, 'every Python file and the notebook reported');
    } finally {
      client.kill();
      delete process.env.KSM_EFFECTS_LOG;
    }
    assert.equal(client.stderr.includes('forbidden'), false, client.stderr);
    assertNoEffects();
  });
});
