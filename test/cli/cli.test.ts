import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures';

/** The bundled CLI, as users run it. */
const cli = path.join(repoRoot, 'dist', 'cli.js');

function ksm(args: string[], cwd = repoRoot) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface JsonFinding {
  code: string;
  name: string;
  severity: string;
  message: string;
  detail?: string;
  filename: string;
  location: { row: number; column: number };
  end_location: { row: number; column: number };
  fix: null | { applicability: string; message: string; edits: Array<{ content: string; location: { row: number; column: number }; end_location: { row: number; column: number } }> };
  url: string;
}

let work: string;
before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-cli-'));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(work, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

const unsaved = 'from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m.keras")\n';

describe('ksm check', () => {
  test('text output: one line per finding and a summary; exit code 1', () => {
    const file = write('text/model.py', unsaved);
    const run = ksm(['check', file]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout.split('\n')[0], `${file}:3:1: KSM101 [warning] \`m\` is saved before \`compile()\``);
    assert.match(run.stdout, /Found 1 problem \(1 warning\) in 1 file\./);
  });

  test('exit code 0 and a clean summary when nothing is found', () => {
    const file = write('clean/model.py', 'import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.compile(loss="mse")\nm.save("m.keras")\n');
    const run = ksm(['check', file]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /No problems found in 1 file/);
  });

  test('JSON output has the documented shape', () => {
    const file = write('json/model.py', unsaved);
    const run = ksm(['check', '--format', 'json', file]);
    assert.equal(run.code, 1);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.deepEqual(Object.keys(f!).sort(), ['code', 'detail', 'end_location', 'filename', 'fix', 'location', 'message', 'name', 'severity', 'url'].sort());
    assert.match(f!.detail!, /compile/, 'the explanation travels beside the short message');
    assert.equal(f!.code, 'KSM101');
    assert.equal(f!.name, 'save-before-compile');
    assert.equal(f!.severity, 'warning');
    assert.equal(f!.filename, file);
    assert.deepEqual(f!.location, { row: 3, column: 1 });
    assert.deepEqual(f!.end_location, { row: 3, column: 18 });
    assert.equal(f!.fix?.applicability, 'unsafe');
    assert.deepEqual(f!.fix?.edits[0]?.location, { row: 3, column: 1 });
    assert.match(f!.fix!.edits[0]!.content, /^m\.compile\(optimizer="adam", loss="mse"\)\n$/);
    assert.equal(f!.url, 'https://github.com/keras-savedmodel-lint/keras-savedmodel-lint/blob/main/docs/rules/KSM101.md');
    assert.ok(fs.existsSync(path.join(repoRoot, f!.url.replace(/^.*\/blob\/main\//, ''))), 'the rule page exists in the repository');
  });

  test('directories are searched for .py files, skipping virtual environments', () => {
    write('tree/pkg/a.py', unsaved);
    write('tree/pkg/sub/b.py', unsaved);
    write('tree/.venv/lib/c.py', unsaved);
    write('tree/notes.txt', unsaved);
    const run = ksm(['check', '--format', 'json', path.join(work, 'tree')]);
    const files = (JSON.parse(run.stdout) as JsonFinding[]).map((f) => path.relative(work, f.filename)).sort();
    assert.deepEqual(files, ['tree/pkg/a.py', 'tree/pkg/sub/b.py']);
  });

  test('a path that does not exist is a usage error (exit 2) with a message', () => {
    const run = ksm(['check', path.join(work, 'missing.py')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /ksm: no such file or directory: .*missing\.py/);
    assert.equal(run.stdout, '');
  });

  test('an unknown option or format is a usage error (exit 2)', () => {
    assert.equal(ksm(['check', '--format', 'xml', '.']).code, 2);
    assert.equal(ksm(['check', '--frobnicate']).code, 2);
    assert.equal(ksm(['check', '--rule', 'KSM999=off', work]).code, 2);
  });

  test('a file with syntax errors gets one KSM000 at the first error, and the rest of it is still checked', () => {
    const file = write('syntax/broken.py', 'from tensorflow import keras\ndef broken(:\n    pass\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m.keras")\nx = = 1\n');
    const run = ksm(['check', '--format', 'json', file]);
    assert.equal(run.code, 1, run.stderr);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    assert.deepEqual(findings.map((f) => [f.code, f.name, f.severity, f.location.row, f.location.column]), [
      ['KSM000', 'invalid-syntax', 'error', 2, 12],
      ['KSM101', 'save-before-compile', 'warning', 5, 1],
    ]);
    assert.equal(findings[0]!.fix, null);
    const text = ksm(['check', file]);
    assert.equal(text.stdout.split('\n')[0], `${file}:2:12: KSM000 [error] Syntax error: missing \`)\``);
    assert.match(text.stdout, /Found 2 problems \(1 error, 1 warning\) in 1 file\./);
  });

  test('a syntax error alone fails the run; --ignore KSM000 and --fail-on leave it out', () => {
    const file = write('syntax/only.py', 'print(1))\n');
    const run = ksm(['check', file]);
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.stdout.split('\n')[0], `${file}:1:9: KSM000 [error] Syntax error: unexpected \`)\``);
    const ignored = ksm(['check', '--ignore', 'invalid-syntax', file]);
    assert.equal(ignored.code, 0, ignored.stdout);
    assert.equal(ksm(['check', '--rule', 'KSM000=hint', file]).code, 0);
    assert.equal(ksm(['check', '--select', 'KSM0', file]).code, 1);
  });

  test('a file that is not UTF-8 is skipped with a message; a PEP 263 declaration is honoured', () => {
    const latin1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n' + unsaved)]);
    const bad = write('encoding/bad.py', latin1);
    const run = ksm(['check', bad]);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /bad\.py: skipped: not valid UTF-8/);
    const declared = write('encoding/declared.py', Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\n'), latin1]));
    const ok = ksm(['check', '--format', 'json', declared]);
    assert.deepEqual((JSON.parse(ok.stdout) as JsonFinding[]).map((f) => [f.code, f.location.row]), [['KSM101', 5]]);
  });

  test('a binary file is skipped with a message', () => {
    const file = write('binary/blob.py', Buffer.from([0x00, 0x01, 0x02, 0xff]));
    const run = ksm(['check', file]);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /blob\.py: skipped: holds NUL bytes/);
    assert.equal(run.stdout, 'No problems found in 0 files. 1 file was skipped (see above): holds NUL bytes (binary?).\n', 'the summary does not hide the skipped file');
  });

  test('--max-file-size skips larger files, with the reason on stderr and in the summary; 2 MiB by default', () => {
    const big = write('size/big.py', unsaved + `# ${'x'.repeat(3 * 1024 * 1024)}\n`);
    const small = write('size/small.py', unsaved);
    const byDefault = ksm(['check', path.dirname(big)]);
    assert.match(byDefault.stderr, /big\.py: skipped: larger than 2 MiB/);
    assert.match(byDefault.stdout, /in 1 file\. 1 file was skipped \(see above\): larger than 2 MiB\.\n/);
    const raised = ksm(['check', '--format', 'json', '--max-file-size', '4MiB', path.dirname(big)]);
    assert.deepEqual((JSON.parse(raised.stdout) as JsonFinding[]).map((f) => path.basename(f.filename)), ['big.py', 'small.py']);
    for (const [size, shown] of [['50k', '50 KiB'], ['100', '100 bytes'], ['0.5 MB', '512 KiB']]) {
      const run = ksm(['check', '--max-file-size', size!, big]);
      assert.equal(run.stdout, `No problems found in 0 files. 1 file was skipped (see above): larger than ${shown}.\n`, size);
    }
    assert.equal(ksm(['check', '--max-file-size', '200', big, small]).code, 1, 'small.py (102 bytes) is checked');
  });

  test('an invalid --max-file-size is a usage error (exit 2) that says what a size looks like', () => {
    for (const size of ['2x', '0', '-1', 'MiB', '']) {
      const run = ksm(['check', '--max-file-size', size, work]);
      assert.equal(run.code, 2, size);
      assert.match(run.stderr, /--max-file-size <size>.*invalid\. expected a size such as 2MiB, 500k or 1048576 \(bytes\)/, size);
    }
  });

  test('--output-file (-o) writes the report to a file, making its folder, and keeps the exit code', () => {
    const file = write('output/model.py', unsaved);
    const report = path.join(work, 'output', 'reports', 'ksm.json');
    const run = ksm(['check', '--format', 'json', '--output-file', report, file]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.deepEqual((JSON.parse(fs.readFileSync(report, 'utf8')) as JsonFinding[]).map((f) => f.code), ['KSM101']);
    const text = path.join(work, 'output', 'ksm.txt');
    assert.equal(ksm(['check', '-o', text, '--statistics', file]).stdout, '');
    assert.match(fs.readFileSync(text, 'utf8'), /^1 {2}KSM101 {2}save-before-compile/);
    const blocked = ksm(['check', '-o', path.join(file, 'ksm.json'), file]);
    assert.equal(blocked.code, 2);
    assert.match(blocked.stderr, /cannot write --output-file/);
  });

  test('a file named twice is checked once', () => {
    const file = write('twice/model.py', unsaved);
    const run = ksm(['check', '--format', 'json', file, file, path.dirname(file)]);
    assert.deepEqual((JSON.parse(run.stdout) as JsonFinding[]).map((f) => f.code), ['KSM101']);
  });

  test('--rule turns a rule off or changes its level', () => {
    const file = write('rules/model.py', unsaved);
    assert.equal(ksm(['check', '--rule', 'KSM101=off', file]).code, 0);
    const run = ksm(['check', '--format', 'json', '--rule', 'save-before-compile=error', file]);
    assert.equal((JSON.parse(run.stdout) as JsonFinding[])[0]!.severity, 'error');
  });

  test('--fix applies safe fixes only and reports what remains', () => {
    const text = 'import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.compile(loss="mse")\nm.fit_generator(g, workers=2)\nm.save("m.keras")\n';
    const file = write('fix/model.py', text);
    const run = ksm(['check', '--fix', '--keras-version', '3', file]);
    assert.equal(fs.readFileSync(file, 'utf8'), text.replace('fit_generator(g, workers=2)', 'fit(g)'));
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /Fixed 1 problem/);
  });

  test('--unsafe-fixes: --fix and --diff apply unsafe fixes too; without it the summary counts them as hidden', () => {
    const text = 'import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m.keras")\n';
    const file = write('unsafe/model.py', text);
    const plain = ksm(['check', '--keras-version', '3', file]);
    assert.match(plain.stdout, /KSM101/);
    assert.match(plain.stdout, /\n1 hidden fix can be enabled with the `--unsafe-fixes` option\.\n$/);
    assert.ok(!plain.stdout.includes('fixable with'), 'the only fix is unsafe');
    const safeOnly = ksm(['check', '--fix', '--keras-version', '3', file]);
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'plain --fix leaves the unsafe fix');
    assert.match(safeOnly.stdout, /1 hidden fix can be enabled/);
    const diff = ksm(['check', '--diff', '--unsafe-fixes', '--keras-version', '3', file]);
    assert.equal(diff.code, 1);
    assert.match(diff.stdout, /^\+m\.compile\(/m);
    assert.match(diff.stdout, /Would fix 1 problem in 1 file\.\n$/);
    assert.equal(fs.readFileSync(file, 'utf8'), text, '--diff writes nothing');
    const fixed = ksm(['check', '--fix', '--unsafe-fixes', '--keras-version', '3', file]);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /Fixed 1 problem\./);
    assert.match(fs.readFileSync(file, 'utf8'), /^m\.compile\(optimizer="adam", loss=.*\)\nm\.save\("m\.keras"\)$/m);
  });

  test('the unsafe-fixes configuration key turns unsafe fixes on; --no-unsafe-fixes turns them off again', () => {
    const text = 'import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m.keras")\n';
    const folder = path.join(work, 'unsafe-config');
    const file = write('unsafe-config/model.py', text);
    write('unsafe-config/ksm.toml', 'unsafe-fixes = true\n');
    const off = ksm(['check', '--fix', '--no-unsafe-fixes', '--keras-version', '3', 'model.py'], folder);
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.match(off.stdout, /1 hidden fix/);
    const on = ksm(['check', '--fix', '--keras-version', '3', 'model.py'], folder);
    assert.equal(on.code, 0, on.stdout + on.stderr);
    assert.match(fs.readFileSync(file, 'utf8'), /^m\.compile\(/m);
    write('unsafe-config/ksm.toml', 'unsafe-fixes = "yes"\n');
    const wrong = ksm(['check', 'model.py'], folder);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unsafe-fixes: expected true or false, got "yes"/);
  });

  test('the bundled examples: --fix --unsafe-fixes leaves every flagged one clean', () => {
    const copy = path.join(work, 'examples-copy');
    fs.cpSync(path.join(repoRoot, 'examples', 'flagged'), copy, { recursive: true });
    const before = ksm(['check', copy]);
    assert.match(before.stdout, /\d+ hidden fixes can be enabled with the `--unsafe-fixes` option/);
    const run = ksm(['check', '--fix', '--unsafe-fixes', copy]);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /No problems found in \d+ files\./);
  });

  test('the bundled examples: every flagged one is flagged, every fixed one is clean', () => {
    const flagged = ksm(['check', '--format', 'json', 'examples/flagged']);
    assert.equal(flagged.code, 1);
    const codesByFile = new Map<string, Set<string>>();
    for (const f of JSON.parse(flagged.stdout) as JsonFinding[]) {
      const name = path.basename(f.filename);
      codesByFile.set(name, (codesByFile.get(name) ?? new Set()).add(f.code));
    }
    assert.ok(codesByFile.get('save_before_compile.py')?.has('KSM101'));
    assert.ok(codesByFile.get('lstm_input_shape.py')?.has('KSM301'));
    assert.ok(codesByFile.get('fit_generator.py')?.has('KSM402'));
    const fixed = ksm(['check', 'examples/fixed']);
    assert.equal(fixed.code, 0, fixed.stdout);
  });
});

describe('ksm rules, explain, report', () => {
  test('rules lists every rule by code and name', () => {
    const run = ksm(['rules']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /KSM101\s+save-before-compile/);
    assert.match(run.stdout, /KSM301\s+lstm-missing-input-shape/);
  });

  test('explain prints the same page as docs/rules, by code or name', () => {
    const page = fs.readFileSync(path.join(repoRoot, 'docs', 'rules', 'KSM301.md'), 'utf8');
    assert.equal(ksm(['explain', 'KSM301']).stdout, page);
    assert.equal(ksm(['explain', 'lstm-missing-input-shape']).stdout, page);
    const unknown = ksm(['explain', 'KSM999']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown rule "KSM999"/);
  });

  test('report shows each model with its checks and verdict', () => {
    const file = write('report/model.py', 'import keras\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.save("m.keras")\n');
    const run = ksm(['report', file]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /m \(line 2, sequential\): not ready: 1 blocking; save \(line 3\)/);
    assert.match(run.stdout, /fail {2}Input shape declared/);
    assert.match(run.stdout, /pass {2}Preprocessing lives inside the model/);
    const json = JSON.parse(ksm(['report', '--format', 'json', file]).stdout) as Array<{ models: Array<{ verdict: string }> }>;
    assert.equal(json[0]!.models[0]!.verdict, 'not-ready');
  });

  test('report judges each model under Keras 2 and under Keras 3', () => {
    const file = write('report/upgrade.py', 'import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])\nm.compile(loss="mse")\nm.save("exported_model")\n');
    const run = ksm(['report', file]);
    assert.match(run.stdout, /\n {4}Keras 2: ready {4}Keras 3: not ready \(KSM502\)\n/);
    const json = JSON.parse(ksm(['report', '--format', 'json', file]).stdout) as Array<{ models: Array<{ verdict: string; byVersion: { keras2: { verdict: string }; keras3: { verdict: string; blocking: Array<{ code: string; range: { start: { line: number } } }> } } }> }>;
    const { byVersion } = json[0]!.models[0]!;
    assert.equal(json[0]!.models[0]!.verdict, 'ready', 'under an unknown version KSM502 is a warning');
    assert.equal(byVersion.keras2.verdict, 'ready');
    assert.deepEqual(byVersion.keras3.blocking.map((p) => [p.code, p.range.start.line]), [['KSM502', 4]]);
  });

  test('--help exits 0 and --version prints the package version', () => {
    assert.equal(ksm(['--help']).code, 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(ksm(['--version']).stdout.trim(), pkg.version);
  });
});

describe('--concurrency', () => {
  test('worker threads give byte for byte the output of a sequential run, in check and report, text and JSON', () => {
    const targets = ['test/corpus', 'examples'];
    let compared = 0;
    for (const args of [['check'], ['check', '--format', 'json'], ['report', '--format', 'json']]) {
      const sequential = ksm([...args, ...targets]);
      const threaded = ksm([...args, '--concurrency', '2', ...targets]);
      assert.equal(threaded.code, sequential.code);
      assert.equal(threaded.stdout, sequential.stdout, args.join(' '));
      assert.equal(threaded.stderr, sequential.stderr);
      compared += sequential.stdout.length;
    }
    assert.ok(compared > 10000, 'the runs printed findings to compare');
  });

  test('a value that is neither a positive number nor "off" is a usage error', () => {
    const run = ksm(['check', '--concurrency', '0', 'examples']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--concurrency/);
  });
});

describe('selection, levels and exit codes', () => {
  const hintOnly = 'import keras\n\nmodel = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse")\n';
  const codesOf = (args: string[]) => [...new Set((JSON.parse(ksm(['check', '--format', 'json', ...args, 'examples/flagged']).stdout) as JsonFinding[]).map((f) => f.code))].sort();

  test('hints never fail a run unless --fail-on says so; --exit-zero never fails', () => {
    const file = path.join(work, 'hint_only.py');
    fs.writeFileSync(file, hintOnly);
    const plain = ksm(['check', file]);
    assert.match(plain.stdout, /1 hint/);
    assert.equal(plain.code, 0);
    assert.equal(ksm(['check', '--fail-on', 'hint', file]).code, 1);
    assert.equal(ksm(['check', '--fail-on', 'INFO', file]).code, 0);
    assert.equal(ksm(['check', 'examples/flagged']).code, 1);
    assert.equal(ksm(['check', '--fail-on', 'error', 'examples/flagged']).code, 1, 'the examples hold errors');
    assert.equal(ksm(['check', '--exit-zero', 'examples/flagged']).code, 0);
    const bad = ksm(['check', '--fail-on', 'severe', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-on/);
  });

  test('--select, --extend-select and --ignore take codes, prefixes and names, comma-separated or repeated', () => {
    const all = codesOf([]);
    assert.ok(all.length >= 8);
    assert.deepEqual(codesOf(['--select', 'KSM3']), all.filter((c) => c.startsWith('KSM3')));
    assert.deepEqual(codesOf(['--select', 'KSM501,lambda-layer']), ['KSM501', 'KSM503']);
    assert.deepEqual(codesOf(['--select', 'KSM501', '--select', 'ksm503']), ['KSM501', 'KSM503']);
    assert.deepEqual(codesOf(['--ignore', 'KSM5', '--extend-select', 'KSM501']), all.filter((c) => !c.startsWith('KSM5') || c === 'KSM501'));
    assert.deepEqual(codesOf(['--ignore', 'KSM1,KSM2,KSM3,KSM4']), all.filter((c) => c.startsWith('KSM5')));
    const unknown = ksm(['check', '--select', 'KSM9', 'examples']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--select KSM9: no rule/);
  });

  test('--rule takes lists, `info`, and levels in any case; a level does not re-select an ignored rule', () => {
    const json = (args: string[]) => JSON.parse(ksm(['check', '--format', 'json', ...args, 'examples/flagged']).stdout) as JsonFinding[];
    const levels = json(['--rule', 'KSM101=INFO,save-format-argument=Hint']);
    assert.ok(levels.filter((f) => f.code === 'KSM101').every((f) => f.severity === 'information'));
    assert.ok(levels.filter((f) => f.code === 'KSM501').every((f) => f.severity === 'hint'));
    assert.ok(levels.some((f) => f.code === 'KSM101') && levels.some((f) => f.code === 'KSM501'));
    assert.ok(!json(['--rule', 'KSM101=off,KSM301=off']).some((f) => f.code === 'KSM101' || f.code === 'KSM301'));
    assert.ok(!json(['--ignore', 'KSM101', '--rule', 'KSM101=error']).some((f) => f.code === 'KSM101'));
  });

  test('--statistics counts findings per rule, in text and JSON', () => {
    const findings = JSON.parse(ksm(['check', '--format', 'json', 'examples/flagged']).stdout) as JsonFinding[];
    const stats = JSON.parse(ksm(['check', '--statistics', '--format', 'json', 'examples/flagged']).stdout) as Array<{ code: string; count: number; fixable: number }>;
    for (const row of stats) assert.equal(row.count, findings.filter((f) => f.code === row.code).length, row.code);
    assert.equal(stats.reduce((n, r) => n + r.count, 0), findings.length);
    const text = ksm(['check', '--statistics', 'examples/flagged']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, new RegExp(`^\\s*${stats[0]!.count}  ${stats[0]!.code}  `, 'm'));
  });
});

describe('ksm check with a configuration file', () => {
  const lstm = 'import keras\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.save("m")\n';
  const project = (name: string, config: Record<string, string>) => {
    const root = path.join(work, name);
    fs.mkdirSync(path.join(root, '.git'), { recursive: true });
    for (const [file, text] of Object.entries({ 'train.py': lstm, 'tests/test_train.py': lstm, 'build/generated.py': lstm, ...config })) write(path.join(name, file), text);
    return root;
  };
  const codes = (run: { stdout: string }) => run.stdout.split('\n').filter((l) => /: KSM\d{3} \[/.test(l)).map((l) => l.split(' ').slice(0, 2).join(' '));

  test('[tool.ksm] selects, levels, ignores per file, excludes and sets fail-on; the command line goes over it', () => {
    const root = project('configured', {
      'pyproject.toml': '[tool.ksm]\nkeras-version = "3"\nignore = ["KSM101"]\nexclude = ["build"]\nfail-on = "error"\n' +
        '[tool.ksm.severity]\nlstm-missing-input-shape = "warning"\n[tool.ksm.per-file-ignores]\n"tests/*" = ["KSM3"]\n',
    });
    const run = ksm(['check', '.'], root);
    assert.deepEqual(codes(run), [`${path.join('tests', 'test_train.py')}:3:8: KSM502`, 'train.py:2:23: KSM301', 'train.py:3:8: KSM502']);
    assert.equal(run.code, 1, 'KSM502 is an error under keras-version 3');
    // A file named on the command line is checked even where `exclude` leaves it out of folder walks.
    assert.equal(codes(ksm(['check', 'build/generated.py'], root)).length, 2);
    // --keras-version 2 turns KSM502 off; the KSM301 warning no longer fails the run (fail-on = "error").
    const keras2 = ksm(['check', '--keras-version', '2', '.'], root);
    assert.deepEqual(codes(keras2), ['train.py:2:23: KSM301']);
    assert.equal(keras2.code, 0);
    assert.equal(ksm(['check', '--keras-version', '2', '--fail-on', 'warning', '.'], root).code, 1);
    // --select replaces the file's selection; --rule goes over its severity.
    assert.deepEqual(codes(ksm(['check', '--select', 'KSM101', '.'], root)), []);
    assert.match(ksm(['check', '--rule', 'KSM301=error', '--select', 'KSM301', 'train.py'], root).stdout, /train\.py:2:23: KSM301/);
  });

  test('max-file-size in the configuration skips larger files below it; --max-file-size goes over it; a bad value exits 2', () => {
    const root = project('sized', { 'ksm.toml': 'max-file-size = "60"\n', 'other/ksm.toml': 'max-file-size = 4096\n', 'other/train.py': lstm });
    const run = ksm(['check', '.'], root);
    assert.match(run.stdout, /in 1 file\. 3 files were skipped \(see above\): 3 larger than 60 bytes\./);
    assert.deepEqual([...new Set(codes(run).map((c) => c.split(':')[0]))], [path.join('other', 'train.py')]);
    assert.match(ksm(['check', '--max-file-size', '1k', '.'], root).stdout, /in 4 files\.\n/);
    fs.writeFileSync(path.join(root, 'ksm.toml'), 'max-file-size = "big"\n');
    const bad = ksm(['check', '.'], root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid configuration: ksm\.toml:1: max-file-size: expected a size such as 2MiB, 500k or 1048576 \(bytes\), got "big"/);
  });

  test('ksm.toml wins over pyproject.toml in its folder, and the nearest file applies', () => {
    const root = project('nearest', {
      'pyproject.toml': '[tool.ksm]\nselect = ["KSM502"]\nkeras-version = "3"\n',
      'ksm.toml': 'select = ["KSM301"]\n',
      'tests/ksm.toml': 'select = ["KSM101"]\n',
    });
    assert.deepEqual(codes(ksm(['check', '.'], root)).map((l) => l.split(' ')[1]), ['KSM301', 'KSM101', 'KSM301'], 'build/, tests/ (its own ksm.toml), train.py');
  });

  test('an invalid configuration stops the run with exit 2, naming the file, the line and the key', () => {
    const root = project('invalid', { 'ksm.toml': 'select = ["KSM301"]\n\nfail-on = "loud"\n' });
    const run = ksm(['check', '.'], root);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), 'ksm: invalid configuration: ksm.toml:3: fail-on: expected "error", "warning", "information" or "hint", got "loud"');
    assert.equal(run.stdout, '');
  });
});

describe('ksm check - (standard input)', () => {
  const run = (args: string[], input: string, cwd = work) => {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  test('checks the text under --stdin-filename, with that file\'s configuration', () => {
    write('stdin-project/ksm.toml', 'keras-version = "3"\nignore = ["KSM101"]\n');
    const text = 'from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m")\n';
    const named = run(['check', '-', '--stdin-filename', 'stdin-project/train.py'], text);
    assert.equal(named.code, 1);
    assert.match(named.stdout, /^stdin-project\/train\.py:3:8: KSM502 \[error\] /m);
    assert.doesNotMatch(named.stdout, /KSM101/, 'ignored by the configuration of the named file');
    const anonymous = run(['check', '--format', 'json', '-'], text);
    assert.deepEqual((JSON.parse(anonymous.stdout) as Array<{ filename: string; code: string }>).map((f) => [f.filename, f.code]), [['-', 'KSM101'], ['-', 'KSM502']]);
  });

  test('--fix writes the fixed text to standard output, and nothing else', () => {
    const text = 'from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.compile(loss="mse")\nm.fit_generator(g)\n';
    const fixed = run(['check', '--fix', '-'], text);
    assert.equal(fixed.stdout, text.replace('fit_generator', 'fit'));
    assert.equal(fixed.code, 0);
    assert.equal(run(['check', '--fix', '-'], 'x = 1\n').stdout, 'x = 1\n', 'unchanged text comes back as it was');
  });

  test('`-` with other paths is a usage error', () => {
    const mixed = run(['check', '-', 'a.py'], '');
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /`-` \(standard input\) cannot be combined with other paths/);
  });
});

describe('ksm check --diff', () => {
  test('prints what --fix would change as a unified diff, writes nothing, and exits 1 when there is a change', () => {
    const text = 'from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.compile(loss="mse")\nm.fit_generator(g)\n';
    const file = write('diff/train.py', text);
    const run = ksm(['check', '--diff', 'train.py'], path.dirname(file));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, [
      '--- a/train.py', '+++ b/train.py', '@@ -1,4 +1,4 @@',
      ' from tensorflow import keras', ' m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])', ' m.compile(loss="mse")',
      '-m.fit_generator(g)', '+m.fit(g)', 'Would fix 1 problem in 1 file.', '',
    ].join('\n'));
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'nothing is written');
    const clean = ksm(['check', '--diff', write('diff/clean.py', 'x = 1\n')]);
    assert.deepEqual([clean.code, clean.stdout], [0, 'No fixes to apply.\n']);
  });
});

