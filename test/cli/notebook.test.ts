/** `ksm check` and `ksm report` on Jupyter notebooks. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixturesDir, repoRoot } from '../helpers/fixtures';

const cli = path.join(repoRoot, 'dist', 'cli.js');

function ksm(args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface Location {
  row: number;
  column: number;
}

interface JsonFinding {
  code: string;
  filename: string;
  cell?: number;
  location: Location;
  end_location: Location;
  fix: null | { applicability: string; message: string; edits: Array<{ content: string; cell?: number; location: Location; end_location: Location }> };
}

interface Notebook {
  cells: Array<{ cell_type: string; source: string | string[]; outputs?: unknown[]; metadata: unknown }>;
  metadata: unknown;
}

let work: string;
before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-cli-notebooks-'));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A fixture notebook copied into its own folder (no dependency files around it). */
function copy(fixture: string, name = fixture): string {
  const file = path.join(work, path.basename(fixture, '.ipynb') + '-' + Math.random().toString(36).slice(2), name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(path.join(fixturesDir, 'notebooks', fixture), file);
  return file;
}

describe('ksm check on notebooks', () => {
  test('text output names the cell (1-based, markdown cells counted) and the line within it', () => {
    const file = copy('cross-cell.ipynb');
    const run = ksm(['check', file]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout.split('\n')[0]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:cell 4:1:1: KSM101 \\[warning\\] \`model\` is saved before \`compile\\(\\)\``));
    assert.match(run.stdout, /Found 1 problem \(1 warning\) in 1 file\./);
  });

  test('JSON findings carry `cell`, rows relative to it; fix edits say their cell, and a fix that edits another cell says so', () => {
    const file = copy('cross-cell.ipynb');
    const [finding, ...rest] = JSON.parse(ksm(['check', '--format', 'json', file]).stdout) as JsonFinding[];
    assert.deepEqual(rest, []);
    assert.equal(finding!.cell, 4);
    assert.deepEqual([finding!.location, finding!.end_location], [{ row: 1, column: 1 }, { row: 1, column: 22 }]);
    assert.equal(finding!.fix?.message, 'Move `model.compile(...)` above the save (also edits cell 5)');
    assert.deepEqual(finding!.fix?.edits.map((e) => [e.cell, e.location, e.end_location]), [
      [4, { row: 1, column: 1 }, { row: 1, column: 1 }],
      [5, { row: 1, column: 1 }, { row: 1, column: 44 }],
    ]);
  });

  test('install lines are requirements: KSM602/KSM603 on the package in its install cell, KSM604 on a late %env line', () => {
    const file = copy('installs.ipynb');
    const findings = JSON.parse(ksm(['check', '--format', 'json', file]).stdout) as JsonFinding[];
    assert.deepEqual(findings.map((f) => [f.code, f.cell, f.location.row, f.location.column]), [
      ['KSM603', 2, 1, 18],
      ['KSM602', 2, 1, 37],
      ['KSM604', 4, 1, 1],
    ]);
    assert.equal(findings[1]!.fix?.message, 'Require Keras 3: `keras>=3`');
    assert.deepEqual(findings[1]!.fix?.edits.map((e) => [e.cell, e.content]), [[2, '>=3']]);
  });

  test('Python files keep their JSON shape: no `cell`', () => {
    const file = path.join(work, 'plain.py');
    fs.writeFileSync(file, 'from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nm.save("m.keras")\n');
    const [finding] = JSON.parse(ksm(['check', '--format', 'json', file]).stdout) as JsonFinding[];
    assert.equal('cell' in finding!, false);
    assert.ok(finding!.fix?.edits.every((e) => !('cell' in e)));
  });

  test('--fix writes a valid notebook: only the fixed cells\' sources change, each in its own form', () => {
    const file = copy('fixable.ipynb');
    const before = fs.readFileSync(file, 'utf8');
    const run = ksm(['check', '--fix', file]);
    assert.match(run.stdout, /Fixed 3 problems\./);
    const after = fs.readFileSync(file, 'utf8');
    const original = JSON.parse(before) as Notebook;
    const fixed = JSON.parse(after) as Notebook;
    // Everything but the sources of cells 3 and 4 is as it was: metadata, ids, outputs.
    const withoutSources = (nb: Notebook, cells: number[]) => ({ ...nb, cells: nb.cells.map((c, i) => (cells.includes(i) ? { ...c, source: null } : c)) });
    assert.deepEqual(withoutSources(fixed, [2, 3]), withoutSources(original, [2, 3]));
    assert.equal(typeof fixed.cells[2]!.source, 'string', 'a source written as one string stays one');
    assert.ok(Array.isArray(fixed.cells[3]!.source), 'a list of lines stays a list');
    assert.deepEqual(fixed.cells[3]!.source, [
      'model = keras.Sequential([keras.Input(shape=(3,)), Scale(), keras.layers.Dense(1)])\n',
      'model.compile(optimizer="adam", loss="mse")\n',
      'model.fit(batches, epochs=2)',
    ]);
    // The notebook pins TensorFlow 2.15, whose keras 2.15 has `keras.saving.register_keras_serializable` (from 2.12 on).
    assert.match(fixed.cells[2]!.source as string, /^@keras\.saving\.register_keras_serializable\(\)\nclass Scale\(keras\.layers\.Layer\):\n {4}def __init__\(self, factor=2\.0, \*\*kwargs\):/);
    // The unchanged parts stay byte for byte: the file differs only inside the two sources.
    const head = before.indexOf('"source": "class Scale');
    assert.equal(after.slice(0, head), before.slice(0, head));
    const tail = before.indexOf('"model.save(');
    assert.equal(after.slice(after.indexOf('"model.save(')), before.slice(tail));
    // Nothing is left to fix; a second run writes nothing.
    const again = ksm(['check', '--fix', file]);
    assert.equal(again.code, 0, again.stdout);
    assert.doesNotMatch(again.stdout, /Fixed/);
    assert.equal(fs.readFileSync(file, 'utf8'), after);
  });

  test('directories are searched for notebooks too, skipping checkpoints; non-Python and broken notebooks are skipped with the reason', () => {
    const dir = path.join(work, 'tree');
    fs.mkdirSync(path.join(dir, '.ipynb_checkpoints'), { recursive: true });
    fs.copyFileSync(path.join(fixturesDir, 'notebooks', 'cross-cell.ipynb'), path.join(dir, 'train.ipynb'));
    fs.copyFileSync(path.join(fixturesDir, 'notebooks', 'cross-cell.ipynb'), path.join(dir, '.ipynb_checkpoints', 'train-checkpoint.ipynb'));
    fs.copyFileSync(path.join(fixturesDir, 'notebooks', 'r-kernel.ipynb'), path.join(dir, 'analysis.ipynb'));
    fs.writeFileSync(path.join(dir, 'broken.ipynb'), '{"cells": [');
    const run = ksm(['check', '--format', 'json', dir]);
    assert.equal(run.code, 1);
    assert.deepEqual((JSON.parse(run.stdout) as JsonFinding[]).map((f) => [path.basename(f.filename), f.cell]), [['train.ipynb', 4]]);
    assert.match(run.stderr, /analysis\.ipynb: skipped: not a Python notebook \(its language is R\)/);
    assert.match(run.stderr, /broken\.ipynb: skipped: not a notebook: /);
  });
});

