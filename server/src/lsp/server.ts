/**
 * The language server: an LSP adapter over the engine. Any LSP client can use it
 * (`node dist/server.js --stdio`, or `ksm server --stdio`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  FileChangeType,
  LSPErrorCodes,
  NotebookDocuments,
  PositionEncodingKind,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  createConnection,
  type CancellationToken,
  type ClientCapabilities,
  type CodeAction,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { NotebookProgram } from '../engine/analysis/notebook';
import { initParser } from '../engine/analysis/parser';
import { projectFilePatterns } from '../engine/analysis/project-version';
import type { AnalysisSettings } from '../engine/analysis/types';
import { analysisSteps, analyzeText, notAnalysed, unanalysableReason, type AnalysisOptions, type AnalysisResult } from '../engine/engine';
import { parsePython } from '../engine/analysis/parser';
import { findPythonFiles, readPythonFile, type ReadResult } from '../workspace/files';
import { safeFixEdits } from '../engine/fix-all';
import { editSupport, fixAllAction, kindRequested, quickFixes, type EditSupport } from './code-actions';
import { toDiagnostics } from './diagnostics';
import { OpenDocument } from './documents';
import { notebookDocumentSync, OpenNotebook, syncProgram } from './notebooks';
import { cellLocator, fileReadiness } from '../readiness';
import { defaultServerSettings, SettingsStore, type ServerSettings } from './settings';
import { analyzeNotebook, isNotebookPath, notebookAnalysisSteps, readNotebookFile, type NotebookRead } from '../workspace/notebook-files';
import { runInSlices } from './slices';
import { hoverAt } from './hover';
import { packageVersion } from '../workspace/docs-location';
import { ProjectVersions } from '../workspace/project-files';
import { configFileNames, ConfigFiles, globsMatch, ignoredFor, type FoundConfig } from '../workspace/config-files';
import { ConfigError } from '../engine/config';
import { settingsFrom } from '../engine/selection';
import { findRule } from '../engine/rules/index';
import {
  dependenciesReportMethod,
  diagnosticSource,
  fixAllKind,
  notebookFixAllKind,
  readinessReportMethod,
  serverCommands,
  settingsSection,
  type DependenciesReportParams,
  type FixAllResult,
  workspaceReadinessReportMethod,
  type FileReadiness,
  type ReadinessReportParams,
  type WorkspaceReadinessReportParams,
} from '../protocol';
import { WorkspaceIndex } from '../workspace/workspace-index';
import { RequirementDocuments } from './requirement-documents';

/** The readiness report judges each model under Keras 2 and Keras 3 too. */
const reportOptions: AnalysisOptions = { versionView: true };

/**
 * When a change is analysed. The first change after a pause is analysed at once; while the user
 * types, a change waits `typingDebounceMs` for the next one (a run that has started anyway stops
 * at its next pause when the text changes). Importers of an edited module wait longer: they are
 * not what the user is looking at.
 */
const pauseMs = 500;
const typingDebounceMs = 50;
const dependentsDelayMs = 200;

/** One analysis of a document: its text and version, the settings it ran under, and its diagnostics. */
interface Analysis {
  version: number;
  text: string;
  /** The `inputs` generation (settings, dependency files) it ran under. */
  inputs: number;
  settings: ServerSettings;
  result: AnalysisResult;
  diagnostics: Diagnostic[];
}

