/** Analysis across files: module resolution, module summaries, and the rules that use them. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { summarizeModule } from '../../server/src/workspace/module-summary';
import { initParser, parsePython } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, ModuleResolver, ModuleSummary } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { rules } from '../../server/src/engine/rules/index';
import { WorkspaceIndex } from '../../server/src/workspace/workspace-index';
import { checkFixture, fixturesDir, scaleLayerSource } from '../helpers/fixtures';

const projectDir = path.join(fixturesDir, 'cross-file', 'project');
const defaults: AnalysisSettings = { kerasVersion: 'auto', rules: {} };

function summarize(text: string): ModuleSummary {
  const tree = parsePython(text);
  try {
    return summarizeModule(text, tree, defaults);
  } finally {
    tree.delete();
  }
}

/** An index over a folder, naming module files by their path relative to it. */
function indexOver(root: string): WorkspaceIndex {
  return new WorkspaceIndex({
    roots: () => [root],
    read: (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined),
    locationOf: (file) => path.relative(root, file),
  });
}

/** A resolver over in-memory modules by absolute dotted name (`pkg.layers`) or relative one (`.layers`). */
function modulesOf(sources: Record<string, string>): ModuleResolver {
  const summaries = new Map<string, ModuleSummary>();
  return (module, level) => {
    const key = '.'.repeat(level) + module;
    const source = sources[key];
    if (source === undefined) return undefined;
    if (!summaries.has(key)) summaries.set(key, { ...summarize(source), uri: `file:///project/${key.replace(/^\.+/, '').replace(/\./g, '/') || '__init__'}.py` });
    return summaries.get(key);
  };
}

function analyze(text: string, modules: ModuleResolver | undefined, settings: Partial<AnalysisSettings> = {}) {
  return analyzeText(text, { kerasVersion: 'auto', rules: {}, ...settings, ...(modules ? { modules } : {}) });
}

const getConfig = [
  '',
  '    def get_config(self):',
  '        return {**super().get_config(), "factor": self.factor}',
  '',
].join('\n');

const builders = [
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
  '',
  'def build_lstm():',
  '    model = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])',
  '    model.compile(optimizer="adam", loss="mse")',
  '    return model',
  '',
  '',
  'def restore(path):',
  '    return keras.models.load_model(path)',
  '',
].join('\n');

before(() => initParser());

describe('cross-file fixtures', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.py')) files.push(full);
    }
  };
  walk(projectDir);
  const codes = rules.map((r) => r.code);
  for (const file of files.sort()) {
    test(path.relative(projectDir, file), () => {
      // A fresh index per file, as the CLI builds one per run.
      checkFixture(file, codes, { modules: indexOver(projectDir).resolverFor(file) });
    });
  }
});

