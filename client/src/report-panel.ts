import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FileReadiness, Range } from '../../server/src/protocol';
import { renderReportPage, type ReportMessage, type ReportPage } from './report-html';

const viewType = 'kerasSavedModel.readinessReport';

/**
 * One webview panel per kind of report (the active file's, the workspace's). Showing a report
 * again replaces the content of the same panel instead of opening another.
 */
export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The files of the report on display: the only ones its links may open. */
  private shownUris = new Set<string>();
  /** Where links open: the column of the editor the report was asked from. */
  private sourceColumn = vscode.ViewColumn.One;

  constructor(
    private readonly kind: ReportPage['kind'],
    private readonly extensionUri: vscode.Uri,
  ) {}

  show(files: FileReadiness[], sourceColumn: vscode.ViewColumn | undefined): void {
    this.sourceColumn = sourceColumn ?? vscode.ViewColumn.One;
    const title = this.kind === 'workspace' || files.length !== 1
      ? 'SavedModel Readiness: Workspace'
      : `SavedModel Readiness: ${labelOf(files[0]!.uri, false)}`;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        enableFindWidget: true,
        localResourceRoots: [],
      });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message));
    } else {
      this.panel.title = title;
      this.panel.reveal(undefined, true);
    }
    this.shownUris = new Set(files.map((f) => f.uri));
    this.panel.webview.html = renderReportPage({
      kind: this.kind,
      files: files.map((readiness) => ({ label: labelOf(readiness.uri, true), readiness })),
      nonce: randomBytes(16).toString('base64'),
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private onMessage(message: unknown): void {
    if (!isReportMessage(message)) return;
    if (message.command === 'reveal') {
      if (this.shownUris.has(message.location.uri)) void this.reveal(message.location.uri, message.location.range);
    } else if (/^KSM\d{3}$/.test(message.code)) {
      const page = vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules', `${message.code}.md`);
      void vscode.commands.executeCommand('markdown.showPreview', page);
    }
  }

  private async reveal(uri: string, range: Range): Promise<void> {
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    // Opening in the report's own column would hide the report; use the source editor's column.
    const viewColumn = this.panel?.viewColumn === this.sourceColumn ? vscode.ViewColumn.Beside : this.sourceColumn;
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      await vscode.window.showTextDocument(document, { viewColumn, selection, preserveFocus: false });
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not open ${labelOf(uri, true)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** A file's name for people: relative to the workspace, or only its base name. */
function labelOf(uri: string, relative: boolean): string {
  const parsed = vscode.Uri.parse(uri);
  if (relative) return vscode.workspace.asRelativePath(parsed, false);
  return parsed.path.slice(parsed.path.lastIndexOf('/') + 1);
}

function isReportMessage(value: unknown): value is ReportMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.command === 'openRuleDocs') return typeof message.code === 'string';
  if (message.command !== 'reveal' || typeof message.location !== 'object' || message.location === null) return false;
  const location = message.location as Record<string, unknown>;
  return typeof location.uri === 'string' && isRange(location.range);
}

function isRange(value: unknown): value is Range {
  const range = value as Range | undefined;
  return [range?.start?.line, range?.start?.character, range?.end?.line, range?.end?.character]
    .every((n) => Number.isInteger(n) && (n as number) >= 0);
}