interface DocumentState {
  open: OpenDocument;
  timer?: NodeJS.Timeout;
  /** Id of the latest analysis run; a run that finds a newer id at a pause stops there. */
  run: number;
  /** The run under way, which a request for the current analysis waits for rather than starting another. */
  pending?: { run: number; version: number; inputs: number; done: Promise<Analysis | undefined> };
  analysis?: Analysis;
  /** When the text last changed (performance.now()), for the debounce. */
  lastChange?: number;
  /** The last skip reason written to the log, so a skipped file is logged once, not per keystroke. */
  loggedSkip?: string;
  /** Set for a notebook: `open` then holds the program of its Python cells, and this maps it back to them. */
  notebook?: OpenNotebook;
  /** A module it imports changed since its last analysis, which is then stale although its text is not. */
  importsChanged?: boolean;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  /** Open documents and notebooks, by URI. */
  const documents = new Map<string, DocumentState>();
  const notebooks = new NotebookDocuments(TextDocument);
  let capabilities: ClientCapabilities = {};
  let support: EditSupport = { versioned: false, snippets: false };
  /** Workspace folders, as file system paths. */
  let folders: string[] = [];
  const settings = new SettingsStore(connection, () => capabilities.workspace?.configuration === true);
  const projects = new ProjectVersions();
  const configs = new ConfigFiles();
  /** Configuration errors already shown, so that each is shown once until its file changes. */
  const shownConfigErrors = new Set<string>();
  /** Bumped when the settings or a dependency file change, so analyses made before can tell they are stale. */
  let inputs = 0;
  /** The workspace's modules that open documents import: the editor's text for open ones, else the file's. */
  const modules = new WorkspaceIndex({
    roots: () => folders,
    read: (file) => {
      const open = openPythonDocument(file);
      if (open) return open.open.text;
      try {
        const read = readPythonFile(file);
        return 'text' in read ? read.text : undefined;
      } catch {
        return undefined;
      }
    },
    locationOf: (file) => openPythonDocument(file)?.open.uri ?? pathToFileURL(file).href,
    // A module is summarised with the settings of the latest analysis (settings are per
    // workspace in practice) and its own project's Keras version, never following its imports.
    settingsFor: (file) => projectSettings(file, latestSettings),
  });
  /** The settings of the latest analysis, which module summaries are made with. */
  let latestSettings: ServerSettings = defaultServerSettings;
  const parserReady = initParser();
  /** Open requirement files, on which the findings of their project's requirements are published. */
  const requirements = new RequirementDocuments({
    publish,
    settingsFor: async (uri) => {
      const current = await settingsFor(uri);
      return { enable: current.enable, settings: configuredSettings(fileURLToPath(uri), current) };
    },
    folders: () => folders,
    pythonText: (file) => openPythonDocument(file)?.open.text,
    error: (message) => connection.console.error(message),
  });

  const log = (message: string) => connection.console.log(message);