describe('module resolution', () => {
  const index = indexOver(projectDir);
  const from = (relative: string) => index.resolverFor(path.join(projectDir, relative));
  const names = (summary: ModuleSummary | undefined) => summary && [...summary.classes, ...summary.functions].map((s) => s.name).sort();

  test('relative imports resolve from the importing file’s package', () => {
    assert.deepEqual(names(from('pkg/train.py')('models', 1)), ['build_compiled', 'build_scaled', 'build_unbuilt', 'build_uncompiled', 'restore']);
    assert.equal(from('pkg/train.py')('layers', 1)?.uri, path.join('pkg', 'layers.py'));
    assert.equal(from('pkg/nested/finetune.py')('layers', 2)?.uri, path.join('pkg', 'layers.py'), 'from ..layers');
    assert.equal(from('pkg/nested/finetune.py')('', 1)?.uri, path.join('pkg', 'nested', '__init__.py'), 'from . import x');
    assert.equal(from('pkg/train.py')('missing', 1), undefined);
  });

  test('absolute imports resolve from the file’s folders and the workspace roots', () => {
    assert.equal(from('scripts/train_absolute.py')('pkg.layers', 0)?.uri, path.join('pkg', 'layers.py'));
    assert.equal(from('scripts/train_absolute.py')('pkg', 0)?.uri, path.join('pkg', '__init__.py'));
    assert.deepEqual(from('scripts/train_absolute.py')('pkg', 0)?.imports, { Scale: '.layers.Scale', build_compiled: '.models.build_compiled' });
    assert.equal(from('pkg/train.py')('pkg.models', 0)?.uri, path.join('pkg', 'models.py'));
    assert.equal(from('scripts/train_absolute.py')('numpy', 0), undefined, 'a library is not in the workspace');
    assert.equal(from('pkg/layers.py')('pkg.layers', 0), undefined, 'a module never resolves to itself');
  });

  test('a re-export is followed relative to the module that re-exports it', () => {
    const text = 'from pkg import Scale\nimport keras\nm = keras.Sequential([keras.Input(shape=(2,)), Scale(2.0)])\nm.save("m.keras")\n';
    const result = analyze(text, from('scripts/train_absolute.py'));
    const finding = result.findings.find((f) => f.code === 'KSM203');
    assert.ok(finding, 'KSM203 on the re-exported class');
    assert.deepEqual(finding.related[0], { range: { start: { line: 3, character: 6 }, end: { line: 3, character: 11 } }, message: '`Scale` is defined here', uri: path.join('pkg', 'layers.py') });
  });

  test('each import form reaches the class', () => {
    const modules = modulesOf({ '.layers': scaleLayerSource, 'pkg.layers': scaleLayerSource });
    const uses: Array<[string, string]> = [
      ['from .layers import Scale', 'Scale(2.0)'],
      ['from .layers import Scale as S', 'S(2.0)'],
      ['from . import layers', 'layers.Scale(2.0)'],
      ['from pkg.layers import Scale', 'Scale(2.0)'],
      ['import pkg.layers as L', 'L.Scale(2.0)'],
      ['import pkg.layers', 'pkg.layers.Scale(2.0)'],
      ['from pkg import layers', 'layers.Scale(2.0)'],
    ];
    for (const [importLine, call] of uses) {
      const text = `import keras\n${importLine}\nm = keras.Sequential([keras.Input(shape=(2,)), ${call}])\nm.compile(loss="mse")\nm.save("m.keras")\n`;
      const result = analyze(text, modules);
      assert.deepEqual(result.findings.map((f) => [f.code, f.range.start.line]), [['KSM203', 2]], importLine);
      const check = result.models[0]!.checks.find((c) => c.id === 'custom-objects');
      assert.deepEqual(check?.problems.map((p) => [p.code, p.uri !== undefined]), [['KSM203', false], ['KSM201', true]], importLine);
    }
  });

  test('without a resolver, imported names stay unknown and the rules stay silent', () => {
    const text = 'from .layers import Scale\nfrom .models import build_plain\nm = build_plain()\nm.save("m.keras")\n';
    const result = analyze(text, undefined);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.models, []);
  });
});

