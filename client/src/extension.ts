import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
  WorkDoneProgress,
} from 'vscode-languageclient/node';
import {
  type DependenciesReportParams,
  dependenciesReportMethod,
  type FileReadiness,
  type ProjectReadiness,
  readinessReportMethod,
  type ReadinessReportParams,
  settingsSection,
  workspaceReadinessReportMethod,
  type WorkspaceReadinessReportParams,
} from '../../server/src/protocol';
import { commandIds } from './command-ids';
import { requirementFilePatterns } from './requirement-files';
import type { ReportPage } from './report-html';
import { ReportPanel } from './report-panel';
import { ReadinessStatusBar } from './status-bar';

const displayName = 'Keras SavedModel Lint';

let client: LanguageClient | undefined;

/** A readiness report as a command showed it. */
export interface ShownReport {
  kind: ReportPage['kind'];
  files: FileReadiness[];
  projects: ProjectReadiness[];
}

/**
 * What `activate` returns (`vscode.extensions.getExtension(...).exports`): the report the
 * readiness commands showed last, since a webview's content cannot be read from outside.
 * The end-to-end tests read it.
 */
export interface KerasSavedModelApi {
  readonly lastReport: ShownReport | undefined;
}

let lastReport: ShownReport | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<KerasSavedModelApi> {
  const outputChannel = vscode.window.createOutputChannel(displayName, { log: true });
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      { scheme: 'vscode-notebook-cell', language: 'python' },
      // Requirement files, whatever language an editor gives them: the server reports conflicting pins there.
      ...requirementFilePatterns.map((name) => ({ scheme: 'file', pattern: `**/${name}` })),
    ],
    synchronize: { configurationSection: settingsSection },
    outputChannel,
  };
  // The id is the settings prefix: the client reads `kerasSavedModel.trace.server` by itself.
  const languageClient = new LanguageClient(settingsSection, displayName, serverOptions, clientOptions);
  client = languageClient;

  const fileReport = new ReportPanel('file', context.extensionUri);
  const workspaceReport = new ReportPanel('workspace', context.extensionUri);
  const statusBar = new ReadinessStatusBar(
    (document, token) => requestFileReport(languageClient, document.uri, token),
    commandIds.checkReadiness,
    (document) => vscode.workspace.getConfiguration(settingsSection, document).get<boolean>('enable', true),
  );

  context.subscriptions.push(
    outputChannel,
    fileReport,
    workspaceReport,
    statusBar,
    vscode.commands.registerCommand(commandIds.checkReadiness, (resource?: vscode.Uri) =>
      checkReadiness(languageClient, fileReport, resource)),
    vscode.commands.registerCommand(commandIds.checkWorkspaceReadiness, () => checkWorkspaceReadiness(languageClient, workspaceReport)),
    vscode.commands.registerCommand(commandIds.restartServer, () => languageClient.restart()),
    vscode.commands.registerCommand(commandIds.showOutput, () => outputChannel.show(true)),
    languageClient.onDidChangeState((event) => {
      if (event.newState === State.Running) statusBar.schedule();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(settingsSection)) statusBar.schedule();
    }),
  );
  await languageClient.start();
  return { get lastReport() { return lastReport; } };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** The readiness report of one document, or undefined while the server is not running. */
async function requestFileReport(
  languageClient: LanguageClient,
  uri: vscode.Uri,
  token?: vscode.CancellationToken,
): Promise<FileReadiness | undefined> {
  if (!languageClient.isRunning()) return undefined;
  const params: ReadinessReportParams = { uri: languageClient.code2ProtocolConverter.asUri(uri) };
  return languageClient.sendRequest<FileReadiness>(readinessReportMethod, params, token);
}

/** "Keras: Check SavedModel Readiness": the report of the active editor's file, or of a file picked in the explorer. */
async function checkReadiness(languageClient: LanguageClient, panel: ReportPanel, resource: vscode.Uri | undefined): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  // A notebook's report covers all its cells; a cell's editor (or the notebook itself) asks for it.
  const uri = resource ?? (editor?.document.languageId === 'python' ? editor.document.uri : vscode.window.activeNotebookEditor?.notebook.uri);
  if (!uri) {
    void vscode.window.showInformationMessage('Open a Python file or notebook to check whether its Keras models can be saved.');
    return;
  }
  try {
    const report = await requestFileReport(languageClient, uri);
    if (!report) {
      void vscode.window.showWarningMessage(`${displayName} is not running; see its output channel.`);
      return;
    }
    const sourceEditor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())
      ?? vscode.window.visibleNotebookEditors.find((e) => e.notebook.uri.toString() === uri.toString());
    const projects = await requestDependencies(languageClient, { uri: report.uri });
    panel.show([report], sourceEditor?.viewColumn, projects);
    lastReport = { kind: 'file', files: [report], projects };
  } catch (error) {
    reportFailure('check the file', error);
  }
}

/** "Keras: Check SavedModel Readiness (Workspace)": every Python file, with the server's per-file progress. */
async function checkWorkspaceReadiness(languageClient: LanguageClient, panel: ReportPanel): Promise<void> {
  if (!languageClient.isRunning()) {
    void vscode.window.showWarningMessage(`${displayName} is not running; see its output channel.`);
    return;
  }
  const files = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Checking SavedModel readiness', cancellable: true },
    async (progress, token) => {
      const workDoneToken = randomUUID();
      let reported = 0;
      // The server reports absolute percentages; VS Code's progress takes increments.
      const progressListener = languageClient.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
        if (value.kind === 'end') return;
        const increment = value.percentage === undefined ? undefined : value.percentage - reported;
        reported = value.percentage ?? reported;
        progress.report({ message: value.message, increment });
      });
      try {
        const params: WorkspaceReadinessReportParams = { workDoneToken };
        return await languageClient.sendRequest<FileReadiness[]>(workspaceReadinessReportMethod, params, token);
      } catch (error) {
        if (!token.isCancellationRequested) reportFailure('check the workspace', error);
        return undefined;
      } finally {
        progressListener.dispose();
      }
    },
  );
  if (!files) return;
  const projects = await requestDependencies(languageClient, {});
  panel.show(files, vscode.window.activeTextEditor?.viewColumn, projects);
  lastReport = { kind: 'workspace', files, projects };
}

/** The Dependencies check of the report's projects; none when the request fails (the report still shows). */
async function requestDependencies(languageClient: LanguageClient, params: DependenciesReportParams): Promise<ProjectReadiness[]> {
  try {
    return await languageClient.sendRequest<ProjectReadiness[]>(dependenciesReportMethod, params);
  } catch (error) {
    client?.error('Could not check the dependencies', error, false);
    return [];
  }
}

function reportFailure(what: string, error: unknown): void {
  const detail = error instanceof Error ? error.message : String(error);
  client?.error(`Could not ${what}`, error, false);
  void vscode.window.showErrorMessage(`${displayName} could not ${what}: ${detail}`);
}
