import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import type { Node } from 'web-tree-sitter';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser, parsePython } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { fixAll } from '../../server/src/engine/fix-all';

/** The repository root, from out/test/helpers. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');

/**
 * Fixture files carry their expectations inline, on the anchor's line:
 *   model.save("m")  # expect: KSM101
 *   layers.LSTM(32),  # expect: KSM301:error
 * Lines without `expect:` must hold no finding of the codes under test. Header lines set up
 * the run:
 *   # ksm-test: kerasVersion=3
 *   # ksm-test: codes=KSM201,KSM202      (default: the fixture directory's name)
 *   # ksm-test: rule.KSM301=off
 */
export interface Expectation {
  line: number;
  code: string;
  severity?: string;
}

export function parseFixture(text: string, defaultCodes: string[]): { settings: AnalysisSettings; codes: Set<string>; expected: Expectation[] } {
  const settings: AnalysisSettings = { kerasVersion: 'auto', rules: {} };
  let codes = new Set(defaultCodes);
  const expected: Expectation[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const header = /#\s*ksm-test:\s*(.*)$/.exec(line);
    if (header) {
      for (const item of header[1]!.trim().split(/\s+/)) {
        const [key, value = ''] = item.split('=');
        if (key === 'kerasVersion') settings.kerasVersion = value as AnalysisSettings['kerasVersion'];
        else if (key === 'codes') codes = new Set(value.split(','));
        else if (key?.startsWith('rule.')) settings.rules[key.slice(5)] = value as AnalysisSettings['rules'][string];
      }
    }
    const expect = /#.*\bexpect:\s*([\w:, ]+)/.exec(line);
    if (expect) {
      for (const item of expect[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
        const [code, severity] = item.split(':');
        expected.push({ line: index, code: code!, ...(severity ? { severity } : {}) });
      }
    }
  });
  return { settings, codes, expected };
}

function describeFinding(f: { line: number; code: string; severity?: string }): string {
  return `line ${f.line + 1}: ${f.code}${f.severity ? ':' + f.severity : ''}`;
}

export function countErrorNodes(text: string): number {
  const tree = parsePython(text);
  try {
    let count = 0;
    const stack: Node[] = [tree.rootNode];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.isError || node.isMissing) count++;
      if (node.hasError) stack.push(...node.children);
    }
    return count;
  } finally {
    tree.delete();
  }
}

/** Checks a fixture's findings against its inline expectations, and every fix of those findings. */
export function checkFixture(file: string, defaultCodes: string[], extraSettings: Partial<AnalysisSettings> = {}): void {
  const text = fs.readFileSync(file, 'utf8');
  const parsed = parseFixture(text, defaultCodes);
  const { codes, expected } = parsed;
  const settings = { ...parsed.settings, ...extraSettings };
  const result = analyzeText(text, settings);
  assert.equal(result.skipped, undefined, `analysis skipped: ${result.skipped}`);
  const actual = result.findings.filter((f) => codes.has(f.code));
  const actualKeys = actual.map((f) => ({ line: f.range.start.line, code: f.code, severity: f.severity }));
  const missing = expected.filter((e) => !actualKeys.some((a) => a.line === e.line && a.code === e.code && (!e.severity || e.severity === a.severity)));
  const unexpected = actualKeys.filter((a) => !expected.some((e) => a.line === e.line && a.code === e.code && (!e.severity || e.severity === a.severity)));
  assert.deepEqual(
    { missing: missing.map(describeFinding), unexpected: unexpected.map(describeFinding) },
    { missing: [], unexpected: [] },
    `${path.relative(repoRoot, file)}: findings differ from expectations`,
  );
  checkFixes(text, settings, actual);
}

/** Every fix: parses cleanly afterwards, and removes its finding. Fix-all is idempotent. */
export function checkFixes(text: string, settings: AnalysisSettings, findings: Finding[]): void {
  const baseErrors = countErrorNodes(text);
  // A fix removes its finding: one fewer of its code at its severity (moving a generator's scaling
  // into the model leaves the generator, which then only batches: information, not a warning).
  const same = (finding: Finding) => (f: Finding) => f.code === finding.code && f.severity === finding.severity;
  for (const finding of findings) {
    const before = analyzeText(text, settings).findings.filter(same(finding)).length;
    // A fix that edits other modules is applied across files by fix-coverage.test.ts.
    for (const fix of finding.fixes.filter((f) => (f.otherFileEdits ?? []).length === 0)) {
      const fixed = applyEdits(text, fix.edits);
      assert.notEqual(fixed, text, `${finding.code} fix "${fix.title}" changes nothing`);
      assert.ok(countErrorNodes(fixed) <= baseErrors, `${finding.code} fix "${fix.title}" leaves a parse error:\n${fixed}`);
      const after = analyzeText(fixed, settings).findings.filter(same(finding)).length;
      assert.ok(after < before, `${finding.code} fix "${fix.title}" did not remove the finding:\n${fixed}`);
    }
  }
  const once = fixAll(text, settings).text;
  assert.ok(countErrorNodes(once) <= baseErrors, `fix-all leaves a parse error:\n${once}`);
  assert.equal(fixAll(once, settings).text, once, 'fix-all is not idempotent');
}

/** Registers one test per fixture file of a rule's fixture directory. */
export function describeFixtures(code: string, extraCodes: string[] = []): void {
  describe(`${code} fixtures`, () => {
    before(() => initParser());
    const dir = path.join(fixturesDir, code);
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.py')).sort()) {
      test(name, () => checkFixture(path.join(dir, name), [code, ...extraCodes]));
    }
  });
}

/** Analyses an inline snippet (after `initParser`). */
export function analyze(text: string, settings: Partial<AnalysisSettings> = {}): Finding[] {
  return analyzeText(text, { kerasVersion: 'auto', rules: {}, ...settings }).findings;
}

/** A custom layer that forwards **kwargs but has no get_config (KSM201), for the cross-file suites. */
export const scaleLayerSource = [
  'import keras',
  '',
  '',
  'class Scale(keras.layers.Layer):',
  '    def __init__(self, factor, **kwargs):',
  '        super().__init__(**kwargs)',
  '        self.factor = factor',
  '',
  '    def call(self, x):',
  '        return x * self.factor',
  '',
].join('\n');
