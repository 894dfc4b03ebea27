/**
 * The language server: an LSP adapter over the engine. Any LSP client can use it
 * (`node dist/server.js --stdio`, or `ksm server --stdio`). This module announces the
 * capabilities and routes each request to its handler module; what the server knows lives in
 * the session (session.ts).
 */
import {
  CodeActionKind,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  PositionEncodingKind,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  createConnection,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { packageVersion } from '../workspace/docs-location';
import {
  dependenciesReportMethod,
  diagnosticSource,
  fixAllKind,
  notebookFixAllKind,
  readinessReportMethod,
  serverCommands,
  workspaceReadinessReportMethod,
  type DependenciesReportParams,
} from '../protocol';
import { registerDocumentSync } from './document-sync';
import { FixRequests } from './fix-requests';
import { hoverAt } from './hover';
import { notebookDocumentSync } from './notebooks';
import { ReportRequests } from './report-requests';
import { Session } from './session';
import { WorkspaceDiagnostics } from './workspace-diagnostics';
import { registerWorkspaceEvents } from './workspace-events';

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const session = new Session(connection);
  const fixes = new FixRequests(session);
  const reports = new ReportRequests(session);
  const workspaceDiagnostics = new WorkspaceDiagnostics(session, reports);

  connection.onInitialize(async (params) => {
    await session.parserReady;
    session.initialize(params.capabilities, params.initializationOptions, params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        notebookDocumentSync,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllKind, notebookFixAllKind], resolveProvider: false },
        hoverProvider: true,
        // Pulled by clients that can (LSP 3.17); a change to one file can change another's findings.
        ...(session.pulled ? { diagnosticProvider: { identifier: diagnosticSource, interFileDependencies: true, workspaceDiagnostics: session.workspaceDiagnostics } } : {}),
        executeCommandProvider: { commands: Object.values(serverCommands) },
        // Every client supports UTF-16, which is what the engine's columns count.
        positionEncoding: PositionEncodingKind.UTF16,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: diagnosticSource, version: packageVersion() },
    };
  });

  registerWorkspaceEvents(session);
  registerDocumentSync(session);

  connection.languages.diagnostics.onWorkspace(session.guardRequest('workspace/diagnostic', (params, token) => workspaceDiagnostics.report(params, token)));
  connection.languages.diagnostics.on(session.guardRequest('textDocument/diagnostic', (params) => pullDiagnostics(params.textDocument.uri, params.previousResultId)));

  /**
   * A pull waits for the document's analysis of its current text (not under `run: onSave`,
   * where an edit alone does not analyse), then answers with what would have been published.
   */
  async function pullDiagnostics(uri: string, previousResultId: string | undefined) {
    const state = session.stateOf(uri);
    if (state) {
      const current = await session.settingsFor(state.open.uri);
      if (current.enable && current.run === 'onType') await session.analyses.current(state);
    }
    // A client that pulls without having said it can is answered all the same.
    return session.pulled?.report(uri, previousResultId) ?? { kind: DocumentDiagnosticReportKind.Full, items: shownDiagnostics(uri) };
  }

  connection.onCodeAction(session.guardRequest('codeAction', (params) => fixes.codeActions(params)));
  connection.onRequest(readinessReportMethod, session.guardRequest(readinessReportMethod, (params) => reports.documentReport(params)));
  connection.onRequest(workspaceReadinessReportMethod, session.guardRequest(workspaceReadinessReportMethod, (params, token) => reports.workspaceReport(params, token)));
  connection.onRequest(dependenciesReportMethod, session.guardRequest(dependenciesReportMethod, (params: DependenciesReportParams | undefined) => session.requirements.readiness(params?.uri)));

  connection.onExecuteCommand(
    session.guardRequest('executeCommand', async ({ command, arguments: args, workDoneToken }, token) => {
      switch (command) {
        case serverCommands.fixAll:
          return fixes.applyFixAll(args?.[0]);
        case serverCommands.readinessReport:
          return reports.documentReport({ uri: args?.[0] as string });
        case serverCommands.workspaceReadinessReport:
          return reports.workspaceReport({ workDoneToken }, token);
        default:
          throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${command}`);
      }
    }),
  );

  /** The diagnostics the editor shows for a document or a notebook cell: those of its current analysis. */
  function shownDiagnostics(uri: string): Diagnostic[] {
    const state = session.stateOf(uri);
    const analysis = state && session.analyses.isCurrent(state) ? state.analysis : undefined;
    if (!state || !analysis?.settings.enable) return session.requirements.diagnosticsOf(uri);
    if (!state.notebook) return analysis.diagnostics;
    return state.notebook.cellDiagnostics(analysis.diagnostics).find((cell) => cell.uri === uri)?.diagnostics ?? [];
  }

  connection.onHover(session.guardRequest('hover', ({ textDocument, position }) => hoverAt(shownDiagnostics(textDocument.uri), position)));
  connection.onShutdown(() => session.dispose());
  connection.listen();
}
