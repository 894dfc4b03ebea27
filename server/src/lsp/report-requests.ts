import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import { NotebookProgram } from '../engine/analysis/notebook';
import { parsePython } from '../engine/analysis/parser';
import { analysisSteps, notAnalysed, unanalysableReason, type AnalysisOptions, type AnalysisResult } from '../engine/engine';
import type { FileReadiness, ReadinessReportParams, WorkspaceReadinessReportParams } from '../protocol';
import { cellLocator, fileReadiness } from '../readiness';
import { findPythonFiles, readPythonFile, type ReadResult } from '../workspace/files';
import { isNotebookPath, notebookAnalysisSteps, readNotebookFile, type NotebookRead } from '../workspace/notebook-files';
import type { Analysis, DocumentState } from './analyses';
import type { Session } from './session';
import type { ServerSettings } from './settings';
import { runInSlices } from './slices';

/** The readiness report judges each model under Keras 2 and Keras 3 too. */
const reportOptions: AnalysisOptions = { versionView: true };

/** The readiness reports: of one document (open or on disk), and of the whole workspace. */
export class ReportRequests {
  constructor(private readonly session: Session) {}

  /** The readiness report of one document: its current analysis when open, else its text on disk. */
  async documentReport(params: ReadinessReportParams | undefined): Promise<FileReadiness> {
    if (typeof params?.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'expected { uri: string }');
    const state = this.session.stateOf(params.uri);
    const analysis = state ? await this.session.analyses.current(state) : undefined;
    if (state && analysis) return await this.readinessOf(state, analysis);
    return this.diskReadiness(params.uri, await this.session.settingsFor(params.uri));
  }

  /** The readiness report of every Python file of the workspace, with progress, cancellable between files. */
  async workspaceReport(params: WorkspaceReadinessReportParams | undefined, token: CancellationToken): Promise<FileReadiness[]> {
    const progress = this.session.connection.window.attachWorkDoneProgress(params?.workDoneToken);
    progress.begin('Checking SavedModel readiness', 0, 'Finding Python files', true);
    try {
      const files = await this.workspaceFiles();
      const reports: FileReadiness[] = [];
      for (const [n, entry] of files.entries()) {
        stopIfCancelled(token, 'workspace readiness report');
        progress.report((n / files.length) * 100, entry.label);
        const analysis = entry.state ? await this.session.analyses.current(entry.state) : undefined;
        reports.push(entry.state && analysis ? await this.readinessOf(entry.state, analysis) : await this.diskReadiness(entry.uri, entry.settings));
        // Lets a $/cancelRequest (or an edit) through between files.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return reports;
    } finally {
      progress.done();
    }
  }

  /**
   * Every Python file and notebook of the workspace folders that the `exclude` setting keeps,
   * in path order, each with its settings and, when the editor has it open, its document.
   */
  async workspaceFiles(): Promise<WorkspaceFile[]> {
    const { session } = this;
    // A folder deleted since it was opened has nothing to report; nested folders list a file twice.
    const roots = session.folders.filter((folder) => fs.existsSync(folder));
    const found = [...new Set(await findPythonFiles(roots))].sort();
    // Open documents are reported with the editor's text, found by path since clients spell URIs differently.
    const openByPath = new Map<string, DocumentState>();
    for (const state of session.documents.values()) {
      if (state.open.uri.startsWith('file:')) openByPath.set(fileURLToPath(state.open.uri), state);
    }
    const uris = found.map((file) => openByPath.get(file)?.open.uri ?? pathToFileURL(file).href);
    const settings = await session.settings.getMany(uris);
    return found
      .map((file, i) => {
        const root = roots.find((r) => file.startsWith(r + path.sep));
        return { file, uri: uris[i]!, settings: settings[i]!, state: openByPath.get(file), label: root ? path.relative(root, file) : file };
      })
      .filter((entry) => !session.isExcluded(entry.uri, entry.settings));
  }

  /**
   * The readiness report of an open document at its current analysis. The report also judges
   * each model under Keras 2 and Keras 3, which the diagnostics do not need, so it is analysed
   * again for it, on the same tree.
   */
  private async readinessOf(state: DocumentState, analysis: Analysis): Promise<FileReadiness> {
    const fileSettings = this.session.engineSettings(state.open.uri, analysis.settings);
    // The tree is copied in steps, so a text that changes meanwhile is analysed again.
    for (;;) {
      const { version } = state.open;
      const result = await this.session.analyses.analyseOpenText(state, fileSettings, reportOptions, () => state.open.version !== version);
      if (result) return state.notebook ? state.notebook.readiness(result) : fileReadiness(state.open.uri, result);
    }
  }

  /**
   * The report for a file that is not open: read from disk, under that file's settings. A
   * notebook's locations name its cells, with the notebook's URI (its cells have none while it is closed).
   */
  private async diskReadiness(uri: string, current: ServerSettings): Promise<FileReadiness> {
    const analysed = await this.diskAnalysis(uri, current, reportOptions);
    if ('skipped' in analysed) return fileReadiness(uri, notAnalysed(analysed.skipped));
    const { result, program } = analysed;
    return program ? fileReadiness(uri, result, cellLocator(program, () => uri)) : fileReadiness(uri, result);
  }

  /** The analysis of a file as it is on disk, in slices, or why it was not analysed. */
  async diskAnalysis(uri: string, current: ServerSettings, options: AnalysisOptions): Promise<{ result: AnalysisResult; program?: NotebookProgram } | { skipped: string }> {
    if (!uri.startsWith('file:')) return { skipped: 'not a file on disk and not open; not analysed' };
    const file = fileURLToPath(uri);
    const fileSettings = this.session.engineSettings(uri, current);
    let source: ReadResult | NotebookRead;
    try {
      source = isNotebookPath(file) ? readNotebookFile(file) : readPythonFile(file, fileSettings.maxFileBytes);
    } catch (error) {
      source = { skipped: `could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
    }
    if ('skipped' in source) return source;
    const program = 'text' in source ? undefined : new NotebookProgram(source.notebook.cells);
    const text = program?.text ?? (source as { text: string }).text;
    const unanalysable = unanalysableReason(text, fileSettings.maxFileBytes);
    if (unanalysable) return { skipped: unanalysable };
    const tree = parsePython(text);
    try {
      const steps = program ? notebookAnalysisSteps(program, fileSettings, tree, options) : analysisSteps(text, tree, fileSettings, options);
      const result = (await runInSlices(steps, () => false))!;
      return program ? { result, program } : { result };
    } finally {
      tree.delete();
    }
  }
}

/** A file of the workspace, as `workspaceFiles` lists it. */
export interface WorkspaceFile {
  file: string;
  uri: string;
  settings: ServerSettings;
  /** The open document, when the editor has the file open. */
  state?: DocumentState;
  /** Its path relative to its workspace folder, for progress messages. */
  label: string;
}

export function stopIfCancelled(token: CancellationToken, what: string): void {
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${what} cancelled`);
}
