/**
 * The project part of the readiness report: one "Dependencies" check per project, from the
 * findings on its requirement files (KSM602, KSM603), which belong to no model and are listed
 * once for the project rather than under each model.
 */
import type { Finding } from './analysis/types';
import type { CheckResult, Problem, RuleSettingOf } from './report';
import { rules } from './rules/index';
import { isProjectRule } from './rules/rule';

export interface ProjectReadiness {
  /** The project's directory, as the adapter shows it. */
  project: string;
  check: CheckResult;
}

/** The project's check; each problem names the requirement file it is in as `uri`. */
export function projectReadiness(project: string, findings: ReadonlyArray<Finding & { file: string }>, setting: RuleSettingOf): ProjectReadiness {
  const codes = rules.filter(isProjectRule).map((r) => r.code);
  const problems: Problem[] = findings
    .filter((f) => codes.includes(f.code))
    .map((f) => ({ code: f.code, severity: f.severity, message: f.message, range: f.range, uri: f.file }));
  const allOff = codes.every((code) => setting(code) === 'off');
  return {
    project,
    check: { id: 'dependencies', title: 'Requirements install together, with what the code imports', codes, status: allOff ? 'off' : problems.length > 0 ? 'fail' : 'pass', problems },
  };
}