describe('module summaries', () => {
  test('classes: Keras bases, registration, self-compilation, and what KSM201/KSM202 report there', () => {
    const summary = summarize(fs.readFileSync(path.join(projectDir, 'pkg', 'layers.py'), 'utf8'));
    const byName = new Map(summary.classes.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()], ['Scale', 'Offset', 'Gate', 'Peephole', 'Forecaster']);
    assert.equal(byName.get('Offset')!.registered, true);
    assert.equal(byName.get('Scale')!.registered, false);
    assert.deepEqual(byName.get('Peephole')!.kerasBases, ['LSTM']);
    assert.equal(byName.get('Forecaster')!.model, true);
    assert.equal(byName.get('Forecaster')!.selfCompiles, true);
    assert.equal(byName.get('Scale')!.model, false);
    assert.deepEqual(byName.get('Scale')!.problems.map((p) => [p.code, p.severity, p.range.start.line]), [['KSM201', 'warning', 3]]);
    assert.deepEqual(byName.get('Gate')!.problems.map((p) => [p.code, p.range.start.line]), [['KSM201', 25], ['KSM202', 26]]);
    assert.deepEqual(byName.get('Offset')!.problems, []);
  });

  test('functions that return models: compiled, built, and an unbuilt first layer', () => {
    const summary = summarize(builders);
    const byName = new Map(summary.functions.map((f) => [f.name, f]));
    assert.deepEqual(
      [...byName.values()].map((f) => [f.name, f.kind, f.compiled, f.built]),
      [['build_compiled', 'sequential', true, true], ['build_plain', 'sequential', false, true], ['build_lstm', 'sequential', true, false], ['restore', 'loaded', true, true]],
    );
    const { fixes, ...layer } = byName.get('build_lstm')!.unbuiltFirstLayer!;
    assert.deepEqual(layer, { name: 'LSTM', recurrent: true, range: { start: { line: 14, character: 30 }, end: { line: 14, character: 50 } } });
    // The module's own fixes of the layer, against its text, for importers to offer.
    assert.deepEqual(fixes.map((f) => [f.applicability, f.edits.map((e) => [e.range.start.line, e.newText])]), [
      ['unsafe', [[14, 'keras.Input(shape=(None, 1)), ']]],
      ['unsafe', [[14, ', input_shape=(None, 1)']]],
    ]);
    // Serialisable: a summary survives JSON, as a cache on disk or over a wire would keep it.
    assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
  });

  test('a noqa in the module silences its problem for importers too', () => {
    const summary = summarize(scaleLayerSource.replace('class Scale(keras.layers.Layer):', 'class Scale(keras.layers.Layer):  # noqa: KSM201'));
    assert.deepEqual(summary.classes[0]!.problems, []);
  });

  test('a summary is made with the module\'s own settings: rule levels and the workspace index\'s settingsFor', () => {
    const withSettings = (settings: AnalysisSettings) => {
      const tree = parsePython(scaleLayerSource);
      try {
        return summarizeModule(scaleLayerSource, tree, settings).classes[0]!.problems.map((p) => [p.code, p.severity]);
      } finally {
        tree.delete();
      }
    };
    assert.deepEqual(withSettings(defaults), [['KSM201', 'warning']]);
    assert.deepEqual(withSettings({ ...defaults, rules: { KSM201: 'error' } }), [['KSM201', 'error']]);
    assert.deepEqual(withSettings({ ...defaults, rules: { 'layer-missing-get-config': 'off' } }), []);
    const asked: string[] = [];
    const index = new WorkspaceIndex({
      roots: () => [projectDir],
      read: (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined),
      locationOf: (file) => path.relative(projectDir, file),
      settingsFor: (file) => {
        asked.push(path.relative(projectDir, file));
        return { ...defaults, rules: { KSM201: 'off' } };
      },
    });
    const layers = index.resolverFor(path.join(projectDir, 'train.py'))('pkg.layers', 0, undefined);
    assert.ok(asked.includes(path.join('pkg', 'layers.py')));
    assert.deepEqual(layers!.classes.flatMap((c) => c.problems.map((p) => p.code)), ['KSM202']);
  });

  test('text that cannot be analysed gives an empty summary', () => {
    assert.deepEqual(summarize('class (:\n  def'), { classes: [], functions: [], imports: {} });
    assert.deepEqual(summarize('x = 1\u0000'), { classes: [], functions: [], imports: {} });
  });
});

