import type { FileFacts } from './analysis/facts';
import { nodeRange } from './analysis/text';
import type { Finding, Range, Severity } from './analysis/types';
import { rules } from './rules';
import type { CheckId } from './rules/rule';

/** The readiness report: per model, each check passed or failed, and a verdict. */

export interface CheckResult {
  id: CheckId;
  title: string;
  /** `off` when every rule of the check is turned off in the settings. */
  status: 'pass' | 'fail' | 'off';
  codes: string[];
  problems: Array<{ code: string; severity: Severity; message: string; range: Range }>;
}

export interface ModelReport {
  id: number;
  name: string;
  kind: string;
  definition: Range;
  saves: Array<{ method: string; range: Range }>;
  checks: CheckResult[];
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
};

export function buildReport(facts: FileFacts, findings: Finding[], isOff: (code: string) => boolean): ModelReport[] {
  const checkIds = Object.keys(checkTitles) as CheckId[];
  return facts.models.map((model) => {
    const mine = findings.filter((f) => f.modelIds.includes(model.id));
    const checks = checkIds.map((id): CheckResult => {
      const codes = rules.filter((r) => r.check === id).map((r) => r.code);
      const problems = mine
        .filter((f) => codes.includes(f.code))
        .map((f) => ({ code: f.code, severity: f.severity, message: f.message, range: f.range }));
      const allOff = codes.length > 0 && codes.every(isOff);
      return { id, title: checkTitles[id], codes, status: allOff ? 'off' : problems.length > 0 ? 'fail' : 'pass', problems };
    }).filter((c) => c.codes.length > 0);
    const blocking = mine.filter((f) => f.severity === 'error').length;
    const saves = model.events
      .filter((e) => e.kind === 'save' || e.kind === 'export')
      .map((e) => ({ method: e.method, range: nodeRange(e.call) }));
    return {
      id: model.id,
      name: model.name,
      kind: model.kind,
      definition: nodeRange(model.definition),
      saves,
      checks,
      verdict: blocking > 0 ? 'not-ready' : 'ready',
      blocking,
    };
  });
}
