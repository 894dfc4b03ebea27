/** What the status bar and the report views say about a readiness report. Pure: no VS Code API. */
import type { CellLocation, FileReadiness, KerasVersionInfo, ModelReadiness, Range } from '../../server/src/protocol';

type Problem = ModelReadiness['checks'][number]['problems'][number];
export type Finding = FileReadiness['findings'][number];

/** Identifies a problem across the report's lists; in a notebook, ranges are relative to their cell. */
function problemKey(problem: { code: string; range: Range } & CellLocation): string {
  const { start } = problem.range;
  return `${problem.code}@${problem.cell ?? ''}:${start.line}:${start.character}`;
}

/**
 * The error-level problems that block saving a model of the file, each counted once even when
 * it blocks several models (a custom layer used by two models).
 */
export function blockingProblems(file: FileReadiness): Problem[] {
  const byKey = new Map<string, Problem>();
  for (const model of file.models) {
    for (const check of model.checks) {
      for (const problem of check.problems) {
        if (problem.severity === 'error') byKey.set(problemKey(problem), problem);
      }
    }
  }
  return [...byKey.values()];
}

/** The findings that belong to no model's checks: a custom layer no model uses, a generator... */
export function findingsOutsideModels(file: FileReadiness): Finding[] {
  const inModels = new Set<string>();
  for (const model of file.models) {
    for (const check of model.checks) for (const problem of check.problems) inModels.add(problemKey(problem));
  }
  return file.findings.filter((finding) => !inModels.has(problemKey(finding)));
}

/** "Keras 3, from `keras.ops` (line 4)", or why the version is not known. */
export function kerasVersionLabel(version: KerasVersionInfo): string {
  return version.major === undefined ? `Keras version unknown: ${version.source}` : `Keras ${version.major}, from ${version.source}`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "ready", or "2 blocking problems". */
export function modelVerdictLabel(model: ModelReadiness): string {
  return model.verdict === 'ready' ? 'ready' : plural(model.blocking, 'blocking problem');
}
