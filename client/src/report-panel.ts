import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FileReadiness, ProjectReadiness, Range } from '../../server/src/protocol';
import { renderReportPage, type ReportLocation, type ReportMessage, type ReportPage } from './report-html';

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

  show(files: FileReadiness[], sourceColumn: vscode.ViewColumn | undefined, projects: ProjectReadiness[] = []): void {
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
    // A notebook's locations may name its cells' own documents.
    const locations = files.flatMap((f) => [...f.findings, ...f.models.flatMap((m) => [{ uri: m.definitionUri }, ...m.saves])]);
    const requirementFiles = projects.flatMap((p) => p.check.problems.flatMap((problem) => problem.uri ?? []));
    this.shownUris = new Set([...files.map((f) => f.uri), ...locations.flatMap((l) => l.uri ?? []), ...requirementFiles]);
    this.panel.webview.html = renderReportPage({
      kind: this.kind,
      files: files.map((readiness) => ({ label: labelOf(readiness.uri, true), readiness })),
      projects,
      nonce: randomBytes(16).toString('base64'),
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private onMessage(message: unknown): void {
    if (!isReportMessage(message)) return;
    if (message.command === 'reveal') {
      if (this.shownUris.has(message.location.uri)) void this.reveal(message.location);
    } else if (/^KSM\d{3}$/.test(message.code)) {
      const page = vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules', `${message.code}.md`);
      void vscode.commands.executeCommand('markdown.showPreview', page);
    }
  }

  private async reveal({ uri, range, cell }: ReportLocation): Promise<void> {
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    // Opening in the report's own column would hide the report; use the source editor's column.
    const viewColumn = this.panel?.viewColumn === this.sourceColumn ? vscode.ViewColumn.Beside : this.sourceColumn;
    try {
      const notebookCell = await findNotebookCell(uri, cell);
      if (notebookCell) {
        const cells = new vscode.NotebookRange(notebookCell.index, notebookCell.index + 1);
        const editor = await vscode.window.showNotebookDocument(notebookCell.notebook, { viewColumn, selections: [cells], preserveFocus: false });
        editor.revealRange(cells, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
        // Then the range within the cell, in the cell's own editor once it is rendered (a
        // cell's document cannot be shown on its own: `showTextDocument` refuses it).
        const cellDocument = notebookCell.notebook.cellAt(notebookCell.index).document;
        const cellEditor = await cellEditorOf(cellDocument);
        if (cellEditor) {
          cellEditor.selection = new vscode.Selection(selection.start, selection.end);
          cellEditor.revealRange(selection);
        }
        return;
      }
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      await vscode.window.showTextDocument(document, { viewColumn, selection, preserveFocus: false });
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not open ${labelOf(uri, true)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** How long to wait for a revealed cell's editor; the notebook renders cells as they come into view. */
const cellEditorWaitMs = 1000;

/** The editor of a cell that was just revealed, once the notebook renders it; undefined if it does not in time. */
function cellEditorOf(document: vscode.TextDocument): Promise<vscode.TextEditor | undefined> {
  const find = () => vscode.window.visibleTextEditors.find((e) => e.document === document);
  const shown = find();
  if (shown) return Promise.resolve(shown);
  return new Promise((resolve) => {
    const done = (editor: vscode.TextEditor | undefined) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(editor);
    };
    const timer = setTimeout(() => done(undefined), cellEditorWaitMs);
    const listener = vscode.window.onDidChangeVisibleTextEditors(() => {
      const editor = find();
      if (editor) done(editor);
    });
  });
}

/**
 * The notebook cell of a report location: a cell's own URI (the notebook is open), or a
 * notebook's URI with the cell's 1-based number (the report was read from disk).
 */
async function findNotebookCell(uri: string, cell: number | undefined): Promise<{ notebook: vscode.NotebookDocument; index: number } | undefined> {
  if (uri.startsWith('vscode-notebook-cell:')) {
    for (const notebook of vscode.workspace.notebookDocuments) {
      const index = notebook.getCells().findIndex((c) => c.document.uri.toString() === uri);
      if (index >= 0) return { notebook, index };
    }
    return undefined;
  }
  if (cell === undefined) return undefined;
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.parse(uri));
  return cell <= notebook.cellCount ? { notebook, index: cell - 1 } : undefined;
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
  const cell = location.cell === undefined || (Number.isInteger(location.cell) && (location.cell as number) >= 1);
  return typeof location.uri === 'string' && isRange(location.range) && cell;
}

function isRange(value: unknown): value is Range {
  const range = value as Range | undefined;
  return [range?.start?.line, range?.start?.character, range?.end?.line, range?.end?.character]
    .every((n) => Number.isInteger(n) && (n as number) >= 0);
}
