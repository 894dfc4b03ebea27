import type { Tree } from 'web-tree-sitter';
import { factSteps, type FileFacts } from './analysis/facts';
import { complete, type Steps } from './analysis/steps';
import { isSuppressed, noqaDirectives, noqaEdit } from './analysis/noqa';
import { parsePython } from './analysis/parser';
import { SyntaxTree, type SyntaxNode } from './analysis/syntax';
import { nodeRange } from './analysis/text';
import type { AnalysisSettings, Finding, KerasVersionInfo, Severity } from './analysis/types';
import { detectKerasVersions, type KerasVersions } from './analysis/version';
import { buildReport, versionVerdicts, type ModelReport } from './report';
import { rules } from './rules/index';
import type { Rule } from './rules/rule';

export interface AnalysisResult {
  findings: Finding[];
  models: ModelReport[];
  version: KerasVersionInfo;
  /** Why the file was not analysed (too large, binary, too deeply nested), when it was not. */
  skipped?: string;
  /** The findings that a `# noqa` comment silences, when `keepSuppressed` asked for them. */
  suppressed?: Finding[];
}

export interface AnalysisOptions {
  /**
   * Also judge each model under Keras 2 and under Keras 3 (ModelReport.byVersion): two more
   * runs of the rules over the same facts, so only the readiness report asks for it.
   */
  versionView?: boolean;
  /** Also return the findings that `# noqa` comments silence (AnalysisResult.suppressed), for outputs that list them as suppressed. */
  keepSuppressed?: boolean;
}

/** The result for a text that was not analysed, with the reason. */
export function notAnalysed(reason: string): AnalysisResult {
  return { findings: [], models: [], version: { major: undefined, source: 'not analysed' }, skipped: reason };
}

/** Files larger than this are skipped with a message rather than slowing the editor (`maxFileBytes` setting). */
export const maxFileBytes = 2 * 1024 * 1024;

/** The setting for a rule, by code or by name, in any case (`KSM101`, `ksm101`, `Save-Before-Compile`). */
/** Each rule's configured level by code, for the readiness report. */
export function ruleSettingsOf(settings: AnalysisSettings): (code: string) => Severity | 'off' | undefined {
  return (code) => {
    const rule = rules.find((r) => r.code === code);
    return rule ? ruleSetting(rule, settings) : undefined;
  };
}

export function ruleSetting(rule: Rule, settings: AnalysisSettings): Severity | 'off' | undefined {
  let value = settings.rules[rule.code] ?? settings.rules[rule.name];
  if (value === undefined) {
    for (const [key, setting] of Object.entries(settings.rules)) {
      const lower = key.toLowerCase();
      if (lower === rule.code.toLowerCase() || lower === rule.name) value = setting;
    }
  }
  return value === 'default' ? undefined : value;
}

/**
 * Runs the rules (those of `only`, when given) that the settings leave on over a file's facts:
 * its findings in order, `# noqa` applied, each with the edit that would suppress it (those a
 * `# noqa` silences apart, in `suppressed`). A rule that throws loses only its own findings;
 * the error is returned.
 */
export function runRules(facts: FileFacts, versions: KerasVersions, settings: AnalysisSettings, only?: ReadonlySet<string>): RuleRun {
  return complete(ruleSteps(facts, versions, settings, only));
}

interface RuleRun {
  findings: Finding[];
  suppressed: Finding[];
  errors: string[];
}

/** `runRules` as steps: it pauses after each rule. */
function* ruleSteps(facts: FileFacts, versions: KerasVersions, settings: AnalysisSettings, only?: ReadonlySet<string>): Steps<RuleRun> {
  const directives = noqaDirectives(facts.tree);
  const commentsByLine = new Map<number, SyntaxNode[]>();
  for (const comment of facts.tree.ofType('comment')) {
    const line = comment.startPosition.row;
    commentsByLine.set(line, [...(commentsByLine.get(line) ?? []), comment]);
  }
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  const errors: string[] = [];
  for (const rule of rules) {
    if (only && !only.has(rule.code)) continue;
    const setting = ruleSetting(rule, settings);
    if (setting === 'off') continue;
    try {
      rule.run({
        facts,
        version: versions.file,
        versions,
        report(report) {
          const range = report.range ?? (report.node ? nodeRange(report.node) : undefined);
          if (!range) return;
          const silenced = rule.suppressible !== false && isSuppressed(directives, range.start.line, rule.code, rule.name);
          const noqa = rule.suppressible !== false && !silenced ? noqaEdit(facts.tree, range.start.line, rule.code, commentsByLine.get(range.start.line) ?? []) : undefined;
          (silenced ? suppressed : findings).push({
            code: rule.code,
            name: rule.name,
            severity: setting ?? report.severity,
            message: report.message,
            ...(report.detail ? { detail: report.detail } : {}),
            range,
            related: report.related ?? [],
            fixes: report.fixes ?? [],
            modelIds: (report.models ?? []).map((m) => m.id),
            ...(noqa ? { noqa } : {}),
          });
        },
      });
    } catch (error) {
      errors.push(`${rule.code}: ${failureReason(error)}`);
    }
    yield;
  }
  const inOrder = (a: Finding, b: Finding) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code);
  findings.sort(inOrder);
  suppressed.sort(inOrder);
  return { findings, suppressed, errors };
}

