/**
 * The custom requests the language server answers, shared with the VS Code client and
 * documented for other LSP clients in the README.
 */
import type { KerasVersionInfo, Range, Severity } from './analysis/types';
import type { ModelReport } from './report';

export type { ModelReport, CheckResult } from './report';
export type { KerasVersionInfo, Range, Severity } from './analysis/types';

/** `kerasSavedModel/readinessReport`: the report for one document (open or on disk). */
export const readinessReportMethod = 'kerasSavedModel/readinessReport';
export interface ReadinessReportParams {
  uri: string;
}

/** `kerasSavedModel/workspaceReadinessReport`: every Python file of the workspace, with progress. */
export const workspaceReadinessReportMethod = 'kerasSavedModel/workspaceReadinessReport';
export interface WorkspaceReadinessReportParams {
  /** LSP work-done progress token; the server reports per-file progress through it. */
  workDoneToken?: string | number;
}

export interface FileReadiness {
  uri: string;
  kerasVersion: KerasVersionInfo;
  models: ModelReport[];
  /** Every finding of the file, including those tied to no model (a custom layer, a generator). */
  findings: Array<{ code: string; name: string; severity: Severity; message: string; range: Range }>;
  /** Set when the file was not analysed, with the reason. */
  skipped?: string;
}

/** The settings section read per resource through `workspace/configuration`. */
export const settingsSection = 'kerasSavedModel';

/** The code-action kind that applies every safe fix (`editor.codeActionsOnSave`). */
export const fixAllKind = 'source.fixAll.kerasSavedModel';

/** The `source` of every diagnostic. */
export const diagnosticSource = 'keras-savedmodel-lint';