  /** Wraps a request handler: an exception is logged with its stack and answered as an LSP error. */
  function guardRequest<P, R>(name: string, handler: (params: P, token: CancellationToken) => R | Promise<R>) {
    return async (params: P, token: CancellationToken): Promise<R> => {
      try {
        return await handler(params, token);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        connection.console.error(`${name} failed: ${describeError(error)}`);
        throw new ResponseError(ErrorCodes.InternalError, `${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
  }

  /** Wraps a notification handler: an exception is logged, and the server goes on. */
  function guardNotification<P>(name: string, handler: (params: P) => void | Promise<void>) {
    return async (params: P): Promise<void> => {
      try {
        await handler(params);
      } catch (error) {
        connection.console.error(`${name} failed: ${describeError(error)}`);
      }
    };
  }

  function publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    void connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics });
  }

  /** Publishes a document's diagnostics; a notebook's go to its cells. */
  function publishState(state: DocumentState, diagnostics: Diagnostic[], version?: number): void {
    if (!state.notebook) return publish(state.open.uri, diagnostics, version);
    for (const cell of state.notebook.cellDiagnostics(diagnostics)) publish(cell.uri, cell.diagnostics, cell.version);
  }

  /** The open notebook that a cell belongs to. */
  function notebookOfCell(uri: string): DocumentState | undefined {
    const notebook = notebooks.findNotebookDocumentForCell(uri);
    const state = notebook && documents.get(notebook.uri);
    return state?.notebook?.hasCell(uri) ? state : undefined;
  }

  /** The report of an analysed document; a notebook's ranges name their cells. */
  /**
   * The readiness report of an open document at its current analysis. The report also judges
   * each model under Keras 2 and Keras 3, which the diagnostics do not need, so it is analysed
   * again for it, on the same tree.
   */
  async function readinessOf(state: DocumentState, analysis: Analysis): Promise<FileReadiness> {
    const fileSettings = engineSettings(state.open.uri, analysis.settings);
    // The tree is copied in steps, so a text that changes meanwhile is analysed again.
    for (;;) {
      const { version } = state.open;
      const result = await analyseOpenText(state, fileSettings, reportOptions, () => state.open.version !== version);
      if (result) return state.notebook ? state.notebook.readiness(result) : fileReadiness(state.open.uri, result);
    }
  }

  /**
   * The analysis of an open document's current text, in slices; undefined when `stopped()`
   * says at a pause that it is no longer wanted. Text that is not analysable has no tree, and
   * analyzeText then says why without parsing.
   */
  function analyseOpenText(state: DocumentState, fileSettings: AnalysisSettings, options: AnalysisOptions, stopped: () => boolean): Promise<AnalysisResult | undefined> {
    const { open, notebook } = state;
    const tree = open.currentTree(fileSettings.maxFileBytes);
    if (!tree) return Promise.resolve(notebook ? analyzeNotebook(notebook.program, fileSettings, undefined, options) : analyzeText(open.text, fileSettings, options));
    return runInSlices(notebook ? notebookAnalysisSteps(notebook.program, fileSettings, tree, options) : analysisSteps(open.text, tree, fileSettings, options), stopped);
  }

  /** The open Python document (not a notebook) of a file, found by path since clients spell URIs differently. */
  function openPythonDocument(file: string): DocumentState | undefined {
    for (const state of documents.values()) {
      if (!state.notebook && state.open.uri.startsWith('file:') && fileURLToPath(state.open.uri) === file) return state;
    }
    return undefined;
  }

  /**
   * A module's text or existence changed: its summary is dropped, and the open documents that
   * import it are analysed again (only those: the index knows who resolved what).
   */
  function moduleChanged(file: string, except?: DocumentState): void {
    modules.invalidate(file);
    for (const key of modules.dependentsOf(file)) {
      const state = documents.get(key);
      if (!state || state === except) continue;
      state.importsChanged = true;
      schedule(state, dependentsDelayMs);
    }
  }

  function setFolders(uris: string[]): void {
    folders = uris.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
  }

  /**
   * A file's settings with the Keras version its project's dependency files declare (read up
   * to its workspace folder), as the CLI does.
   */
  function projectSettings(file: string, settings: ServerSettings): AnalysisSettings {
    const current = configuredSettings(file, settings);
    if (current.kerasVersion !== 'auto') return current;
    const folder = folders.filter((f) => file.startsWith(f + path.sep)).sort((a, b) => b.length - a.length)[0];
    return { ...current, projectVersion: projects.versionFor(file, folder ? { stopAt: folder, namesRelativeTo: folder } : {}) };
  }

  /**
   * The settings of the file's configuration file (`[tool.ksm]`, `ksm.toml`), as the CLI reads
   * it, under what the user set in the editor: a rule level, or a Keras version other than
   * `auto`, goes over the file. An invalid file is shown to the user (once) and logged, and then
   * not applied.
   */
  function configuredSettings(file: string, current: ServerSettings): ServerSettings {
    let found: FoundConfig | undefined;
    try {
      found = configs.configFor(file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (!shownConfigErrors.has(error.message)) {
        shownConfigErrors.add(error.message);
        connection.console.error(`Invalid configuration, not applied: ${error.message}`);
        void connection.window.showErrorMessage(`Keras SavedModel Lint: invalid configuration, not applied: ${error.message}`);
      }
      return current;
    }
    if (!found) return current;
    const editor = current.kerasVersion === 'auto' ? undefined : current.kerasVersion;
    const fromFile = settingsFrom({ kerasVersion: editor, rule: [], select: [], extendSelect: [], ignore: [] }, found.config, ignoredFor(found, file));
    const userRules: AnalysisSettings['rules'] = {};
    for (const [key, level] of Object.entries(current.rules)) userRules[findRule(key)?.code ?? key] = level;
    return { ...current, kerasVersion: fromFile.kerasVersion, rules: { ...fromFile.rules, ...userRules } };
  }

  /** The engine's settings for a file: its project's, and the modules of the workspace it imports from. */
  function engineSettings(uri: string, current: ServerSettings, open = false): AnalysisSettings {
    if (!uri.startsWith('file:')) return current;
    latestSettings = current;
    const file = fileURLToPath(uri);
    // An open document's imports are recorded, so that a change to one of them re-analyses it.
    return { ...projectSettings(file, current), modules: modules.resolverFor(file, open ? uri : undefined) };
  }

  /**
   * Analyses the document's current text, in slices. Undefined when run `run` was superseded
   * (an edit, a close, a newer request) before it finished.
   */
  async function analyse(state: DocumentState, current: ServerSettings, inputsGeneration: number, run: number): Promise<Analysis | undefined> {
    const { open } = state;
    const { text, version } = open;
    let result: AnalysisResult | undefined;
    let diagnostics: Diagnostic[];
    state.importsChanged = false;
    try {
      result = await analyseOpenText(state, engineSettings(open.uri, current, true), {}, () => state.run !== run || documents.get(open.uri) !== state);
      if (!result) return undefined;
      diagnostics = toDiagnostics(result.findings, open.uri, version);
    } catch (error) {
      // The version still gets its (empty) diagnostics, so nothing from an older text lingers.
      connection.console.error(`Analysis of ${open.uri} failed: ${describeError(error)}`);
      result = notAnalysed(`internal error: ${error instanceof Error ? error.message : String(error)}`);
      diagnostics = [];
    }
    if (result.skipped !== state.loggedSkip) {
      if (result.skipped) log(`${open.uri}: ${result.skipped}`);
      state.loggedSkip = result.skipped;
    }
    return { version, text, inputs: inputsGeneration, settings: current, result, diagnostics };
  }

  /** Starts run `run` of the document's analysis; when it finishes it becomes the current analysis and is published. */
  function startAnalysis(state: DocumentState, current: ServerSettings, inputsGeneration: number, run: number): Promise<Analysis | undefined> {
    const done = analyse(state, current, inputsGeneration, run).then((analysis) => {
      if (state.pending?.run === run) state.pending = undefined;
      if (analysis) {
        state.analysis = analysis;
        publishAnalysis(state, analysis);
      }
      return analysis;
    });
    state.pending = { run, version: state.open.version, inputs: inputsGeneration, done };
    return done;
  }

  function isCurrent(state: DocumentState): boolean {
    const { analysis } = state;
    return analysis !== undefined && analysis.version === state.open.version && analysis.inputs === inputs && !state.importsChanged;
  }

  /**
   * Publishes diagnostics for the text the editor has. A file the engine skips (too large,
   * binary, nested too deeply) gets an empty list, which also clears what an earlier version
   * showed: the reason goes to the log and to the readiness report's `skipped`, since there is
   * no line of the user's code to put a diagnostic on.
   */
  function publishAnalysis(state: DocumentState, analysis: Analysis): void {
    if (analysis.version !== state.open.version || documents.get(state.open.uri) !== state) return;
    publishState(state, analysis.settings.enable ? analysis.diagnostics : [], analysis.version);
  }

  /**
   * The settings of a document, as the user set them for it; a file matched by the `exclude`
   * globs (relative to its workspace folder) is treated as if the extension were off for it.
   */
  async function settingsFor(uri: string): Promise<ServerSettings> {
    const current = await settings.get(uri);
    return isExcluded(uri, current) ? { ...current, enable: false } : current;
  }

  function isExcluded(uri: string, current: ServerSettings): boolean {
    if (current.exclude.length === 0 || !uri.startsWith('file:')) return false;
    const file = fileURLToPath(uri);
    const folder = folders.filter((f) => file.startsWith(f + path.sep)).sort((a, b) => b.length - a.length)[0];
    return folder !== undefined && globsMatch(current.exclude, path.relative(folder, file).split(path.sep).join('/'));
  }

  /** Analyses the document for run `run`; with `run: onSave`, an edit alone does not. */
  async function refresh(state: DocumentState, run: number, trigger: 'edit' | 'other'): Promise<void> {
    const generation = inputs;
    const current = await settingsFor(state.open.uri);
    // A newer edit, configuration change or close has superseded this run while the settings came.
    if (state.run !== run || documents.get(state.open.uri) !== state) return;
    if (trigger === 'edit' && current.run === 'onSave' && current.enable) return;
    if (!current.enable) {
      state.analysis = undefined;
      publishState(state, [], state.open.version);
      return;
    }
    await startAnalysis(state, current, generation, run);
  }

  function schedule(state: DocumentState, delay: number, trigger: 'edit' | 'other' = 'other'): void {
    clearTimeout(state.timer);
    const run = ++state.run;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      refresh(state, run, trigger).catch((error) => connection.console.error(`Analysis of ${state.open.uri} failed: ${describeError(error)}`));
    }, delay);
  }

  /** How long a change of the document's text waits before it is analysed (see `pauseMs`). */
  function changeDelay(state: DocumentState): number {
    const now = performance.now();
    const typing = state.lastChange !== undefined && now - state.lastChange < pauseMs;
    state.lastChange = now;
    return typing ? typingDebounceMs : 0;
  }

  /**
   * The analysis of the document as it is now: the last one if current, else the run under way
   * for this text, else a new run started at once. Undefined if the text changes meanwhile.
   */
  async function currentAnalysis(state: DocumentState): Promise<Analysis | undefined> {
    if (isCurrent(state)) return state.analysis;
    const { pending } = state;
    if (pending && pending.run === state.run && pending.version === state.open.version && pending.inputs === inputs && !state.importsChanged) return pending.done;
    const generation = inputs;
    const current = await settingsFor(state.open.uri);
    if (documents.get(state.open.uri) !== state) return undefined;
    if (isCurrent(state)) return state.analysis;
    clearTimeout(state.timer);
    return startAnalysis(state, current, generation, ++state.run);
  }

  connection.onInitialize(async (params) => {
    await parserReady;
    capabilities = params.capabilities;
    support = editSupport(capabilities);
    settings.setBase(params.initializationOptions);
    setFolders(params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        notebookDocumentSync,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllKind, notebookFixAllKind], resolveProvider: false },
        hoverProvider: true,
        executeCommandProvider: { commands: Object.values(serverCommands) },
        // Every client supports UTF-16, which is what the engine's columns count.
        positionEncoding: PositionEncodingKind.UTF16,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: diagnosticSource, version: packageVersion() },
    };
  });

  /** Re-analyses every open document, after something other than its text changed. */
  function reanalyseAll(): void {
    inputs++;
    requirements.refreshAll();
    for (const state of documents.values()) schedule(state, 0);
  }

  connection.onInitialized(
    guardNotification('initialized', async () => {
      const workspace = capabilities.workspace;
      if (workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          guardNotification('didChangeWorkspaceFolders', ({ added, removed }) => {
            const gone = new Set(removed.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri)));
            const kept = folders.filter((f) => !gone.has(f)).map((f) => pathToFileURL(f).href);
            setFolders([...kept, ...added.map((f) => f.uri)]);
            reanalyseAll();
          }),
        );
      }
      if (workspace?.configuration && workspace.didChangeConfiguration?.dynamicRegistration) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: settingsSection });
      }
      // Dependency files decide the Keras version under `auto`; without watching them the
      // version is read once per folder and kept until the configuration changes.
      // Python files are watched too: a module changed on disk (by git, a formatter) updates
      // the open documents that import it.
      if (workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [...new Set([...projectFilePatterns, ...configFileNames, '*.py'])].map((pattern) => ({ globPattern: `**/${pattern}` })),
        });
      }
    }),
  );

  connection.onDidChangeWatchedFiles(
    guardNotification('didChangeWatchedFiles', ({ changes }) => {
      const onDisk = changes.filter((c) => c.uri.startsWith('file:'));
      for (const change of onDisk) requirements.fileChanged(fileURLToPath(change.uri));
      // A dependency file may change the Keras version of any document.
      let everything = onDisk.map((c) => projects.invalidate(fileURLToPath(c.uri))).includes(true);
      // A configuration file may change the settings of any document below it.
      if (onDisk.map((c) => configs.invalidate(fileURLToPath(c.uri))).includes(true)) {
        shownConfigErrors.clear();
        everything = true;
      }
      for (const change of onDisk) {
        const file = fileURLToPath(change.uri);
        // An open document's text is the editor's, whatever the disk holds.
        if (!file.endsWith('.py') || openPythonDocument(file)) continue;
        if (change.type === FileChangeType.Changed) {
          moduleChanged(file);
        } else {
          // A module created or deleted can change what any import resolves to.
          modules.invalidate(file);
          modules.invalidateLayout();
          everything = true;
        }
      }
      if (everything) reanalyseAll();
    }),
  );

  connection.onDidChangeConfiguration(
    guardNotification('didChangeConfiguration', (params) => {
      // Clients without workspace/configuration push their settings here instead.
      if (!capabilities.workspace?.configuration && params.settings !== null && params.settings !== undefined) {
        settings.setBase(params.settings);
      }
      settings.reset();
      projects.clear();
      configs.clear();
      modules.settingsChanged();
      reanalyseAll();
    }),
  );

  /** Starts tracking an opened document or notebook, replacing one of the same URI. */
  function track(state: DocumentState): void {
    const previous = documents.get(state.open.uri);
    if (previous) {
      clearTimeout(previous.timer);
      previous.open.dispose();
    }
    documents.set(state.open.uri, state);
    schedule(state, 0);
    // Its importers now read the editor's text instead of the file's.
    if (!state.notebook && state.open.uri.startsWith('file:')) moduleChanged(fileURLToPath(state.open.uri), state);
  }

  /** Stops tracking a closed document or notebook, clearing its diagnostics. */
  function untrack(uri: string): void {
    const state = documents.get(uri);
    if (!state) return;
    clearTimeout(state.timer);
    state.open.dispose();
    documents.delete(uri);
    settings.forget(uri);
    publishState(state, []);
    modules.forgetImporter(uri);
    // Its importers now read the file on disk again.
    if (!state.notebook && uri.startsWith('file:')) moduleChanged(fileURLToPath(uri));
  }

  connection.onDidOpenTextDocument(
    guardNotification('didOpen', ({ textDocument }) => {
      if (RequirementDocuments.handles(textDocument.uri)) return requirements.opened(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      const document = TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      track({ open: new OpenDocument(document), run: 0 });
    }),
  );

  connection.onDidChangeTextDocument(
    guardNotification('didChange', ({ textDocument, contentChanges }) => {
      if (RequirementDocuments.handles(textDocument.uri)) return requirements.changed(textDocument.uri, contentChanges, textDocument.version);
      const state = documents.get(textDocument.uri);
      if (!state) return;
      state.open.applyChanges(contentChanges, textDocument.version);
      schedule(state, changeDelay(state), 'edit');
      if (textDocument.uri.startsWith('file:')) moduleChanged(fileURLToPath(textDocument.uri), state);
    }),
  );

  // With `run: onSave`, a save is what analyses the file (with `onType`, it is analysed already).
  connection.onDidSaveTextDocument(guardNotification('didSave', ({ textDocument }) => {
    const state = documents.get(textDocument.uri);
    if (state && !isCurrent(state) && state.pending?.version !== state.open.version) schedule(state, 0);
  }));

  connection.onDidCloseTextDocument(guardNotification('didClose', ({ textDocument }) => {
    requirements.closed(textDocument.uri);
    untrack(textDocument.uri);
  }));

  // Notebooks (LSP 3.17): the cells' texts are kept by `notebooks`; the program of the Python
  // cells is kept as one document, re-parsed incrementally as cells change.
  notebooks.onDidOpen(
    guardNotification('notebookDocument/didOpen', (notebook) => {
      const cells = new OpenNotebook(notebook.uri);
      const program = cells.read(notebook, (uri) => notebooks.cellTextDocuments.get(uri));
      track({ open: new OpenDocument(TextDocument.create(notebook.uri, 'python', notebook.version, program)), run: 0, notebook: cells });
    }),
  );
  notebooks.onDidChange(
    guardNotification('notebookDocument/didChange', ({ notebookDocument }) => {
      const state = documents.get(notebookDocument.uri);
      if (!state?.notebook) return;
      syncProgram(state.open, state.notebook.read(notebookDocument, (uri) => notebooks.cellTextDocuments.get(uri)), notebookDocument.version);
      schedule(state, changeDelay(state), 'edit');
    }),
  );
  notebooks.onDidSave(guardNotification('notebookDocument/didSave', (notebook) => {
    const state = documents.get(notebook.uri);
    if (state && !isCurrent(state) && state.pending?.version !== state.open.version) schedule(state, 0);
  }));
  notebooks.onDidClose(guardNotification('notebookDocument/didClose', (notebook) => untrack(notebook.uri)));
  notebooks.listen(connection);

  connection.onCodeAction(
    guardRequest('codeAction', async (params): Promise<CodeAction[]> => {
      // A notebook cell's actions come from its notebook, whose version the cell's diagnostics carry.
      const uri = params.textDocument.uri;
      const requirementFixes = requirements.quickFixes(uri, params.context.diagnostics, support);
      if (requirementFixes) return kindRequested(params.context.only, CodeActionKind.QuickFix) ? requirementFixes : [];
      const state = documents.get(uri) ?? notebookOfCell(uri);
      if (!state) return [];
      const only = params.context.only;
      const document = { uri, version: state.open.version };
      const actions: CodeAction[] = [];
      if (kindRequested(only, CodeActionKind.QuickFix)) {
        for (const diagnostic of params.context.diagnostics) actions.push(...quickFixes(diagnostic, document, support));
      }
      const notebook = state.notebook;
      const notebookFixAll = notebook !== undefined && kindRequested(only, notebookFixAllKind);
      if (kindRequested(only, fixAllKind) || notebookFixAll) {
        // Asked for by kind (on save, or from the source-action menu) it is computed if stale;
        // in the plain list, which clients ask for on every cursor move, only a current one is offered.
        const analysis = only ? await currentAnalysis(state) : isCurrent(state) ? state.analysis : undefined;
        if (analysis?.settings.enable && analysis.version === state.open.version) {
          const { findings } = analysis.result;
          const versioned = { uri, version: analysis.version };
          // In a notebook, the plain fix-all is the cell's: editors run it cell by cell on save.
          if (kindRequested(only, fixAllKind)) {
            const edits = notebook ? notebook.fixAllEdits(findings, analysis.text, uri) : safeFixEdits(findings, analysis.text);
            const fixAll = fixAllAction(edits, versioned, support);
            if (fixAll) actions.push(fixAll);
          }
          if (notebook && notebookFixAll) {
            const fixAll = fixAllAction(notebook.fixAllEdits(findings, analysis.text), versioned, support, notebookFixAllKind);
            if (fixAll) actions.push(fixAll);
          }
        }
      }
      return actions;
    }),
  );

  /**
   * The report for a file that is not open: read from disk, under that file's settings. A
   * notebook's locations name its cells, with the notebook's URI (its cells have none while it is closed).
   */
  async function diskReadiness(uri: string, current: ServerSettings): Promise<FileReadiness> {
    if (!uri.startsWith('file:')) return fileReadiness(uri, notAnalysed('not a file on disk and not open; not analysed'));
    const file = fileURLToPath(uri);
    const fileSettings = engineSettings(uri, current);
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

  /** The readiness report of one document: its current analysis when open, else its text on disk. */
  async function documentReport(params: ReadinessReportParams | undefined): Promise<FileReadiness> {
    if (typeof params?.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'expected { uri: string }');
    const state = documents.get(params.uri) ?? notebookOfCell(params.uri);
    const analysis = state ? await currentAnalysis(state) : undefined;
    if (state && analysis) return await readinessOf(state, analysis);
    const fileSettings = await settingsFor(params.uri);
    return diskReadiness(params.uri, fileSettings);
  }

  /** The readiness report of every Python file of the workspace, with progress, cancellable between files. */
  async function workspaceReport(params: WorkspaceReadinessReportParams | undefined, token: CancellationToken): Promise<FileReadiness[]> {
    const progress = connection.window.attachWorkDoneProgress(params?.workDoneToken);
    const stopIfCancelled = () => {
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'workspace readiness report cancelled');
    };
    progress.begin('Checking SavedModel readiness', 0, 'Finding Python files', true);
    try {
      // A folder deleted since it was opened has nothing to report; nested folders list a file twice.
      const roots = folders.filter((folder) => fs.existsSync(folder));
      const found = [...new Set(await findPythonFiles(roots))].sort();
      // Open documents are reported with the editor's text, found by path since clients spell URIs differently.
      const openByPath = new Map<string, DocumentState>();
      for (const state of documents.values()) {
        if (state.open.uri.startsWith('file:')) openByPath.set(fileURLToPath(state.open.uri), state);
      }
      const foundUris = found.map((file) => openByPath.get(file)?.open.uri ?? pathToFileURL(file).href);
      const foundSettings = await settings.getMany(foundUris);
      // Files the `exclude` setting matches are left out of the report.
      const kept = found.map((_, i) => i).filter((i) => !isExcluded(foundUris[i]!, foundSettings[i]!));
      const files = kept.map((i) => found[i]!);
      const uris = kept.map((i) => foundUris[i]!);
      const perFile = kept.map((i) => foundSettings[i]!);
      const reports: FileReadiness[] = [];
      for (const [i, file] of files.entries()) {
        stopIfCancelled();
        const root = roots.find((r) => file.startsWith(r + path.sep));
        progress.report((i / files.length) * 100, root ? path.relative(root, file) : file);
        const state = openByPath.get(file);
        const analysis = state ? await currentAnalysis(state) : undefined;
        reports.push(state && analysis ? await readinessOf(state, analysis) : await diskReadiness(uris[i]!, perFile[i]!));
        // Lets a $/cancelRequest (or an edit) through between files.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return reports;
    } finally {
      progress.done();
    }
  }

  connection.onRequest(readinessReportMethod, guardRequest(readinessReportMethod, documentReport));
  connection.onRequest(workspaceReadinessReportMethod, guardRequest(workspaceReadinessReportMethod, workspaceReport));
  connection.onRequest(dependenciesReportMethod, guardRequest(dependenciesReportMethod, (params: DependenciesReportParams | undefined) => requirements.readiness(params?.uri)));

  /**
   * Applies every safe fix of a document (a whole notebook, for a notebook or one of its
   * cells) through `workspace/applyEdit`, for clients without a code-action UI.
   */
  async function applyFixAll(uri: unknown): Promise<FixAllResult> {
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${serverCommands.fixAll} expects a document URI`);
    const state = documents.get(uri) ?? notebookOfCell(uri);
    if (!state) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not open`);
    const analysis = await currentAnalysis(state);
    if (!analysis?.settings.enable) return { fixes: 0, applied: false };
    const { findings } = analysis.result;
    const edits = state.notebook ? state.notebook.fixAllEdits(findings, analysis.text) : safeFixEdits(findings, analysis.text);
    const action = fixAllAction(edits, { uri: state.open.uri, version: analysis.version }, support);
    if (!action?.edit) return { fixes: 0, applied: false };
    const { applied } = await connection.workspace.applyEdit({ label: action.title, edit: action.edit });
    return { fixes: edits.length, applied };
  }

  connection.onExecuteCommand(
    guardRequest('executeCommand', async ({ command, arguments: args, workDoneToken }, token) => {
      switch (command) {
        case serverCommands.fixAll:
          return applyFixAll(args?.[0]);
        case serverCommands.readinessReport:
          return documentReport({ uri: args?.[0] as string });
        case serverCommands.workspaceReadinessReport:
          return workspaceReport({ workDoneToken }, token);
        default:
          throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${command}`);
      }
    }),
  );

  /** The diagnostics the editor shows for a document or a notebook cell: those of its current analysis. */
  function shownDiagnostics(uri: string): Diagnostic[] {
    const state = documents.get(uri) ?? notebookOfCell(uri);
    const analysis = state && isCurrent(state) ? state.analysis : undefined;
    if (!state || !analysis?.settings.enable) return requirements.diagnosticsOf(uri);
    if (!state.notebook) return analysis.diagnostics;
    return state.notebook.cellDiagnostics(analysis.diagnostics).find((cell) => cell.uri === uri)?.diagnostics ?? [];
  }

  connection.onHover(guardRequest('hover', ({ textDocument, position }) => hoverAt(shownDiagnostics(textDocument.uri), position)));

  connection.onShutdown(() => {
    requirements.dispose();
    for (const state of documents.values()) {
      clearTimeout(state.timer);
      state.open.dispose();
    }
    documents.clear();
  });

  connection.listen();
}
