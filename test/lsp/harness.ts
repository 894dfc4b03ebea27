/** A minimal LSP client that drives the bundled server over stdio, for the protocol tests. */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  CodeAction,
  ConfigurationParams,
  Diagnostic,
  InitializeResult,
  PublishDiagnosticsParams,
  Range,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { defaultSettings, type AnalysisSettings } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const serverPath = path.join(repoRoot, 'dist', 'server.js');

export interface ClientOptions {
  /** Whether the client answers workspace/configuration (default true). */
  configuration?: boolean;
  /** LSP 3.18 snippet text edits (default false). */
  snippets?: boolean;
  /** Versioned documentChanges in workspace edits (default true). */
  documentChanges?: boolean;
  initializationOptions?: unknown;
  workspaceFolders?: string[];
  /** Diagnostics pulled (LSP 3.17 textDocument/diagnostic, with refresh support) instead of pushed (default false). */
  pullDiagnostics?: boolean;
  /** The command line after `node`: the server bundle by default, or e.g. `[cli.js, 'server']`. */
  command?: string[];
}

export interface ProgressEvent {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number };
}

type Waiter = () => boolean;

export class LspClient {
  /** Every publishDiagnostics, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly progress: ProgressEvent[] = [];
  readonly logs: string[] = [];
  /** Messages the server showed the user (window/showMessageRequest and window/showMessage). */
  readonly shown: Array<{ type: number; message: string }> = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  /** How many times the server asked the client to pull diagnostics again (workspace/diagnostic/refresh). */
  refreshes = 0;
  /** Registrations the server asked for (client/registerCapability), by method. */
  readonly registrations = new Map<string, unknown>();
  /** What the client answers for the `kerasSavedModel` section, per scope URI (`*` for all). */
  settings: Record<string, unknown> = {};
  stderr = '';
  private readonly waiters = new Set<Waiter>();

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
  ) {}

  static async start(options: ClientOptions = {}): Promise<{ client: LspClient; initialize: InitializeResult }> {
    const child = spawn(process.execPath, [...(options.command ?? [serverPath]), '--stdio'], { stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspClient(child, connection);
    child.stderr.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      client.published.push(params);
      client.wake();
    });
    connection.onNotification('$/progress', (params: ProgressEvent) => {
      client.progress.push(params);
      client.wake();
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      client.logs.push(params.message);
      client.wake();
    });
    const show = (params: { type: number; message: string }) => {
      client.shown.push({ type: params.type, message: params.message });
      client.wake();
    };
    connection.onNotification('window/showMessage', show);
    connection.onRequest('window/showMessageRequest', (params: { type: number; message: string }) => {
      show(params);
      return null;
    });
    connection.onRequest('workspace/configuration', (params: ConfigurationParams) => {
      client.configurationRequests.push(params);
      return params.items.map((item) =>
        item.section === 'kerasSavedModel' ? (client.settings[item.scopeUri ?? '*'] ?? client.settings['*'] ?? null) : null,
      );
    });
    connection.onRequest('client/registerCapability', (params: { registrations: Array<{ method: string; registerOptions?: unknown }> }) => {
      for (const registration of params.registrations) client.registrations.set(registration.method, registration.registerOptions);
      client.wake();
      return null;
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      client.refreshes++;
      client.wake();
      return null;
    });
    connection.onRequest('workspace/workspaceFolders', () =>
      (options.workspaceFolders ?? []).map((folder) => ({ uri: pathToFileURL(folder).href, name: path.basename(folder) })),
    );
    connection.listen();

    const configuration = options.configuration ?? true;
    const capabilities: ClientCapabilities = {
      workspace: {
        configuration,
        didChangeConfiguration: { dynamicRegistration: configuration },
        workspaceFolders: true,
        didChangeWatchedFiles: { dynamicRegistration: true },
        workspaceEdit: { documentChanges: options.documentChanges ?? true, snippetEditSupport: options.snippets ?? false },
        ...(options.pullDiagnostics ? { diagnostics: { refreshSupport: true } } : {}),
      },
      window: { workDoneProgress: true },
      textDocument: {
        synchronization: { dynamicRegistration: false },
        publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        ...(options.pullDiagnostics ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
        codeAction: {
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
          isPreferredSupport: true,
          dataSupport: true,
        },
      },
    };
    const folders = options.workspaceFolders ?? [];
    const initialize: InitializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders[0] ? pathToFileURL(folders[0]).href : null,
      workspaceFolders: folders.map((folder) => ({ uri: pathToFileURL(folder).href, name: path.basename(folder) })),
      capabilities,
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification('initialized', {});
    return { client, initialize };
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) if (waiter()) this.waiters.delete(waiter);
  }

  /** Resolves when `check` returns a value, re-checking on every message from the server. */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}\nserver stderr:\n${this.stderr}\nlog:\n${this.logs.join('\n')}`));
      }, timeoutMs);
      const waiter: Waiter = () => {
        const value = check();
        if (value === undefined) return false;
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      if (!waiter()) this.waiters.add(waiter);
    });
  }

  /** The first diagnostics for `uri` (and `version`, when given) published after index `since`. */
  diagnostics(uri: string, options: { version?: number; since?: number } = {}): Promise<PublishDiagnosticsParams> {
    return this.waitFor(`diagnostics for ${uri} v${options.version ?? '*'}`, () =>
      this.published
        .slice(options.since ?? 0)
        .find((p) => p.uri === uri && (options.version === undefined || p.version === options.version)),
    );
  }

  /** Index of the next publishDiagnostics to arrive, for `diagnostics({ since })`. */
  mark(): number {
    return this.published.length;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  }

  async change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async changeConfiguration(settings: unknown = null): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: only ? { diagnostics, only } : { diagnostics },
    });
  }

  /** Sends shutdown and exit, and resolves with the server's exit code. */
  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }

  /** Ends the server without the protocol, for tests that failed half-way. */
  kill(): void {
    if (this.process.exitCode === null) this.process.kill();
    this.connection.dispose();
  }
}

/** The URI of an editor document for the tests; the server has its text, so the file need not exist. */
export function fileUri(name: string): string {
  return pathToFileURL(path.join(repoRoot, 'test', 'fixtures', 'lsp', name)).href;
}

/** The text edits a workspace edit makes to `uri`, from documentChanges or changes. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string, version?: number): TextEdit[] {
  assert.ok(edit, 'the action has an edit');
  if (edit.documentChanges) {
    const edits: TextEdit[] = [];
    for (const change of edit.documentChanges) {
      assert.ok('textDocument' in change, 'only text document edits');
      assert.equal(change.textDocument.uri, uri);
      if (version !== undefined) assert.equal(change.textDocument.version, version, 'the edit names the document version');
      for (const e of change.edits) {
        assert.ok('newText' in e, 'a plain text edit');
        edits.push(e);
      }
    }
    return edits;
  }
  return edit.changes?.[uri] ?? [];
}

/** Applies LSP text edits to a text, as an editor would. */
export function applyLspEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x.py', 'python', 0, text), edits);
}

/** The incremental change that turns `[start, end)` of `text` into `newText`. */
export function replaceChange(text: string, start: number, end: number, newText: string): TextDocumentContentChangeEvent {
  const document = TextDocument.create('file:///x.py', 'python', 0, text);
  return { range: { start: document.positionAt(start), end: document.positionAt(end) }, text: newText };
}

/** What the engine finds in a text, in the shape to compare with published diagnostics. */
export function engineFindings(text: string, settings: Partial<AnalysisSettings> = {}): Array<{ code: string; range: Range; severity: number }> {
  return analyzeText(text, { ...defaultSettings, ...settings }).findings.map((f) => ({ code: f.code, range: f.range, severity: severityNumbers[f.severity] }));
}

export function diagnosticKeys(diagnostics: Diagnostic[]): Array<{ code: string; range: Range; severity: number }> {
  return diagnostics.map((d) => ({ code: String(d.code), range: d.range, severity: d.severity ?? 0 }));
}

const severityNumbers = { error: 1, warning: 2, information: 3, hint: 4 } as const;

/** A model saved before it is compiled (one KSM101 finding, with a move fix), used by several suites. */
export const saveBeforeCompile = [
  'from tensorflow import keras',
  '',
  'model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
  'model.save("m.keras")',
  'model.compile(optimizer="adam", loss="mse")',
  '',
].join('\n');
