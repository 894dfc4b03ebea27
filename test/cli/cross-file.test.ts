/** `ksm check` and `ksm report` over a package whose modules import each other. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, scaleLayerSource } from '../helpers/fixtures';

const cli = path.join(repoRoot, 'dist', 'cli.js');

function ksm(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface JsonFinding {
  code: string;
  filename: string;
  location: { row: number; column: number };
  message: string;
}

const models = [
  'import keras',
  '',
  '',
  'def build_compiled():',
  '    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
  '    model.compile(optimizer="adam", loss="mse")',
  '    return model',
  '',
  '',
  'def build_plain():',
  '    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])',
  '',
].join('\n');

const train = [
  'import keras',
  '',
  'from .layers import Scale',
  'from .models import build_compiled, build_plain',
  '',
  'ready = build_compiled()',
  'ready.save("ready.keras")',
  'plain = build_plain()',
  'plain.save("plain.keras")',
  'scaled = keras.Sequential([keras.Input(shape=(4,)), Scale(2.0)])',
  'scaled.compile(optimizer="adam", loss="mse")',
  'scaled.save("scaled_savedmodel")',
  '',
].join('\n');

const script = [
  'import pkg.layers as L',
  'from pkg.models import build_plain',
  '',
  'model = build_plain()',
  'model.save("model.keras")',
  '',
].join('\n');

const notebook = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } },
  cells: [
    { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['from pkg.models import build_plain\n', 'm = build_plain()'] },
    { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['m.save("m.keras")'] },
  ],
});

let project: string;

function write(relative: string, content: string): string {
  const file = path.join(project, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function check(args: string[], cwd = project): JsonFinding[] {
  const run = ksm(['check', '--format', 'json', '--keras-version', '2', ...args], cwd);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  assert.equal(run.stderr, '');
  return JSON.parse(run.stdout) as JsonFinding[];
}

const keys = (findings: JsonFinding[]) => findings.map((f) => [f.filename, f.location.row, f.code]);

describe('ksm across files', () => {
  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-cross-'));
    write('pkg/__init__.py', '');
    write('pkg/layers.py', scaleLayerSource);
    write('pkg/models.py', models);
    write('pkg/train.py', train);
    write('scripts/export.py', script);
    write('explore.ipynb', notebook);
  });

  after(() => fs.rmSync(project, { recursive: true, force: true }));

  test('a checked file sees the helpers and classes of the modules it imports', () => {
    const findings = check([path.join('pkg', 'train.py')]);
    assert.deepEqual(keys(findings), [[path.join('pkg', 'train.py'), 9, 'KSM101']], 'build_compiled() is compiled; build_plain() is not');
  });

  test('absolute imports resolve from the file’s own folders, wherever the CLI runs', () => {
    assert.deepEqual(keys(check([path.join(project, 'scripts', 'export.py')], repoRoot)).map(([, row, code]) => [row, code]), [[5, 'KSM101']]);
    assert.deepEqual(keys(check(['scripts/export.py'])), [[path.join('scripts', 'export.py'), 5, 'KSM101']]);
  });

  test('a notebook imports modules too', () => {
    const run = ksm(['check', '--keras-version', '2', 'explore.ipynb'], project);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^explore\.ipynb:cell 2:1:1: KSM101 \[warning\] `m` is saved before `compile\(\)`/m);
  });

  test('the report shows the imported class’s problem at its place in the other module', () => {
    const run = ksm(['report', '--keras-version', '2', path.join('pkg', 'train.py')], project);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.split('\n');
    const scaled = lines.findIndex((l) => l.includes('scaled (line 10'));
    assert.ok(scaled > 0, run.stdout);
    const custom = lines.slice(scaled).find((l) => l.includes('Custom layers can be serialized'));
    assert.match(custom ?? '', /fail/);
    assert.ok(lines.some((l) => l.trim().startsWith(`${path.join('pkg', 'layers.py')}:4:7: KSM201 \`Scale\` has no \`get_config()\` to record its \`__init__\` arguments`)), run.stdout);

    const json = JSON.parse(ksm(['report', '--format', 'json', '--keras-version', '2', path.join('pkg', 'train.py')], project).stdout) as Array<{
      models: Array<{ name: string; kind: string; checks: Array<{ id: string; problems: Array<{ code: string; uri?: string }> }> }>;
    }>;
    const byName = new Map(json[0]!.models.map((m) => [m.name, m]));
    assert.equal(byName.get('ready')?.kind, 'helper');
    const problems = byName.get('scaled')!.checks.find((c) => c.id === 'custom-objects')!.problems;
    assert.deepEqual(problems.map((p) => [p.code, p.uri]), [['KSM201', path.join('pkg', 'layers.py')]]);
  });

  test('two hops: a helper’s model carries the classes it uses from a third module', () => {
    write('pkg/builders.py', [
      'import keras',
      '',
      'from .layers import Scale',
      '',
      '',
      'def build_scaled():',
      '    model = keras.Sequential([keras.Input(shape=(4,)), Scale(2.0), keras.layers.Dense(1)])',
      '    model.compile(optimizer="adam", loss="mse")',
      '    return model',
      '',
    ].join('\n'));
    const serve = write('pkg/serve.py', ['from .builders import build_scaled', '', 'model = build_scaled()', 'model.save("model.keras")', ''].join('\n'));
    try {
      const findings = check([path.join('pkg', 'serve.py')]);
      assert.deepEqual(keys(findings), [[path.join('pkg', 'serve.py'), 3, 'KSM203']]);
      assert.equal(findings[0]!.message, '`Scale` (from another module), used in `model`, is not registered');
      const json = JSON.parse(ksm(['report', '--format', 'json', '--keras-version', '2', path.join('pkg', 'serve.py')], project).stdout) as Array<{
        models: Array<{ name: string; checks: Array<{ id: string; problems: Array<{ code: string; uri?: string; range: { start: { line: number } } }> }> }>;
      }>;
      const problems = json[0]!.models[0]!.checks.find((c) => c.id === 'custom-objects')!.problems;
      assert.deepEqual(problems.map((p) => [p.code, p.uri, p.range.start.line]), [['KSM203', undefined, 3], ['KSM201', path.join('pkg', 'layers.py'), 4]]);
    } finally {
      fs.rmSync(serve);
      fs.rmSync(path.join(project, 'pkg', 'builders.py'));
    }
  });

  test('--fix adds get_config in layers.py, and the importer then passes', () => {
    const fixed = ksm(['check', '--fix', '--keras-version', '2', 'pkg'], project);
    assert.equal(fixed.code, 1, 'the KSM101s remain: their fixes are unsafe');
    assert.match(fs.readFileSync(path.join(project, 'pkg', 'layers.py'), 'utf8'), /def get_config\(self\):/);
    const json = JSON.parse(ksm(['report', '--format', 'json', '--keras-version', '2', path.join('pkg', 'train.py')], project).stdout) as Array<{
      models: Array<{ name: string; checks: Array<{ id: string; status: string }> }>;
    }>;
    const scaled = json[0]!.models.find((m) => m.name === 'scaled')!;
    assert.equal(scaled.checks.find((c) => c.id === 'custom-objects')!.status, 'pass');
  });

  test('a module that is gone leaves its names unknown, without an error', () => {
    fs.rmSync(path.join(project, 'pkg', 'models.py'));
    assert.deepEqual(check([path.join('pkg', 'train.py')]), []);
  });
});

describe('ksm check: fixes that edit the module defining the class', () => {
  const layers = [
    'import keras',
    '',
    '',
    'class Attention(keras.layers.Layer):',
    '    def call(self, x):',
    '        return x',
    '',
    '',
    'class Scale(keras.layers.Layer):',
    '    def call(self, x):',
    '        return x * 2.0',
    '',
  ].join('\n');
  const user = (path: string) => [
    'import keras',
    '',
    'from .layers import Attention, Scale',
    '',
    'model = keras.Sequential([keras.Input(shape=(4,)), Attention(), Scale()])',
    'model.compile(optimizer="adam", loss="mse")',
    `model.save("${path}")`,
    '',
  ].join('\n');
  const decorator = '@keras.saving.register_keras_serializable()';
  let root: string;
  const layersFile = () => path.join(root, 'pkg', 'layers.py');

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-xfix-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A fresh package: layers.py with two unregistered classes, and two files that save models made of both. */
  function reset(): void {
    fs.rmSync(path.join(root, 'pkg'), { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'pkg'));
    fs.writeFileSync(path.join(root, 'pkg', '__init__.py'), '');
    fs.writeFileSync(layersFile(), layers);
    fs.writeFileSync(path.join(root, 'pkg', 'train.py'), user('train.keras'));
    fs.writeFileSync(path.join(root, 'pkg', 'evaluate.py'), user('evaluate.keras'));
  }

  const count = (text: string, part: string) => text.split(part).length - 1;

  test('JSON: the fix reported in each importer carries the edits of layers.py, each with its filename', () => {
    reset();
    const run = ksm(['check', '--format', 'json', '--keras-version', '3', 'pkg'], root);
    const findings = JSON.parse(run.stdout) as Array<JsonFinding & { fix: { message: string; applicability: string; edits: Array<{ filename?: string; content: string; location: { row: number } }> } }>;
    const train = findings.filter((f) => f.filename === path.join('pkg', 'train.py'));
    assert.deepEqual(train.map((f) => f.code), ['KSM203', 'KSM203']);
    assert.deepEqual(train.map((f) => f.fix.message), [
      `Register \`Attention\` in layers.py with \`${decorator}\``,
      `Register \`Scale\` in layers.py with \`${decorator}\``,
    ]);
    assert.deepEqual(train.map((f) => f.fix.edits.map((e) => [e.filename, e.location.row, e.content])), [
      [[path.join('pkg', 'layers.py'), 4, `${decorator}\n`]],
      [[path.join('pkg', 'layers.py'), 9, `${decorator}\n`]],
    ]);
    assert.equal(findings.filter((f) => f.filename === path.join('pkg', 'evaluate.py')).length, 2, 'evaluate.py reports both too');
  });

  test('the report says where each fix lands', () => {
    reset();
    const run = ksm(['report', '--keras-version', '3', path.join('pkg', 'train.py')], root);
    assert.ok(run.stdout.includes(`fix (safe): Register \`Attention\` in layers.py with \`${decorator}\` (edits ${path.join('pkg', 'layers.py')}:4)`), run.stdout);
    assert.ok(run.stdout.includes(`(edits ${path.join('pkg', 'layers.py')}:9)`), run.stdout);
  });

  test('SARIF: one artifactChange, for layers.py', () => {
    reset();
    const run = ksm(['check', '--format', 'sarif', '--keras-version', '3', path.join('pkg', 'train.py')], root);
    const log = JSON.parse(run.stdout) as { runs: Array<{ results: Array<{ fixes?: Array<{ artifactChanges: Array<{ artifactLocation: { uri: string }; replacements: unknown[] }> }> }> }> };
    const changes = log.runs[0]!.results.map((r) => r.fixes![0]!.artifactChanges.map((c) => [c.artifactLocation.uri, c.replacements.length]));
    assert.deepEqual(changes, [[['pkg/layers.py', 1]], [['pkg/layers.py', 1]]]);
  });

  test('--diff shows layers.py registering each class once, though two files report them, and writes nothing', () => {
    reset();
    const run = ksm(['check', '--diff', '--keras-version', '3', path.join('pkg', 'train.py'), path.join('pkg', 'evaluate.py')], root);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^--- a\/pkg\/layers\.py\n\+\+\+ b\/pkg\/layers\.py\n/m);
    assert.equal(count(run.stdout, `+${decorator}`), 2, run.stdout);
    assert.ok(!run.stdout.includes('pkg/train.py') && !run.stdout.includes('pkg/evaluate.py'), 'the importers are not changed');
    assert.match(run.stdout, /Would fix 2 problems in 1 file\.\n$/);
    assert.equal(fs.readFileSync(layersFile(), 'utf8'), layers, 'nothing written');
  });

  test('--fix writes layers.py once per class however many files report it, and the run ends clean', () => {
    reset();
    const run = ksm(['check', '--fix', '--show-fixes', '--keras-version', '3', 'pkg'], root);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Fixed 2 problems\./);
    const fixed = fs.readFileSync(layersFile(), 'utf8');
    assert.equal(count(fixed, decorator), 2, fixed);
    assert.equal(fixed, layers.replace('class Attention', `${decorator}\nclass Attention`).replace('class Scale', `${decorator}\nclass Scale`));
    assert.equal(fs.readFileSync(path.join(root, 'pkg', 'train.py'), 'utf8'), user('train.keras'), 'the importer is left as it was');
    const again = ksm(['check', '--fix', '--keras-version', '3', 'pkg'], root);
    assert.equal(fs.readFileSync(layersFile(), 'utf8'), fixed, 'a second run changes nothing');
    assert.match(again.stdout, /No problems found in 4 files\./);
  });

  test('a notebook that imports the classes gets the same fix, and --fix --unsafe-fixes applies it there too', () => {
    reset();
    const cells = [
      'import keras\nfrom pkg.layers import Attention, Scale',
      'model = keras.Sequential([keras.Input(shape=(4,)), Attention(), Scale()])\nmodel.compile(optimizer="adam", loss="mse")\nmodel.save("nb.keras")',
    ];
    const notebook = {
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
    };
    fs.writeFileSync(path.join(root, 'explore.ipynb'), JSON.stringify(notebook));
    try {
      const run = ksm(['check', '--fix', '--unsafe-fixes', '--keras-version', '3', 'explore.ipynb'], root);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /Fixed 2 problems\./);
      assert.equal(count(fs.readFileSync(layersFile(), 'utf8'), decorator), 2);
    } finally {
      fs.rmSync(path.join(root, 'explore.ipynb'));
    }
  });

  test('--fix on an importer alone still fixes layers.py; standard input fixes only its own text', () => {
    reset();
    const run = ksm(['check', '--fix', '--keras-version', '3', path.join('pkg', 'evaluate.py')], root);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(count(fs.readFileSync(layersFile(), 'utf8'), decorator), 2);
    reset();
    const stdin = spawnSync(process.execPath, [cli, 'check', '--fix', '--keras-version', '3', '--stdin-filename', path.join('pkg', 'train.py'), '-'], { cwd: root, input: user('x.keras'), encoding: 'utf8' });
    assert.equal(stdin.stdout, user('x.keras'));
    assert.equal(fs.readFileSync(layersFile(), 'utf8'), layers, 'no other file is written from standard input');
  });
});
