import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ErrorCodes,
  NotebookDocuments,
  ResponseError,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initParser } from '../engine/analysis/parser';
import type { AnalysisSettings } from '../engine/analysis/types';
import { ConfigError } from '../engine/config';
import { settingsFrom } from '../engine/selection';
import { globsMatch } from '../workspace/config-files';
import { FileSettings } from '../workspace/file-settings';
import { readPythonFile } from '../workspace/files';
import { WorkspaceIndex } from '../workspace/workspace-index';
import { DocumentAnalyses, type DocumentState } from './analyses';
import { editSupport, type EditSupport } from './code-actions';
import { PulledDiagnostics } from './pulled-diagnostics';
import { RequirementDocuments } from './requirement-documents';
import { defaultServerSettings, editorRuleLevels, editorSelection, SettingsStore, type ServerSettings } from './settings';

/** Importers of an edited module wait this long: they are not what the user is looking at. */
const dependentsDelayMs = 200;

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * What the language server knows between requests: the client, the open documents and
 * notebooks, the workspace folders, settings and the caches built from the workspace's files.
 * The handlers (document-sync.ts, workspace-events.ts, fix-requests.ts, report-requests.ts)
 * work on it; `analyses` runs and publishes the documents' analyses.
 */
export class Session {
  /** Open documents and notebooks, by URI. */
  readonly documents = new Map<string, DocumentState>();
  readonly notebooks = new NotebookDocuments(TextDocument);
  capabilities: ClientCapabilities = {};
  support: EditSupport = { versioned: false, snippets: false };
  /** Workspace folders, as file system paths. */
  folders: string[] = [];
  readonly settings: SettingsStore;
  readonly fileSettings = new FileSettings();
  /** Configuration errors already shown, so that each is shown once until its file changes. */
  readonly shownConfigErrors = new Set<string>();
  /** Bumped when the settings or a dependency file change, so analyses made before can tell they are stale. */
  inputs = 0;
  /** The workspace's modules that open documents import: the editor's text for open ones, else the file's. */
  readonly modules: WorkspaceIndex;
  /** The settings of the latest analysis, which module summaries are made with. */
  private latestSettings: ServerSettings = defaultServerSettings;
  readonly parserReady = initParser();
  /** Open requirement files, on which the findings of their project's requirements are published. */
  readonly requirements: RequirementDocuments;
  readonly analyses: DocumentAnalyses;
  /** Set when the client pulls diagnostics (LSP 3.17) rather than having them pushed. */
  pulled?: PulledDiagnostics;
  /** Whether `workspace/diagnostic` is offered: only when the client asks, with the `workspaceDiagnostics` initialization option. */
  workspaceDiagnostics = false;

  constructor(readonly connection: Connection) {
    this.settings = new SettingsStore(connection, () => this.capabilities.workspace?.configuration === true);
    this.modules = new WorkspaceIndex({
      roots: () => this.folders,
      read: (file) => {
        const open = this.openPythonDocument(file);
        if (open) return open.open.text;
        try {
          const read = readPythonFile(file);
          return 'text' in read ? read.text : undefined;
        } catch {
          return undefined;
        }
      },
      locationOf: (file) => this.openPythonDocument(file)?.open.uri ?? pathToFileURL(file).href,
      versionOf: (file) => this.openPythonDocument(file)?.open.version,
      // A module is summarised with the settings of the latest analysis (settings are per
      // workspace in practice) and its own project's Keras version, never following its imports.
      settingsFor: (file) => this.projectSettings(file, this.latestSettings),
    });
    this.requirements = new RequirementDocuments({
      // On an open setup.py they go with its own findings as a Python file (see publishState).
      publish: (uri, diagnostics, version) => {
        const python = this.documents.get(uri);
        if (!python || python.notebook) return this.publish(uri, diagnostics, version);
        const own = python.analysis?.version === python.open.version && python.analysis.settings.enable ? python.analysis.diagnostics : [];
        this.publishState(python, own, python.open.version);
      },
      settingsFor: async (uri) => {
        const current = await this.settingsFor(uri);
        return { enable: current.enable, settings: this.configuredSettings(fileURLToPath(uri), current) };
      },
      folders: () => this.folders,
      pythonText: (file) => this.openPythonDocument(file)?.open.text,
      pythonVersion: (uri) => this.documents.get(uri)?.open.version,
      error: (message) => connection.console.error(message),
    });
    this.analyses = new DocumentAnalyses(this);
  }