describe('rules across files', () => {
  const train = (body: string[]) => ['import keras', 'from .models import build_compiled, build_plain, build_lstm, restore', 'from .layers import Scale', ...body, ''].join('\n');

  test('KSM101: a model compiled by another module’s helper is compiled; one it does not compile is not', () => {
    const modules = modulesOf({ '.models': builders, '.layers': scaleLayerSource });
    const result = analyze(train(['a = build_compiled()', 'a.save("a.keras")', 'b = build_plain()', 'b.save("b.keras")', 'c = restore("a.keras")', 'c.save("c.keras")']), modules);
    assert.deepEqual(result.findings.map((f) => [f.code, f.range.start.line]), [['KSM101', 6]]);
    assert.deepEqual(result.models.map((m) => [m.name, m.kind]), [['a', 'helper'], ['b', 'helper'], ['c', 'helper']]);
  });

  test('KSM301: a model from another module with an unbuilt first layer, saved here before it is built', () => {
    const modules = modulesOf({ '.models': builders, '.layers': scaleLayerSource });
    const result = analyze(train(['m = build_lstm()', 'm.save("m.keras")', 'n = build_lstm()', 'n.fit(x, y)', 'n.save("n.keras")', 'o = build_lstm()']), modules);
    const found = result.findings.filter((f) => f.code === 'KSM301');
    assert.deepEqual(found.map((f) => [f.range.start.line, f.severity]), [[3, 'error'], [5, 'information']], 'the unsaved one is left to its module');
    assert.equal(found[0]!.message, '`m` is saved before it is built: its first layer `LSTM` has no input shape');
    assert.match(found[0]!.detail ?? '', / The layer is in the model that `build_lstm\(\)` returns, in another module\.$/);
    assert.deepEqual(found[0]!.related[0], {
      range: { start: { line: 14, character: 30 }, end: { line: 14, character: 50 } },
      message: 'the first layer of the model `build_lstm()` returns',
      uri: 'file:///project/models.py',
    });
    // The layer is in another file: its fixes edit models.py, as its own analysis wrote them.
    assert.deepEqual(found[0]!.fixes.map((f) => [f.title.split(':')[0], f.edits, f.otherFileEdits?.map((o) => [o.file, o.edits[0]!.range.start.line])]), [
      ['models.py', [], [['file:///project/models.py', 14]]],
      ['models.py', [], [['file:///project/models.py', 14]]],
    ]);
  });

  test('KSM301: an imported custom layer first in a Sequential is flagged, with the fix written here', () => {
    const result = analyze(train(['m = keras.Sequential([Scale(2.0), keras.layers.Dense(1)])', 'm.compile(loss="mse")', 'm.save("m.h5")']), modulesOf({ '.layers': scaleLayerSource }));
    const finding = result.findings.find((f) => f.code === 'KSM301');
    assert.equal(finding?.severity, 'error');
    assert.match(finding!.message, /first layer `Scale`/);
    assert.ok(finding!.fixes.some((f) => f.title.startsWith('Insert `keras.Input(shape=')));
  });

  test('the custom-objects check shows the imported class’s problem in its own file, and follows its definition', () => {
    const text = train(['m = keras.Sequential([keras.Input(shape=(2,)), Scale(2.0)])', 'm.compile(loss="mse")', 'm.save("m_dir")']);
    // A Keras 2 SavedModel reloads without the class's registration, so KSM203 has nothing to say.
    const keras2 = { kerasVersion: '2' } as const;
    const before = analyze(text, modulesOf({ '.layers': scaleLayerSource }), keras2);
    assert.deepEqual(before.findings, [], 'KSM201 itself is reported in layers.py only');
    const check = before.models[0]!.checks.find((c) => c.id === 'custom-objects')!;
    assert.equal(check.status, 'fail');
    assert.deepEqual(check.problems.map((p) => [p.code, p.severity, p.uri, p.range.start.line]), [['KSM201', 'warning', 'file:///project/layers.py', 3]]);

    const fixed = analyze(text, modulesOf({ '.layers': scaleLayerSource + getConfig }), keras2);
    assert.equal(fixed.models[0]!.checks.find((c) => c.id === 'custom-objects')!.status, 'pass');

    const strict = analyze(text, modulesOf({ '.layers': scaleLayerSource }), { ...keras2, rules: { KSM201: 'error' } });
    assert.equal(strict.models[0]!.verdict, 'not-ready', 'an error-level problem of the class blocks the model');
    assert.equal(strict.models[0]!.checks.find((c) => c.id === 'custom-objects')!.problems[0]!.severity, 'error');
    const off = analyze(text, modulesOf({ '.layers': scaleLayerSource }), { ...keras2, rules: { 'layer-missing-get-config': 'off' } });
    assert.equal(off.models[0]!.checks.find((c) => c.id === 'custom-objects')!.status, 'pass');
  });

  test('KSM203: a class from layers.py in a model saved as .keras here, unless registered or passed in custom_objects', () => {
    const modules = modulesOf({ '.layers': scaleLayerSource });
    const saved = train(['m = keras.Sequential([keras.Input(shape=(2,)), Scale(2.0)])', 'm.compile(loss="mse")', 'm.save("m.keras")']);
    const [finding] = analyze(saved, modules).findings;
    assert.equal(finding?.code, 'KSM203');
    assert.deepEqual(finding.range.start, { line: 3, character: 47 });
    assert.equal(finding.message, '`Scale` (from another module), used in `m`, is not registered');
    assert.match(finding.detail ?? '', / Register it where it is defined\.$/);
    assert.deepEqual(finding.related.map((r) => [r.uri, r.range.start.line]), [['file:///project/layers.py', 3], [undefined, 5]]);
    // The fix registers the class in layers.py, where it is defined; it edits nothing here.
    assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability, f.edits, f.otherFileEdits]), [[
      'Register `Scale` in layers.py with `@keras.utils.register_keras_serializable()`', 'safe', [],
      [{ file: 'file:///project/layers.py', edits: [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, newText: '@keras.utils.register_keras_serializable()\n' }] }],
    ]]);

    const registered = scaleLayerSource.replace('class Scale', '@keras.saving.register_keras_serializable()\nclass Scale');
    assert.deepEqual(analyze(saved, modulesOf({ '.layers': registered })).findings, []);
    assert.deepEqual(analyze(saved + 'keras.models.load_model("m.keras", custom_objects={"Scale": Scale})\n', modules).findings, []);
    assert.deepEqual(analyze(saved.replace('m.keras', 'm_dir'), modules, { kerasVersion: '2' }).findings, [], 'a Keras 2 SavedModel');
    // HDF5 loads consult only custom_objects, the scope and the registry, under any version (rules.md, changed 2026-12).
    assert.deepEqual(analyze(saved.replace('m.keras', 'm.h5'), modules, { kerasVersion: '2' }).findings.map((f) => f.code), ['KSM203']);
  });
});