describe('ksm check --fix --show-fixes', () => {
  test('lists the findings fixed in each file, by rule, and counts each fix once', () => {
    const text = 'from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.compile(loss="mse")\nm.fit_generator(g)\nm.evaluate_generator(g)\n';
    const file = write('show-fixes/train.py', text);
    const run = ksm(['check', '--fix', '--show-fixes', 'train.py'], path.dirname(file));
    assert.equal(run.code, 0);
    assert.equal(run.stdout, 'Fixed 2 problems.\ntrain.py:\n    2 × KSM402 (fit-generator-removed)\nNo problems found in 1 file.\n');
    assert.match(fs.readFileSync(file, 'utf8'), /m\.fit\(g\)\nm\.evaluate\(g, verbose=0\)\n$/);
  });
});

describe('ksm check: which files a folder walk checks', () => {
  test('.gitignore leaves files out (unless --no-respect-gitignore or named), and --exclude / --extend-exclude go with the configuration', () => {
    const root = path.join(work, 'walk');
    fs.mkdirSync(path.join(root, '.git'), { recursive: true });
    const lstm = 'import keras\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.save("m")\n';
    write('walk/.gitignore', 'build/\n*.generated.py\n!keep.generated.py\n');
    for (const file of ['src/a.py', 'src/b.generated.py', 'src/keep.generated.py', 'build/out.py', 'notebooks/old.py']) write(path.join('walk', file), lstm);
    write('walk/ksm.toml', 'exclude = ["notebooks"]\n');
    const files = (args: string[]) => [...new Set((JSON.parse(ksm(['check', '--format', 'json', ...args], root).stdout) as Array<{ filename: string }>).map((f) => f.filename))].sort();
    assert.deepEqual(files(['.']), ['src/a.py', 'src/keep.generated.py']);
    assert.deepEqual(files(['--no-respect-gitignore', '.']), ['build/out.py', 'src/a.py', 'src/b.generated.py', 'src/keep.generated.py']);
    assert.deepEqual(files(['--exclude', 'src/a.py', '.']), ['notebooks/old.py', 'src/keep.generated.py'], '--exclude replaces the configuration\'s list');
    assert.deepEqual(files(['--extend-exclude', 'src/a.py', '.']), ['src/keep.generated.py']);
    assert.deepEqual(files(['build/out.py']), ['build/out.py'], 'a file named on the command line is checked');
  });
});