/** Why a text cannot be analysed, or undefined when it can. */
export function unanalysableReason(text: string, limit = maxFileBytes): string | undefined {
  if (text.length > limit) return `file is larger than ${describeSize(limit)}; not analysed`;
  if (text.includes('\u0000')) return 'file holds NUL bytes (binary?); not analysed';
  return undefined;
}

/** The facts of a parsed file and the Keras versions its analysis assumes. May throw on pathological input. */
export function factsOf(text: string, tree: Tree, settings: AnalysisSettings): { facts: FileFacts; versions: KerasVersions } {
  return complete(factsInSteps(text, tree, settings));
}

function* factsInSteps(text: string, tree: Tree, settings: AnalysisSettings): Steps<{ facts: FileFacts; versions: KerasVersions }> {
  const syntax = yield* SyntaxTree.copied(text, tree);
  yield;
  const facts = yield* factSteps(syntax, settings.modules);
  return { facts, versions: detectKerasVersions(facts.root, facts.imports, settings.kerasVersion, settings.projectVersion, settings.envMagics) };
}

/**
 * Analyses one parsed file: synchronous and pure. The tree stays the caller's.
 * Never throws: a failure inside the analysis becomes `skipped`.
 */
export function analyzeTree(text: string, tree: Tree, settings: AnalysisSettings, options: AnalysisOptions = {}): AnalysisResult {
  return complete(analysisSteps(text, tree, settings, options));
}

/**
 * `analyzeTree` in steps (see steps.ts), for a caller that must stay responsive (the language
 * server): it pauses while the tree is copied, while the facts are built, and after each rule;
 * a caller that stops early simply drops it. The tree is read until its copy is made (the first
 * steps): a caller that edits the tree must not resume the steps afterwards.
 */
export function* analysisSteps(text: string, tree: Tree, settings: AnalysisSettings, options: AnalysisOptions = {}): Steps<AnalysisResult> {
  const reason = unanalysableReason(text, settings.maxFileBytes);
  if (reason) return notAnalysed(reason);
  let facts: FileFacts;
  let versions: KerasVersions;
  try {
    ({ facts, versions } = yield* factsInSteps(text, tree, settings));
  } catch (error) {
    return notAnalysed(failureReason(error));
  }
  yield;
  const { findings, suppressed, errors } = yield* ruleSteps(facts, versions, settings);
  const settingOf = ruleSettingsOf(settings);
  const models = buildReport(facts, findings, settingOf);
  if (options.versionView) {
    function* under(kerasVersion: '2' | '3') {
      const forced = { ...settings, kerasVersion };
      const run = yield* ruleSteps(facts, detectKerasVersions(facts.root, facts.imports, kerasVersion, settings.projectVersion, settings.envMagics), forced);
      return versionVerdicts(buildReport(facts, run.findings, settingOf));
    }
    const keras2 = yield* under('2');
    const keras3 = yield* under('3');
    for (const model of models) model.byVersion = { keras2: keras2.get(model.id)!, keras3: keras3.get(model.id)! };
  }
  const result: AnalysisResult = { findings, models, version: versions.file };
  if (errors.length > 0) result.skipped = `some rules failed: ${errors.join('; ')}`;
  if (options.keepSuppressed) result.suppressed = suppressed;
  return result;
}

/** Parses and analyses a text, freeing the tree afterwards. */
export function analyzeText(text: string, settings: AnalysisSettings, options: AnalysisOptions = {}): AnalysisResult {
  const reason = unanalysableReason(text, settings.maxFileBytes);
  if (reason) return notAnalysed(reason);
  const tree = parsePython(text);
  try {
    return analyzeTree(text, tree, settings, options);
  } finally {
    tree.delete();
  }
}

function failureReason(error: unknown): string {
  if (error instanceof RangeError) return 'file is nested too deeply to analyse';
  return `internal error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A size limit for people: "2 MiB", "512 KiB", "100 bytes". */
export function describeSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const mib = bytes / 1024 / 1024;
  return mib >= 1 ? `${Number(mib.toFixed(2))} MiB` : `${Number((bytes / 1024).toFixed(1))} KiB`;
}
