import * as vscode from 'vscode';
import type { FileReadiness } from '../../server/src/protocol';
import { blockingProblems, kerasVersionLabel, modelVerdictLabel, plural } from './readiness-summary';

/** How long the status waits for diagnostics to settle before asking the server again. */
const debounceMs = 300;

/**
 * The active Python file's verdict in the status bar. It asks the server for the file's
 * readiness report whenever the active editor changes or the diagnostics of its document do,
 * and hides itself for files with no model.
 */
export class ReadinessStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: vscode.CancellationTokenSource | undefined;
  /** The Python document whose verdict is on show. */
  private document: vscode.TextDocument | undefined;

  constructor(
    private readonly fetchReport: (document: vscode.TextDocument, token: vscode.CancellationToken) => Promise<FileReadiness | undefined>,
    private readonly command: string,
    private readonly isEnabled: (document: vscode.TextDocument) => boolean,
  ) {
    this.item = vscode.window.createStatusBarItem('kerasSavedModel.readiness', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Keras SavedModel Readiness';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.languages.onDidChangeDiagnostics((event) => {
        const shown = this.document?.uri;
        if (shown && event.uris.some((uri) => uri.toString() === shown.toString() || sameNotebook(uri, shown))) this.schedule();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
    );
  }

  /** Refreshes soon, coalescing bursts of events (typing changes diagnostics on every pause). */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, debounceMs);
  }

  private async refresh(): Promise<void> {
    this.pending?.cancel();
    this.pending?.dispose();
    this.pending = undefined;
    const editor = vscode.window.activeTextEditor;
    // With the focus in the output, a webview or another panel, the last file's verdict stays
    // on show for as long as that file is visible.
    const document = editor && editorSchemes.has(editor.document.uri.scheme)
      ? editor.document
      : vscode.window.visibleTextEditors.find((e) => e.document === this.document)?.document;
    if (!document || document.languageId !== 'python' || !this.isEnabled(document)) {
      this.hide();
      return;
    }
    const source = new vscode.CancellationTokenSource();
    this.pending = source;
    let report: FileReadiness | undefined;
    try {
      report = await this.fetchReport(document, source.token);
    } catch {
      report = undefined; // the server is starting, restarting or stopped; the next event retries
    }
    if (source.token.isCancellationRequested) return;
    this.show(document, report);
  }

  private hide(): void {
    this.document = undefined;
    this.item.hide();
  }

  private show(document: vscode.TextDocument, report: FileReadiness | undefined): void {
    this.document = document;
    if (!report || report.skipped || report.models.length === 0) {
      this.item.hide();
      return;
    }
    const blocking = blockingProblems(report).length;
    this.item.text = blocking === 0 ? '$(check) SavedModel ready' : `$(error) ${blocking} blocking`;
    this.item.accessibilityInformation = {
      label: blocking === 0 ? 'SavedModel ready' : `${plural(blocking, 'problem')} blocking SavedModel`,
    };
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown('**Keras SavedModel readiness**\n\n');
    for (const model of report.models) tooltip.appendMarkdown(`- \`${model.name.replace(/`/g, '')}\` (${model.kind}): ${modelVerdictLabel(model)}\n`);
    tooltip.appendMarkdown(`\n${kerasVersionLabel(report.kerasVersion)}\n\n`);
    tooltip.appendMarkdown('Click for the full report.');
    this.item.tooltip = tooltip;
    // The file goes along: the focus may be in a panel or a webview when the item is clicked.
    this.item.command = { command: this.command, title: 'Check SavedModel Readiness', arguments: [document.uri] };
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending?.cancel();
    this.pending?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** Whether two notebook cells belong to one notebook: a cell's findings follow from the whole notebook's code. */
function sameNotebook(a: vscode.Uri, b: vscode.Uri): boolean {
  return a.scheme === 'vscode-notebook-cell' && b.scheme === a.scheme && a.path === b.path;
}

/** The schemes of editors that hold the user's files, as opposed to output and other panels. */
const editorSchemes = new Set(['file', 'untitled', 'vscode-notebook-cell', 'vscode-remote', 'vscode-vfs']);