describe('ksm report on notebooks', () => {
  test('text: locations by cell and line, and the version from the notebook\'s own pip install', () => {
    const run = ksm(['report', copy('fixable.ipynb')]);
    assert.match(run.stdout, /\(Keras 2: `tensorflow==2\.15\.\*` in cell 2 \(line 1\)\)/);
    assert.match(run.stdout, /model \(cell 4, line 1, sequential\): ready; save \(cell 5, line 1\)/);
    assert.match(run.stdout, /fixable\.ipynb:cell 3:2:9: KSM202 /);
  });

  test('JSON: each location carries its cell', () => {
    const [report] = JSON.parse(ksm(['report', '--format', 'json', copy('cross-cell.ipynb')]).stdout) as Array<{ models: Array<{ definitionCell: number; definition: { start: { line: number } }; saves: Array<{ cell: number }>; checks: Array<{ problems: Array<{ code: string; cell: number }> }> }> }>;
    const [model] = report!.models;
    assert.deepEqual([model!.definitionCell, model!.definition.start.line], [2, 3]);
    assert.deepEqual(model!.saves.map((s) => s.cell), [4]);
    assert.deepEqual(model!.checks.flatMap((c) => c.problems.map((p) => [p.code, p.cell])), [['KSM101', 4]]);
  });
});
