/**
 * Fixtures of the requirement-file rules (KSM602, KSM603): each is a folder of
 * test/fixtures/CODE/ holding requirement files and perhaps Python files, one project. Each
 * flagged line ends in `# expect: KSM602:error` (every requirement format takes `#` comments);
 * every other line of every file must hold no finding of the code. `# ksm-test:` header lines
 * set the run up as in Python fixtures.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { legacyKerasUses } from '../../server/src/engine/analysis/dependency-pins';
import { initParser } from '../../server/src/engine/analysis/parser';
import { isProjectFileName, type ProjectFile } from '../../server/src/engine/analysis/project-version';
import type { AnalysisSettings } from '../../server/src/engine/analysis/types';
import { chooseFixes } from '../../server/src/engine/fix-all';
import { analyzeProject, type ProjectFinding } from '../../server/src/engine/project';
import { fixturesDir, parseFixture, type Expectation } from './fixtures';

const toml = require('smol-toml') as { parse(text: string): unknown };

/** A fixture project: its files by name (requirement files first, in name order), and its settings. */
export interface ProjectFixture {
  texts: Map<string, string>;
  settings: AnalysisSettings;
  expected: Array<Expectation & { file: string }>;
}

export function readProjectFixture(folder: string, code: string): ProjectFixture {
  const names = fs.readdirSync(folder).filter((n) => fs.statSync(path.join(folder, n)).isFile()).sort((a, b) => Number(isProjectFileName(b)) - Number(isProjectFileName(a)) || a.localeCompare(b));
  const texts = new Map(names.map((n) => [n, fs.readFileSync(path.join(folder, n), 'utf8')]));
  const settings: AnalysisSettings = { kerasVersion: 'auto', rules: {} };
  const expected: ProjectFixture['expected'] = [];
  for (const [file, text] of texts) {
    const parsed = parseFixture(text, [code]);
    if (parsed.settings.kerasVersion !== 'auto') settings.kerasVersion = parsed.settings.kerasVersion;
    Object.assign(settings.rules, parsed.settings.rules);
    expected.push(...parsed.expected.filter((e) => e.code === code).map((e) => ({ ...e, file })));
  }
  return { texts, settings, expected };
}

/** The project rules' findings over the texts: requirement files as the project's, the other `.py` files as its code. */
export function analyzeTexts(texts: ReadonlyMap<string, string>, settings: AnalysisSettings): ProjectFinding[] {
  const files: ProjectFile[] = [...texts].filter(([name]) => isProjectFileName(name)).map(([name, text]) => ({ name, text }));
  const legacyUses = [...texts].filter(([name]) => name.endsWith('.py') && !isProjectFileName(name)).flatMap(([name, text]) => legacyKerasUses(name, text));
  const resolve = (target: string) => (texts.has(target) ? { name: target, text: texts.get(target)! } : undefined);
  const result = analyzeProject({ files, resolve, legacyUses }, settings);
  assert.deepEqual(result.errors, []);
  return result.findings;
}

const key = (f: { file: string; line: number; code: string; severity?: string }) => `${f.file}:${f.line + 1}: ${f.code}${f.severity ? ':' + f.severity : ''}`;

function checkProjectFixture(folder: string, code: string): void {
  const { texts, settings, expected } = readProjectFixture(folder, code);
  const findings = analyzeTexts(texts, settings).filter((f) => f.code === code);
  const actual = findings.map((f) => ({ file: f.file, line: f.range.start.line, code: f.code, severity: f.severity }));
  const matches = (e: (typeof expected)[number], a: (typeof actual)[number]) => e.file === a.file && e.line === a.line && e.code === a.code && (!e.severity || e.severity === a.severity);
  assert.deepEqual(
    { missing: expected.filter((e) => !actual.some((a) => matches(e, a))).map(key), unexpected: actual.filter((a) => !expected.some((e) => matches(e, a))).map(key) },
    { missing: [], unexpected: [] },
  );
  const count = (all: ProjectFinding[], finding: ProjectFinding) => all.filter((f) => f.code === finding.code && f.severity === finding.severity).length;
  for (const finding of findings) {
    for (const fix of finding.fixes) {
      const before = texts.get(finding.file)!;
      const after = applyEdits(before, fix.edits);
      assert.notEqual(after, before, `fix "${fix.title}" changes nothing`);
      if (finding.file.endsWith('.toml')) assert.doesNotThrow(() => toml.parse(after), `fix "${fix.title}" leaves invalid TOML:\n${after}`);
      const fixed = analyzeTexts(new Map([...texts, [finding.file, after]]), settings);
      assert.ok(count(fixed, finding) < count(findings, finding), `fix "${fix.title}" did not remove the finding:\n${after}`);
    }
  }
  // Fix-all applies the safe fixes of each file; a second round changes nothing.
  const fixAllOnce = (current: Map<string, string>) => {
    const all = analyzeTexts(current, settings);
    return new Map([...current].map(([file, text]) => [file, applyEdits(text, chooseFixes(all.filter((f) => f.file === file), text).edits)]));
  };
  const once = fixAllOnce(texts);
  assert.deepEqual(fixAllOnce(once), once, 'fix-all is not idempotent');
}

/** One test per fixture folder of test/fixtures/CODE/. */
export function describeProjectFixtures(code: string): void {
  describe(`${code} fixtures`, () => {
    before(() => initParser());
    const dir = path.join(fixturesDir, code);
    for (const name of fs.readdirSync(dir).filter((n) => fs.statSync(path.join(dir, n)).isDirectory()).sort()) {
      test(name, () => checkProjectFixture(path.join(dir, name), code));
    }
  });
}
