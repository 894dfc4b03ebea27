import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import {
  DocumentDiagnosticReportKind,
  type CancellationToken,
  type Diagnostic,
  type WorkspaceDiagnosticParams,
  type WorkspaceDiagnosticReport,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import type { DocumentState } from './analyses';
import { toDiagnostics } from './diagnostics';
import type { ReportRequests } from './report-requests';
import { stopIfCancelled } from './report-requests';
import type { Session } from './session';
import type { ServerSettings } from './settings';

/**
 * `workspace/diagnostic` (LSP 3.17): the findings of every Python file of the workspace, open or
 * not, for clients that ask for it with the `workspaceDiagnostics` initialization option (VS Code's
 * client asks again two seconds after each answer, so it is not announced unasked). A file's
 * result id is a hash of its text and of the settings generation, so a file that has not changed
 * is answered `unchanged` without being analysed again. Notebooks are left out: their cells have
 * no URIs while the notebook is closed.
 */
export class WorkspaceDiagnostics {
  /** By URI: the result id of the last full report sent. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly session: Session, private readonly reports: ReportRequests) {}

  async report(params: WorkspaceDiagnosticParams, token: CancellationToken): Promise<WorkspaceDiagnosticReport> {
    const previous = new Map(params.previousResultIds.map((p) => [p.uri, p.value]));
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    for (const entry of await this.reports.workspaceFiles()) {
      stopIfCancelled(token, 'workspace diagnostics');
      if (entry.file.endsWith('.ipynb')) continue;
      const version = entry.state?.open.version ?? null;
      const content = entry.state ? entry.state.open.text : readBytes(entry.file);
      if (content === undefined || !entry.settings.enable) continue;
      const resultId = createHash('sha1').update(`${this.session.inputs}\0`).update(content).digest('hex');
      if (previous.get(entry.uri) === resultId && this.sent.get(entry.uri) === resultId) {
        items.push({ kind: DocumentDiagnosticReportKind.Unchanged, uri: entry.uri, version, resultId });
        continue;
      }
      const diagnostics = await this.diagnosticsOf(entry.uri, entry.state, entry.settings, version);
      this.sent.set(entry.uri, resultId);
      items.push({ kind: DocumentDiagnosticReportKind.Full, uri: entry.uri, version, resultId, items: diagnostics });
      // Lets a $/cancelRequest (or an edit) through between files.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { items };
  }

  private async diagnosticsOf(uri: string, state: DocumentState | undefined, settings: ServerSettings, version: number | null): Promise<Diagnostic[]> {
    if (state) return (await this.session.analyses.current(state))?.diagnostics ?? [];
    const analysed = await this.reports.diskAnalysis(uri, settings, {});
    return 'skipped' in analysed ? [] : toDiagnostics(analysed.result.findings, uri, version ?? 0);
  }
}

function readBytes(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}