describe('two hops: classes a helper’s model uses', () => {
  const helpers = [
    'import keras',
    'from .layers import Scale',
    '',
    '',
    'class Trend(keras.layers.Layer):',
    '    def call(self, x):',
    '        return x',
    '',
    '',
    'def build_model():',
    '    model = keras.Sequential([keras.Input(shape=(4,)), Scale(2.0), Trend(), keras.layers.Dense(1)])',
    '    model.compile(optimizer="adam", loss="mse")',
    '    return model',
    '',
  ].join('\n');
  const layersUri = 'file:///work/layers.py';
  /** models.py summarised with its own imports followed, as the workspace index does. */
  const modules: ModuleResolver = (module, level) => {
    if (level !== 1) return undefined;
    if (module === 'layers') return { ...summarize(scaleLayerSource), uri: layersUri };
    if (module !== 'models') return undefined;
    const tree = parsePython(helpers);
    try {
      return { ...summarizeModule(helpers, tree, { ...defaults, modules: (m, l) => (m === 'layers' && l === 1 ? { ...summarize(scaleLayerSource), uri: layersUri } : undefined) }), uri: 'file:///work/models.py' };
    } finally {
      tree.delete();
    }
  };
  const train = ['from .models import build_model', 'm = build_model()', 'm.fit(x, y)', 'm.save("m.keras")', ''].join('\n');

  test('the function’s summary lists its own and its imported classes, with their facts and where they are', () => {
    const fn = modules('models', 1)!.functions.find((f) => f.name === 'build_model')!;
    assert.deepEqual(fn.classes.map((u) => [u.cls.name, u.uri, u.stored, u.cls.registered, u.cls.problems.map((p) => p.code)]), [
      ['Trend', undefined, true, false, []],
      ['Scale', layersUri, true, false, ['KSM201']],
    ]);
    assert.deepEqual(summarize(helpers).functions[0]!.classes.map((u) => u.cls.name), ['Trend'], 'without a resolver, only its own');
  });

  test('the report shows the problems of the helper’s classes at their place, and KSM203 flags the helper call', () => {
    const result = analyze(train, modules);
    const check = result.models[0]!.checks.find((c) => c.id === 'custom-objects')!;
    assert.deepEqual(check.problems.map((p) => [p.code, p.uri, p.range.start.line]), [
      ['KSM203', undefined, 1], ['KSM203', undefined, 1], ['KSM201', layersUri, 3],
    ]);
    const found = result.findings.filter((f) => f.code === 'KSM203');
    assert.deepEqual(found.map((f) => [f.range.start.line, f.related[0]!.uri, f.related[0]!.range.start.line, f.fixes.length]), [
      [1, 'file:///work/models.py', 4, 1],
      [1, layersUri, 3, 1],
    ]);
    assert.match(found[1]!.message, /^`Scale` \(from another module\), used in `m`, /);
    assert.deepEqual(analyze(train + 'keras.models.load_model("m.keras", custom_objects={"Scale": Scale, "Trend": Trend})\n', modules).findings, []);
    assert.deepEqual(analyze(train.replace('m.keras', 'm_dir'), modules, { kerasVersion: '2' }).findings, []);
  });
});

