import { importedClassesUsedBy } from './analysis/custom-classes';
import type { FileFacts, ModelFact } from './analysis/facts';
import { nodeRange } from './analysis/text';
import type { Applicability, Finding, Fix, Range, Severity } from './analysis/types';
import { rules } from './rules/index';
import type { CheckId } from './rules/rule';

/** The readiness report: per model, each check passed or failed, and a verdict. */

export interface CheckResult {
  id: CheckId;
  title: string;
  /** `off` when every rule of the check is turned off in the settings. */
  status: 'pass' | 'fail' | 'off';
  codes: string[];
  problems: Problem[];
}

export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  /** The other module the problem is in (a custom layer imported from it); absent for this file. */
  uri?: string;
  /** The fix an editor offers first, when the finding has one. */
  fix?: ProblemFix;
}

/** A problem's fix as the report shows it: what it does, and where it lands when that is another module. */
export interface ProblemFix {
  title: string;
  applicability: Applicability;
  /** The other modules the fix edits (the one that defines a class), each at its first edit; absent when it edits only this file. */
  otherFiles?: Array<{ uri: string; range: Range }>;
}

/** The fix shown where only one fits: the preferred one, else the first. */
export function primaryFix(finding: Finding): Fix | undefined {
  return finding.fixes.find((f) => f.preferred) ?? finding.fixes[0];
}

function problemFix(finding: Finding): ProblemFix | undefined {
  const fix = primaryFix(finding);
  if (!fix) return undefined;
  const otherFiles = (fix.otherFileEdits ?? []).flatMap((o) => (o.edits[0] ? [{ uri: o.file, range: o.edits[0].range }] : []));
  return { title: fix.title, applicability: fix.applicability, ...(otherFiles.length > 0 ? { otherFiles } : {}) };
}

export interface ModelReport {
  id: number;
  name: string;
  kind: string;
  definition: Range;
  saves: Array<{ method: string; range: Range }>;
  checks: CheckResult[];
  /**
   * Whether the model saves and reloads under Keras 2 and under Keras 3 (the installed `keras`
   * package, which TensorFlow 2.16 and later make Keras 3): the same rules over the same facts,
   * once per version. Present when asked for (see AnalysisOptions.versionView).
   */
  byVersion?: { keras2: VersionVerdict; keras3: VersionVerdict };
  /** Ready when no error-level finding applies to the model. */
  verdict: 'ready' | 'not-ready';
  blocking: number;
}

const checkTitles: Record<CheckId, string> = {
  compile: 'Compiled before saving',
  'custom-objects': 'Custom layers can be serialized and reloaded',
  'input-shape': 'Input shape declared, so the model is built',
  'data-pipeline': 'Preprocessing lives inside the model',
  'save-api': 'Save call valid for the Keras version',
  dependencies: 'One Keras implementation, importable modules',
};

/** A rule's setting for the analysed file: a severity, `off`, or undefined for its own level. */
export type RuleSettingOf = (code: string) => Severity | 'off' | undefined;

export function buildReport(facts: FileFacts, findings: Finding[], setting: RuleSettingOf): ModelReport[] {
  const checkIds = Object.keys(checkTitles) as CheckId[];
  return facts.models.map((model) => {
    const mine: Problem[] = findings
      .filter((f) => f.modelIds.includes(model.id))
      .map((f): Problem => {
        const fix = problemFix(f);
        return { code: f.code, severity: f.severity, message: f.message, range: f.range, ...(fix ? { fix } : {}) };
      });
    mine.push(...importedProblems(facts, model, setting));
    const checks = checkIds.map((id): CheckResult => {
      const codes = rules.filter((r) => r.check === id).map((r) => r.code);
      const problems = mine.filter((f) => codes.includes(f.code));
      const allOff = codes.length > 0 && codes.every((code) => setting(code) === 'off');
      return { id, title: checkTitles[id], codes, status: allOff ? 'off' : problems.length > 0 ? 'fail' : 'pass', problems };
    }).filter((c) => c.codes.length > 0);
    const blocking = mine.filter((f) => f.severity === 'error').length;
    const saves = model.events
      .filter((e) => e.kind === 'save' || e.kind === 'export')
      .map((e) => ({ method: e.method, range: nodeRange(e.call) }));
    return {
      id: model.id,
      // As messages name it, without their code quotes: `model`, or the model returned by `build()`.
      name: model.label.replace(/`/g, ''),
      kind: model.kind,
      definition: nodeRange(model.definition),
      saves,
      checks,
      verdict: blocking > 0 ? 'not-ready' : 'ready',
      blocking,
    };
  });
}

/** A model's verdict under one Keras version, with the error-level problems that decide it. */
export interface VersionVerdict {
  verdict: 'ready' | 'not-ready';
  blocking: Problem[];
}

/** The verdict of each model of a report, by model id. */
export function versionVerdicts(models: readonly ModelReport[]): Map<number, VersionVerdict> {
  return new Map(models.map((m) => [m.id, {
    verdict: m.verdict,
    blocking: m.checks.flatMap((c) => c.problems).filter((p) => p.severity === 'error'),
  }]));
}

/**
 * What the rules found, in their own module, on the classes a model imports from there (a
 * layer without `get_config` in layers.py), under this file's rule settings, so the model's
 * custom-objects check reflects the classes' real definitions.
 */
function importedProblems(facts: FileFacts, model: ModelFact, setting: RuleSettingOf): Problem[] {
  const problems: Problem[] = [];
  for (const use of importedClassesUsedBy(facts, model).values()) {
    for (const problem of use.cls.problems) {
      const level = setting(problem.code);
      if (level === 'off') continue;
      problems.push({ ...problem, severity: level ?? problem.severity, ...(use.uri !== undefined ? { uri: use.uri } : {}) });
    }
  }
  return problems;
}