  initialize(capabilities: ClientCapabilities, initializationOptions: unknown, folderUris: string[]): void {
    this.capabilities = capabilities;
    this.support = editSupport(capabilities);
    this.settings.setBase(initializationOptions);
    this.setFolders(folderUris);
    this.workspaceDiagnostics = typeof initializationOptions === 'object' && initializationOptions !== null && (initializationOptions as { workspaceDiagnostics?: unknown }).workspaceDiagnostics === true;
    if (capabilities.textDocument?.diagnostic) this.pulled = new PulledDiagnostics(this.connection, capabilities.workspace?.diagnostics?.refreshSupport === true);
  }

  log(message: string): void {
    this.connection.console.log(message);
  }

  /** Wraps a request handler: an exception is logged with its stack and answered as an LSP error. */
  guardRequest<P, R>(name: string, handler: (params: P, token: CancellationToken) => R | Promise<R>) {
    return async (params: P, token: CancellationToken): Promise<R> => {
      try {
        return await handler(params, token);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        this.connection.console.error(`${name} failed: ${describeError(error)}`);
        throw new ResponseError(ErrorCodes.InternalError, `${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
  }

  /** Wraps a notification handler: an exception is logged, and the server goes on. */
  guardNotification<P>(name: string, handler: (params: P) => void | Promise<void>) {
    return async (params: P): Promise<void> => {
      try {
        await handler(params);
      } catch (error) {
        this.connection.console.error(`${name} failed: ${describeError(error)}`);
      }
    };
  }

  /** Sends a document's diagnostics, or keeps them for its next pull. */
  publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    if (this.pulled) return this.pulled.set(uri, diagnostics);
    this.push(uri, diagnostics, version);
  }

  private push(uri: string, diagnostics: Diagnostic[], version?: number): void {
    void this.connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics });
  }

  /**
   * Publishes a document's diagnostics; a notebook's go to its cells, and are pushed even to a
   * client that pulls: VS Code's client pulls a notebook's cells only when the notebook is
   * visible as it opens, and never asks again until a cell changes, so pulled cells could stay
   * blank. A pull for a cell is answered empty, so nothing shows twice.
   */
  publishState(state: DocumentState, diagnostics: Diagnostic[], version?: number): void {
    // A setup.py is also a requirement file: its project's findings on it are shown with its own.
    if (!state.notebook) return this.publish(state.open.uri, [...diagnostics, ...this.requirements.diagnosticsOf(state.open.uri)], version);
    for (const cell of state.notebook.cellDiagnostics(diagnostics)) this.push(cell.uri, cell.diagnostics, cell.version);
  }

  /** The open document of a URI, or the open notebook that a cell of that URI belongs to. */
  stateOf(uri: string): DocumentState | undefined {
    const state = this.documents.get(uri);
    if (state) return state;
    const notebook = this.notebooks.findNotebookDocumentForCell(uri);
    const ofCell = notebook && this.documents.get(notebook.uri);
    return ofCell?.notebook?.hasCell(uri) ? ofCell : undefined;
  }

  /** The open Python document (not a notebook) of a file, found by path since clients spell URIs differently. */
  openPythonDocument(file: string): DocumentState | undefined {
    for (const state of this.documents.values()) {
      if (!state.notebook && state.open.uri.startsWith('file:') && fileURLToPath(state.open.uri) === file) return state;
    }
    return undefined;
  }

  /**
   * A module's text or existence changed: its summary is dropped, and the open documents that
   * import it are analysed again (only those: the index knows who resolved what).
   */
  moduleChanged(file: string, except?: DocumentState): void {
    this.modules.invalidate(file);
    for (const key of this.modules.dependentsOf(file)) {
      const state = this.documents.get(key);
      if (!state || state === except) continue;
      state.importsChanged = true;
      this.analyses.schedule(state, dependentsDelayMs);
    }
  }

  /** Re-analyses every open document, after something other than its text changed. */
  reanalyseAll(): void {
    this.inputs++;
    this.requirements.refreshAll();
    for (const state of this.documents.values()) this.analyses.schedule(state, 0);
  }

  setFolders(uris: string[]): void {
    this.folders = uris.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
  }

  /** The innermost workspace folder holding a file. */
  private folderOf(file: string): string | undefined {
    return this.folders.filter((f) => file.startsWith(f + path.sep)).sort((a, b) => b.length - a.length)[0];
  }

  /**
   * A file's settings with the Keras version its project's dependency files declare (read up
   * to its workspace folder), as the CLI does.
   */
  private projectSettings(file: string, current: ServerSettings): AnalysisSettings {
    const folder = this.folderOf(file);
    return this.fileSettings.withProjectVersion(file, this.configuredSettings(file, current), folder ? { stopAt: folder, namesRelativeTo: folder } : {});
  }

  /**
   * The settings of the file's configuration file (`[tool.ksm]`, `ksm.toml`), as the CLI reads
   * it, under what the user set in the editor (see `editorSelection`). An invalid file is shown
   * to the user (once) and logged, and then not applied.
   */
  configuredSettings(file: string, current: ServerSettings): ServerSettings {
    const user = editorSelection(current);
    let configured: AnalysisSettings;
    try {
      configured = this.fileSettings.configured(file, user);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (!this.shownConfigErrors.has(error.message)) {
        this.shownConfigErrors.add(error.message);
        this.connection.console.error(`Invalid configuration, not applied: ${error.message}`);
        void this.connection.window.showErrorMessage(`Keras SavedModel Lint: invalid configuration, not applied: ${error.message}`);
      }
      configured = settingsFrom(user);
    }
    return { ...current, kerasVersion: configured.kerasVersion, rules: { ...configured.rules, ...editorRuleLevels(current) } };
  }

  /** The engine's settings for a file: its project's, and the modules of the workspace it imports from. */
  engineSettings(uri: string, current: ServerSettings, open = false): AnalysisSettings {
    if (!uri.startsWith('file:')) return current;
    this.latestSettings = current;
    const file = fileURLToPath(uri);
    // An open document's imports are recorded, so that a change to one of them re-analyses it.
    return { ...this.projectSettings(file, current), modules: this.modules.resolverFor(file, open ? uri : undefined) };
  }

  /**
   * The settings of a document, as the user set them for it; a file matched by the `exclude`
   * globs (relative to its workspace folder) is treated as if the extension were off for it.
   */
  async settingsFor(uri: string): Promise<ServerSettings> {
    const current = await this.settings.get(uri);
    return this.isExcluded(uri, current) ? { ...current, enable: false } : current;
  }

  isExcluded(uri: string, current: ServerSettings): boolean {
    if (current.exclude.length === 0 || !uri.startsWith('file:')) return false;
    const file = fileURLToPath(uri);
    const folder = this.folderOf(file);
    return folder !== undefined && globsMatch(current.exclude, path.relative(folder, file).split(path.sep).join('/'));
  }

  dispose(): void {
    this.requirements.dispose();
    this.pulled?.dispose();
    for (const state of this.documents.values()) {
      clearTimeout(state.timer);
      state.open.dispose();
    }
    this.documents.clear();
  }
}