describe('the workspace index', () => {
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-index-'));
    fs.mkdirSync(path.join(root, 'pkg'));
    fs.writeFileSync(path.join(root, 'pkg', '__init__.py'), '');
    fs.writeFileSync(path.join(root, 'pkg', 'layers.py'), scaleLayerSource);
    fs.writeFileSync(path.join(root, 'pkg', 'train.py'), 'from .layers import Scale\n');
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('with versionOf, the edits a summary holds carry the editor\'s version of the module text, and so do the fixes made from them', () => {
    let version: number | undefined = 7;
    const index = new WorkspaceIndex({ roots: () => [root], read: (file) => fs.readFileSync(file, 'utf8'), locationOf: (file) => file, versionOf: () => version });
    const train = path.join(root, 'pkg', 'train.py');
    const saving = 'import keras\nfrom .layers import Scale\nm = keras.Sequential([keras.Input(shape=(2,)), Scale(2.0)])\nm.compile(loss="mse")\nm.save("m.keras")\n';
    const fixOf = () => analyzeText(saving, { kerasVersion: '3', rules: {}, modules: index.resolverFor(train) }).findings.find((f) => f.code === 'KSM203')!.fixes[0]!;
    assert.equal(index.resolverFor(train)('layers', 1)?.classes[0]?.registration?.version, 7);
    assert.deepEqual(fixOf().otherFileEdits!.map((o) => [o.file, o.version]), [[path.join(root, 'pkg', 'layers.py'), 7]]);
    version = undefined;
    index.invalidate(path.join(root, 'pkg', 'layers.py'));
    assert.equal(fixOf().otherFileEdits![0]!.version, undefined, 'read from disk: no version');
  });

  test('records who depends on which module, reads a module once, and again after it changes', () => {
    const reads: string[] = [];
    const index = new WorkspaceIndex({
      roots: () => [root],
      read: (file) => {
        reads.push(path.relative(root, file));
        return fs.readFileSync(file, 'utf8');
      },
      locationOf: (file) => file,
    });
    const layers = path.join(root, 'pkg', 'layers.py');
    const resolve = index.resolverFor(path.join(root, 'pkg', 'train.py'), 'train');
    assert.equal(resolve('layers', 1)?.classes[0]?.problems.length, 1);
    assert.equal(resolve('layers', 1)?.classes[0]?.problems.length, 1);
    assert.deepEqual(reads, [path.join('pkg', 'layers.py')], 'read once');
    assert.deepEqual(index.dependentsOf(layers), ['train']);

    fs.writeFileSync(layers, scaleLayerSource + getConfig);
    index.invalidate(layers);
    assert.deepEqual(index.resolverFor(path.join(root, 'pkg', 'train.py'), 'train')('layers', 1)?.classes[0]?.problems, []);
    assert.equal(reads.length, 2, 'read again after the change');

    index.forgetImporter('train');
    assert.deepEqual(index.dependentsOf(layers), []);
  });

  test('a module created later is found once the layout is invalidated', () => {
    const index = indexOver(root);
    const resolve = () => index.resolverFor(path.join(root, 'pkg', 'train.py'))('blocks', 1);
    assert.equal(resolve(), undefined);
    fs.writeFileSync(path.join(root, 'pkg', 'blocks.py'), scaleLayerSource);
    assert.equal(resolve(), undefined, 'existence is cached');
    index.invalidateLayout();
    assert.equal(resolve()?.classes[0]?.name, 'Scale');
  });
});
