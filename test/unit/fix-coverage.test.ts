/**
 * Fix coverage over every fixture and corpus program, analysed as `ksm check` analyses them (the
 * modules they import followed through a workspace index, the Keras version of their project):
 * every finding of a rule whose contract promises a fix comes with one (the exceptions below
 * say why not, in the contract's words); every fix, safe or unsafe, removes its finding and leaves
 * every file it edits parsing, across files too; and fixing everything, unsafe fixes included, is
 * idempotent.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding, Fix } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { fixAll } from '../../server/src/engine/fix-all';
import { rules } from '../../server/src/engine/rules/index';
import { ProjectVersions } from '../../server/src/workspace/project-files';
import { WorkspaceIndex } from '../../server/src/workspace/workspace-index';
import { countErrorNodes, fixturesDir, parseFixture, repoRoot } from '../helpers/fixtures';

const corpusDir = path.join(repoRoot, 'test', 'corpus');

/** The rules whose every finding on these files must carry a fix. */
const fixedRules = rules.map((r) => r.code).filter((code) => code >= 'KSM101' && code <= 'KSM503');

/**
 * Findings that legitimately come without a fix, with the contract's reason: by file (relative to
 * the repository), code and 1-based lines.
 */
type Exception = [file: string, code: string, lines: number[], reason: string];

const concreteTensor = '"`Input(tensor=…)`: no fix; the message explains that Keras 3 needs a symbolic input fed with data at call time"';
const h5Subclassed = 'Keras 2 HDF5 cannot hold a subclassed model, built or not, so the contract\'s fix (build before saving) does not apply';
const getConfigShape = 'the body binds no single local dict to return: "otherwise no fix; the message shows the expected shape"';

const exceptions: Exception[] = [
  ['test/fixtures/KSM208/custom-objects.py', 'KSM208', [26, 34], getConfigShape],
  ['test/fixtures/KSM208/flagged.py', 'KSM208', [49, 55], getConfigShape],
  ['test/fixtures/KSM302/keras2.py', 'KSM302', [23, 24], h5Subclassed],
  ['test/fixtures/KSM302/unknown-version.py', 'KSM302', [24], h5Subclassed],
  ['test/fixtures/KSM303/keras3.py', 'KSM303', [23, 24, 26, 27], concreteTensor],
  ['test/corpus/training/churn_subclassed_model.py', 'KSM303', [53], concreteTensor],
  ['test/fixtures/KSM205/closure-metric.py', 'KSM205', [25], 'the factory takes `name`, which the `Metric` base takes itself: a subclass cannot take it as a captured value without changing what it means, so no class is offered'],
  ['test/fixtures/KSM501/keras3.py', 'KSM501', [29], 'the contract\'s fixes are for `save_format="tf"` and `"h5"`; `save_format=fmt` holds a value the file does not show'],
];

/** Every Python file of a folder, recursively, in a stable order. */
function pythonFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(directory, entry.name);
      return entry.isDirectory() ? pythonFiles(full) : entry.name.endsWith('.py') ? [full] : [];
    });
}

/**
 * One program folder (a fixture directory, a corpus folder) as a workspace whose files can be
 * changed in memory: analyses see the changed texts, through the index as the CLI's do.
 */
class Workspace {
  readonly texts = new Map<string, string>();
  private readonly projects = new ProjectVersions();
  private readonly index: WorkspaceIndex;

  constructor(readonly root: string) {
    this.index = new WorkspaceIndex({
      roots: () => [root],
      read: (file) => this.text(file),
      locationOf: (file) => path.resolve(file),
      settingsFor: (file) => this.baseSettings(file),
    });
  }

  text(file: string): string {
    const key = path.resolve(file);
    if (!this.texts.has(key)) this.texts.set(key, fs.readFileSync(key, 'utf8'));
    return this.texts.get(key)!;
  }

  set(file: string, text: string): void {
    this.texts.set(path.resolve(file), text);
    this.index.invalidate(file);
  }

  /** The fixture's own header settings, and the Keras version its project's dependency files declare. */
  private baseSettings(file: string): AnalysisSettings {
    const { settings } = parseFixture(this.text(file), []);
    const projectVersion = this.projects.versionFor(file, { stopAt: this.root });
    return settings.kerasVersion === 'auto' && projectVersion ? { ...settings, projectVersion } : settings;
  }

  settings(file: string): AnalysisSettings {
    return { ...this.baseSettings(file), modules: this.index.resolverFor(file) };
  }

  findings(file: string): Finding[] {
    return analyzeText(this.text(file), this.settings(file)).findings;
  }

  /** Applies a fix to this file and the modules it edits; returns what to put back. */
  apply(file: string, fix: Fix): () => void {
    const changes = [{ file, edits: fix.edits }, ...(fix.otherFileEdits ?? [])].filter((c) => c.edits.length > 0);
    const saved = changes.map((c) => [c.file, this.text(c.file)] as const);
    for (const c of changes) this.set(c.file, applyEdits(this.text(c.file), c.edits));
    return () => {
      for (const [f, text] of saved) this.set(f, text);
    };
  }

