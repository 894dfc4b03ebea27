/**
 * The custom requests the language server answers, shared with the VS Code client and
 * documented for other LSP clients in the README.
 */
import type { KerasVersionInfo, Range, Severity } from './engine/analysis/types';
import type { CheckResult, ModelReport } from './engine/report';

export type { ModelReport, CheckResult, ProblemFix } from './engine/report';
export type { KerasVersionInfo, Range, Severity } from './engine/analysis/types';

/** `kerasSavedModel/readinessReport`: the report for one document (open or on disk). */
export const readinessReportMethod = 'kerasSavedModel/readinessReport';
export interface ReadinessReportParams {
  /** A Python file, a notebook, or a cell of an open notebook (which gives the notebook's report). */
  uri: string;
}

/** `kerasSavedModel/workspaceReadinessReport`: every Python file of the workspace, with progress. */
export const workspaceReadinessReportMethod = 'kerasSavedModel/workspaceReadinessReport';
export interface WorkspaceReadinessReportParams {
  /** LSP work-done progress token; the server reports per-file progress through it. */
  workDoneToken?: string | number;
}

/**
 * `kerasSavedModel/dependenciesReport`: the "Dependencies" check of each project (a directory of
 * requirement files, which are one environment), once per project: the project of the document
 * when `uri` is given (none when no directory at or above it, within its workspace folder, holds
 * requirement files), else every project of the workspace folders.
 */
export const dependenciesReportMethod = 'kerasSavedModel/dependenciesReport';
export interface DependenciesReportParams {
  uri?: string;
}

/** A project's check; each problem's `uri` is the requirement file it is on. */
export interface ProjectReadiness {
  /** The project's directory, relative to its workspace folder (`.` for the folder itself). */
  project: string;
  /** The project directory's URI. */
  uri: string;
  check: CheckResult;
}

/**
 * Where a range of a notebook's report lies; the range is relative to that cell. Absent for a
 * Python file, whose ranges are relative to the file.
 */
export interface CellLocation {
  /** The cell's document when the notebook is open in the editor; the notebook's URI otherwise. */
  uri?: string;
  /** The cell's 1-based index among all cells of the notebook (markdown cells included). */
  cell?: number;
}

export type ProblemReadiness = CheckResult['problems'][number] & CellLocation;

/** A model of the readiness report; in a notebook, each range also says its cell. */
export interface ModelReadiness extends Omit<ModelReport, 'saves' | 'checks'> {
  /** The cell of `definition`, in a notebook (see CellLocation). */
  definitionUri?: string;
  definitionCell?: number;
  saves: Array<ModelReport['saves'][number] & CellLocation>;
  checks: Array<Omit<CheckResult, 'problems'> & { problems: ProblemReadiness[] }>;
}

export interface FileReadiness {
  /** The file's URI; for a notebook, the notebook's (also when a cell's URI was asked for). */
  uri: string;
  kerasVersion: KerasVersionInfo;
  models: ModelReadiness[];
  /** Every finding of the file, including those tied to no model (a custom layer, a generator). */
  findings: Array<{ code: string; name: string; severity: Severity; message: string; range: Range } & CellLocation>;
  /** Set when the file was not analysed, with the reason. */
  skipped?: string;
}

/**
 * `workspace/executeCommand` commands, for clients without code-action or custom-request UIs:
 * fix all (argument: a document URI; answers a FixAllResult after `workspace/applyEdit`), and
 * the two readiness reports (the document's URI; nothing), answering as the requests above.
 */
export const serverCommands = {
  fixAll: 'kerasSavedModel.applyFixAll',
  readinessReport: 'kerasSavedModel.readinessReport',
  workspaceReadinessReport: 'kerasSavedModel.workspaceReadinessReport',
} as const;

export interface FixAllResult {
  /** How many edits the safe fixes made. */
  fixes: number;
  /** Whether the client applied them. */
  applied: boolean;
}

/** The settings section read per resource through `workspace/configuration`. */
export const settingsSection = 'kerasSavedModel';

/** The code-action kind that applies every safe fix (`editor.codeActionsOnSave`); in a notebook, those of one cell. */
export const fixAllKind = 'source.fixAll.kerasSavedModel';

/** The code-action kind that applies every safe fix of a whole notebook (`notebook.codeActionsOnSave`). */
export const notebookFixAllKind = 'notebook.source.fixAll.kerasSavedModel';

/** The `source` of every diagnostic. */
export const diagnosticSource = 'keras-savedmodel-lint';
