import type { Diagnostic } from 'vscode-languageserver/node';
import type { AnalysisSettings } from '../engine/analysis/types';
import { analysisSteps, analyzeText, notAnalysed, type AnalysisOptions, type AnalysisResult } from '../engine/engine';
import { analyzeNotebook, notebookAnalysisSteps } from '../workspace/notebook-files';
import { toDiagnostics } from './diagnostics';
import type { OpenDocument } from './documents';
import type { OpenNotebook } from './notebooks';
import { describeError, type Session } from './session';
import type { ServerSettings } from './settings';
import { runInSlices } from './slices';

/**
 * When a change is analysed. The first change after a pause is analysed at once; while the user
 * types, a change waits `typingDebounceMs` for the next one (a run that has started anyway stops
 * at its next pause when the text changes).
 */
const pauseMs = 500;
const typingDebounceMs = 50;

/** One analysis of a document: its text and version, the settings it ran under, and its diagnostics. */
export interface Analysis {
  version: number;
  text: string;
  /** The `inputs` generation (settings, dependency files) it ran under. */
  inputs: number;
  settings: ServerSettings;
  result: AnalysisResult;
  diagnostics: Diagnostic[];
}

export interface DocumentState {
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

/**
 * The analyses of the open documents: when they run, how a newer text or settings supersede
 * a run under way, and publishing their diagnostics for the version they were made from.
 */
export class DocumentAnalyses {
  constructor(private readonly session: Session) {}

  /**
   * The analysis of an open document's current text, in slices; undefined when `stopped()`
   * says at a pause that it is no longer wanted. Text that is not analysable has no tree, and
   * analyzeText then says why without parsing.
   */
  analyseOpenText(state: DocumentState, fileSettings: AnalysisSettings, options: AnalysisOptions, stopped: () => boolean): Promise<AnalysisResult | undefined> {
    const { open, notebook } = state;
    const tree = open.currentTree(fileSettings.maxFileBytes);
    if (!tree) return Promise.resolve(notebook ? analyzeNotebook(notebook.program, fileSettings, undefined, options) : analyzeText(open.text, fileSettings, options));
    return runInSlices(notebook ? notebookAnalysisSteps(notebook.program, fileSettings, tree, options) : analysisSteps(open.text, tree, fileSettings, options), stopped);
  }

  /**
   * Analyses the document's current text, in slices. Undefined when run `run` was superseded
   * (an edit, a close, a newer request) before it finished.
   */
  private async analyse(state: DocumentState, current: ServerSettings, inputsGeneration: number, run: number): Promise<Analysis | undefined> {
    const { open } = state;
    const { text, version } = open;
    let result: AnalysisResult | undefined;
    let diagnostics: Diagnostic[];
    state.importsChanged = false;
    try {
      const fileSettings = this.session.engineSettings(open.uri, current, true);
      result = await this.analyseOpenText(state, fileSettings, {}, () => state.run !== run || this.session.documents.get(open.uri) !== state);
      if (!result) return undefined;
      diagnostics = toDiagnostics(result.findings, open.uri, version);
    } catch (error) {
      // The version still gets its (empty) diagnostics, so nothing from an older text lingers.
      this.session.connection.console.error(`Analysis of ${open.uri} failed: ${describeError(error)}`);
      result = notAnalysed(`internal error: ${error instanceof Error ? error.message : String(error)}`);
      diagnostics = [];
    }
    if (result.skipped !== state.loggedSkip) {
      if (result.skipped) this.session.log(`${open.uri}: ${result.skipped}`);
      state.loggedSkip = result.skipped;
    }
    return { version, text, inputs: inputsGeneration, settings: current, result, diagnostics };
  }

  /** Starts run `run` of the document's analysis; when it finishes it becomes the current analysis and is published. */
  private start(state: DocumentState, current: ServerSettings, inputsGeneration: number, run: number): Promise<Analysis | undefined> {
    const done = this.analyse(state, current, inputsGeneration, run).then((analysis) => {
      if (state.pending?.run === run) state.pending = undefined;
      if (analysis) {
        state.analysis = analysis;
        this.publish(state, analysis);
      }
      return analysis;
    });
    state.pending = { run, version: state.open.version, inputs: inputsGeneration, done };
    return done;
  }

  isCurrent(state: DocumentState): boolean {
    const { analysis } = state;
    return analysis !== undefined && analysis.version === state.open.version && analysis.inputs === this.session.inputs && !state.importsChanged;
  }

  /** Whether a save should analyse the document: it has changed since its analysis and none is under way for its text. */
  needsAnalysis(state: DocumentState): boolean {
    return !this.isCurrent(state) && state.pending?.version !== state.open.version;
  }

  /**
   * Publishes diagnostics for the text the editor has. A file the engine skips (too large,
   * binary, nested too deeply) gets an empty list, which also clears what an earlier version
   * showed: the reason goes to the log and to the readiness report's `skipped`, since there is
   * no line of the user's code to put a diagnostic on.
   */
  private publish(state: DocumentState, analysis: Analysis): void {
    if (analysis.version !== state.open.version || this.session.documents.get(state.open.uri) !== state) return;
    this.session.publishState(state, analysis.settings.enable ? analysis.diagnostics : [], analysis.version);
  }

  /** Analyses the document for run `run`; with `run: onSave`, an edit alone does not. */
  private async refresh(state: DocumentState, run: number, trigger: 'edit' | 'other'): Promise<void> {
    const generation = this.session.inputs;
    const current = await this.session.settingsFor(state.open.uri);
    // A newer edit, configuration change or close has superseded this run while the settings came.
    if (state.run !== run || this.session.documents.get(state.open.uri) !== state) return;
    if (trigger === 'edit' && current.run === 'onSave' && current.enable) return;
    if (!current.enable) {
      state.analysis = undefined;
      this.session.publishState(state, [], state.open.version);
      return;
    }
    await this.start(state, current, generation, run);
  }

  schedule(state: DocumentState, delay: number, trigger: 'edit' | 'other' = 'other'): void {
    clearTimeout(state.timer);
    const run = ++state.run;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.refresh(state, run, trigger).catch((error) => this.session.connection.console.error(`Analysis of ${state.open.uri} failed: ${describeError(error)}`));
    }, delay);
  }

  /** Schedules the analysis of a change of the document's text (see `pauseMs`). */
  changed(state: DocumentState): void {
    const now = performance.now();
    const typing = state.lastChange !== undefined && now - state.lastChange < pauseMs;
    state.lastChange = now;
    this.schedule(state, typing ? typingDebounceMs : 0, 'edit');
  }

  /**
   * The analysis of the document as it is now: the last one if current, else the run under way
   * for this text, else a new run started at once. Undefined if the text changes meanwhile.
   */
  async current(state: DocumentState): Promise<Analysis | undefined> {
    if (this.isCurrent(state)) return state.analysis;
    const { pending } = state;
    if (pending && pending.run === state.run && pending.version === state.open.version && pending.inputs === this.session.inputs && !state.importsChanged) return pending.done;
    const generation = this.session.inputs;
    const current = await this.session.settingsFor(state.open.uri);
    if (this.session.documents.get(state.open.uri) !== state) return undefined;
    if (this.isCurrent(state)) return state.analysis;
    clearTimeout(state.timer);
    return this.start(state, current, generation, ++state.run);
  }
}
