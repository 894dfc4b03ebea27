import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import { NotebookProgram } from '../engine/analysis/notebook';
import { parsePython } from '../engine/analysis/parser';
import { analysisSteps, notAnalysed, unanalysableReason, type AnalysisOptions } from '../engine/engine';
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
    const { session } = this;
    const progress = session.connection.window.attachWorkDoneProgress(params?.workDoneToken);
    const stopIfCancelled = () => {
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'workspace readiness report cancelled');
    };
    progress.begin('Checking SavedModel readiness', 0, 'Finding Python files', true);
    try {
      // A folder deleted since it was opened has nothing to report; nested folders list a file twice.
      const roots = session.folders.filter((folder) => fs.existsSync(folder));
      const found = [...new Set(await findPythonFiles(roots))].sort();
      // Open documents are reported with the editor's text, found by path since clients spell URIs differently.
      const openByPath = new Map<string, DocumentState>();
      for (const state of session.documents.values()) {
        if (state.open.uri.startsWith('file:')) openByPath.set(fileURLToPath(state.open.uri), state);
      }
      const foundUris = found.map((file) => openByPath.get(file)?.open.uri ?? pathToFileURL(file).href);
      const foundSettings = await session.settings.getMany(foundUris);
      // Files the `exclude` setting matches are left out of the report.
      const kept = found.map((_, i) => i).filter((i) => !session.isExcluded(foundUris[i]!, foundSettings[i]!));
      const reports: FileReadiness[] = [];
      for (const [n, i] of kept.entries()) {
        stopIfCancelled();
        const file = found[i]!;
        const root = roots.find((r) => file.startsWith(r + path.sep));
        progress.report((n / kept.length) * 100, root ? path.relative(root, file) : file);
        const state = openByPath.get(file);
        const analysis = state ? await session.analyses.current(state) : undefined;
        reports.push(state && analysis ? await this.readinessOf(state, analysis) : await this.diskReadiness(foundUris[i]!, foundSettings[i]!));
        // Lets a $/cancelRequest (or an edit) through between files.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return reports;
    } finally {
      progress.done();
    }
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
    if (!uri.startsWith('file:')) return fileReadiness(uri, notAnalysed('not a file on disk and not open; not analysed'));
    const file = fileURLToPath(uri);
    const fileSettings = this.session.engineSettings(uri, current);
    let source: ReadResult | NotebookRead;
    try {
      source = isNotebookPath(file) ? readNotebookFile(file) : readPythonFile(file, fileSettings.maxFileBytes);
    } catch (error) {
      source = { skipped: `could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
    }
    if ('skipped' in source) return fileReadiness(uri, notAnalysed(source.skipped));
    const program = 'text' in source ? undefined : new NotebookProgram(source.notebook.cells);
    const text = program?.text ?? (source as { text: string }).text;
    const unanalysable = unanalysableReason(text, fileSettings.maxFileBytes);
    if (unanalysable) return fileReadiness(uri, notAnalysed(unanalysable));
    const tree = parsePython(text);
    try {
      const steps = program ? notebookAnalysisSteps(program, fileSettings, tree, reportOptions) : analysisSteps(text, tree, fileSettings, reportOptions);
      const result = (await runInSlices(steps, () => false))!;
      return program ? fileReadiness(uri, result, cellLocator(program, () => uri)) : fileReadiness(uri, result);
    } finally {
      tree.delete();
    }
  }
}