  /** Fixes every file in order, unsafe fixes and other modules included, as `ksm check --fix --unsafe-fixes` does. */
  fixEverything(files: readonly string[]): void {
    for (const file of files) {
      const result = fixAll(this.text(file), this.settings(file), {
        unsafe: true,
        applyElsewhere: (change) => {
          const before = this.text(change.file);
          const after = applyEdits(before, change.edits);
          if (after === before) return false;
          this.set(change.file, after);
          return true;
        },
      });
      if (result.text !== this.text(file)) this.set(file, result.text);
    }
  }
}

/** The program folders: each fixture directory, and each top folder of the corpus (a package is one workspace). */
function workspaces(): string[] {
  const folders = (parent: string) => fs.readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(parent, e.name));
  const corpus = folders(corpusDir).flatMap((dir) => (path.basename(dir) === 'packages' ? folders(dir) : [dir]));
  return [...folders(fixturesDir), ...corpus].filter((dir) => pythonFiles(dir).length > 0);
}

const relative = (file: string) => path.relative(repoRoot, file).split(path.sep).join('/');
const line = (f: Finding) => f.range.start.line + 1;
const excused = (file: string, f: Finding) =>
  exceptions.some(([name, code, lines]) => name === relative(file) && code === f.code && lines.includes(line(f)));

function problemsIn(root: string): string[] {
  const workspace = new Workspace(root);
  const files = pythonFiles(root);
  const problems: string[] = [];
  const sameKind = (finding: Finding) => (f: Finding) => f.code === finding.code && f.severity === finding.severity;
  for (const file of files) {
    const findings = workspace.findings(file);
    for (const finding of findings) {
      const where = `${relative(file)}:${line(finding)} ${finding.code}`;
      if (finding.fixes.length === 0) {
        if (fixedRules.includes(finding.code) && !excused(file, finding)) problems.push(`${where}: no fix (${finding.message})`);
        continue;
      }
      const count = findings.filter(sameKind(finding)).length;
      for (const fix of finding.fixes) {
        const touched = [file, ...(fix.otherFileEdits ?? []).map((o) => o.file)];
        const errorsBefore = touched.map((f) => countErrorNodes(workspace.text(f)));
        const restore = workspace.apply(file, fix);
        try {
          touched.forEach((f, i) => {
            if (countErrorNodes(workspace.text(f)) > errorsBefore[i]!) problems.push(`${where}: "${fix.title}" leaves a parse error in ${relative(f)}`);
          });
          if (workspace.findings(file).filter(sameKind(finding)).length >= count) problems.push(`${where}: "${fix.title}" does not remove the finding`);
        } finally {
          restore();
        }
      }
    }
  }
  // Fixing everything, then again: the second round changes no file, across files too.
  const errorsBefore = new Map([...workspace.texts.keys()].map((f) => [f, countErrorNodes(workspace.text(f))]));
  workspace.fixEverything(files);
  const once = new Map(workspace.texts);
  for (const [f, text] of once) if (countErrorNodes(text) > (errorsBefore.get(f) ?? countErrorNodes(fs.readFileSync(f, 'utf8')))) problems.push(`${relative(f)}: fixing everything leaves a parse error`);
  workspace.fixEverything(files);
  for (const [f, text] of workspace.texts) if (once.get(f) !== text) problems.push(`${relative(f)}: fixing everything twice changes it again`);
  return problems;
}

describe('fix coverage', () => {
  before(() => initParser());

  for (const root of workspaces()) {
    test(relative(root), () => assert.deepEqual(problemsIn(root), []));
  }

  test('the exceptions name findings that exist, without a fix', () => {
    for (const [name, code, lines] of exceptions) {
      const file = path.join(repoRoot, name);
      const root = workspaces().find((dir) => file.startsWith(dir + path.sep))!;
      const findings = new Workspace(root).findings(file);
      for (const at of lines) {
        const finding = findings.find((f) => f.code === code && line(f) === at);
        assert.ok(finding, `${name}:${at} ${code} is listed but not found`);
        assert.deepEqual(finding.fixes, [], `${name}:${at} ${code} has a fix now: drop its exception`);
      }
    }
  });

  test('every rule from KSM101 to KSM503 has a finding with a fix on these files', () => {
    const withFix = new Set<string>();
    for (const root of workspaces()) {
      const workspace = new Workspace(root);
      for (const file of pythonFiles(root)) for (const f of workspace.findings(file)) if (f.fixes.length > 0) withFix.add(f.code);
    }
    assert.deepEqual(fixedRules.filter((code) => !withFix.has(code)), []);
  });
});
