import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NotebookProgram } from '../engine/analysis/notebook';
import { initParser } from '../engine/analysis/parser';
import { applyEdits } from '../engine/analysis/apply';
import type { AnalysisSettings, Finding, OtherFileEdits } from '../engine/analysis/types';
import { analyzeText, type AnalysisOptions, type AnalysisResult } from '../engine/engine';
import { FileSettings } from '../workspace/file-settings';
import type { SelectionOptions } from '../engine/selection';
import { fixAll, type FixOptions } from '../engine/fix-all';
import { decodePython, readPythonFile, type ReadResult } from '../workspace/files';
import { UnwritableText, writeSourceAtomic } from '../workspace/write-file';
import { analyzeNotebook, fixNotebookCells, isNotebookPath, parseNotebook, readNotebookFile, writeNotebook, type NotebookRead } from '../workspace/notebook-files';
import { isRequirementFile, isWithin, projectDirectories, readProject } from '../workspace/project-files';
import { isProjectFileName } from '../engine/analysis/project-version';
import { analyzeProject, type ProjectFinding } from '../engine/project';
import { projectReadiness, type ProjectReadiness } from '../engine/project-report';
import type { RuleSettingOf } from '../engine/report';
import { WorkspaceIndex } from '../workspace/workspace-index';

/**
 * Checking the files of one `ksm check` or `ksm report` run: each file with the Keras version of
 * its own project and the modules it imports, optionally fixed in place, sequentially or, for
 * large runs, on worker threads. The outcomes come back in the order of the files, the same
 * whichever way they were computed.
 */

export interface FileOutcome {
  file: string;
  result?: AnalysisResult;
  /** Why the file was not analysed. */
  skipped?: string;
  fixed: number;
  /** The rules whose findings were fixed, with how many of each (for `--show-fixes`). */
  fixedRules?: Record<string, number>;
  /** A notebook's program, whose ranges are mapped back to cells for output. */
  program?: NotebookProgram;
  /** With `--diff`: the text as it is, and as the fixes would leave it (nothing is written). */
  change?: { before: string; after: string };
}

/**
 * The modules that checked files import, looked up from each file's own folders, the working
 * directory and the checked folders, and read only when imported. Locations in them are named
 * by path, relative to the working directory as the checked files are.
 */
function workspaceModules(paths: string[], settingsFor: (file: string) => AnalysisSettings, edited: ReadonlyMap<string, EditedModule>): WorkspaceIndex {
  const cwd = process.cwd();
  // A checked file's own folders are searched anyway (up to a repository root), so only folders are roots.
  const roots = [cwd, ...paths.filter((p) => fs.statSync(p).isDirectory())].map((p) => path.resolve(p));
  return new WorkspaceIndex({
    roots: () => roots,
    read: (file) => {
      const overlay = edited.get(path.resolve(file));
      if (overlay) return overlay.after;
      try {
        const read = readPythonFile(file);
        return 'text' in read ? read.text : undefined;
      } catch {
        return undefined;
      }
    },
    locationOf: (file) => (isWithin(file, cwd) ? path.relative(cwd, file) : file),
    settingsFor,
  });
}

/** A module that fixes reported in other files changed: its text before the run, and now. */
interface EditedModule {
  /** The file as the fixes name it. */
  name: string;
  before: string;
  after: string;
}

/** `KSM402 (fit-generator-removed)` → how many of its findings were fixed. */
function countByRule(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[`${f.code} (${f.name})`] = (counts[`${f.code} (${f.name})`] ?? 0) + 1;
  return counts;
}

/** Where a fixed text goes: the file on disk, or standard output for standard input. */
export type FixedTextWriter = (text: string) => void;

/**
 * A notebook: its Python cells analysed as one program. `--fix` writes back only the changed
 * cells' sources, and only when the result is a valid notebook.
 */
function checkNotebook(file: string, read: NotebookRead, settings: AnalysisSettings, fix: FixedTextWriter | undefined, options: AnalysisOptions, fixOptions: FixOptions): FileOutcome {
  if ('skipped' in read) return { file, skipped: read.skipped, fixed: 0 };
  let notebook = read.notebook;
  let fixed = 0;
  let fixedRules: Record<string, number> | undefined;
  if (fix) {
    const outcome = fixNotebookCells(notebook.cells, settings, fixOptions);
    const written = outcome.texts.size > 0 ? parseNotebook(writeNotebook(notebook, outcome.texts)) : undefined;
    const cellsWritten = written !== undefined && 'notebook' in written;
    if (cellsWritten) {
      fix(written.notebook.json);
      notebook = written.notebook;
    }
    // Fixes that edit only other modules count too; those of cells only when the cells were written.
    if (outcome.applied > 0 && (cellsWritten || outcome.texts.size === 0)) {
      fixed = outcome.applied;
      fixedRules = countByRule(outcome.fixed);
    }
  }
  const program = new NotebookProgram(notebook.cells);
  const result = analyzeNotebook(program, settings, undefined, options);
  return { file, result, program, fixed, ...(fixedRules ? { fixedRules } : {}), ...(result.skipped ? { skipped: result.skipped } : {}) };
}

/**
 * Checks files one by one, with one view of the projects and modules they belong to. A fix that
 * edits another module (registering a class where it is defined) is applied there once, however
 * many files report it: the module is written (or, for `--diff`, kept in memory and read from
 * there) and its summary forgotten, so the next file that imports it sees it fixed.
 */
export class FileChecker {
  private readonly modules: WorkspaceIndex;

  private readonly fileSettings = new FileSettings();
  /** Modules changed by fixes reported in other files, by resolved path. */
  private readonly edited = new Map<string, EditedModule>();
  /** Files checked so far, and those among them that another file's fix changed afterwards. */
  private readonly checked = new Set<string>();
  private readonly stale = new Set<string>();

  /** `dryRun`: fix in memory only, and return each change (`--diff`); `unsafe`: apply unsafe fixes too. */
  constructor(paths: string[], private readonly selection: SelectionOptions, private readonly fix: boolean, private readonly options: AnalysisOptions = {}, private readonly dryRun = false, private readonly unsafe = false) {
    this.modules = workspaceModules(paths, (file) => this.ownSettings(file), this.edited);
  }

  /** Each file gets the settings of its own configuration file and project under the command line's. */
  private ownSettings(file: string): AnalysisSettings {
    return this.fileSettings.settingsFor(file, this.selection, { namesRelativeTo: process.cwd() });
  }

  check(file: string): FileOutcome {
    const key = path.resolve(file);
    this.checked.add(key);
    this.stale.delete(key);
    const edited = this.edited.get(key);
    const read = edited ? { text: edited.after } : isNotebookPath(file) ? readNotebookFile(file) : readPythonFile(file, this.ownSettings(file).maxFileBytes);
    const keep = (text: string) => {
      if (edited) edited.after = text;
    };
    if (this.dryRun) {
      let after = edited?.after;
      const outcome = this.checkSource(file, read, (text) => {
        after = text;
        keep(text);
      });
      const before = edited?.before ?? ('text' in read ? read.text : 'notebook' in read ? read.notebook.json : undefined);
      return after !== undefined && before !== undefined && after !== before ? { ...outcome, change: { before, after } } : outcome;
    }
    const write: FixedTextWriter = (text) => {
      writeSourceAtomic(file, text);
      keep(text);
      this.modules.invalidate(file);
    };
    try {
      return this.checkSource(file, read, this.fix ? write : undefined);
    } catch (error) {
      if (!(error instanceof UnwritableText)) throw error;
      return { ...this.checkSource(file, read, undefined), skipped: `not fixed: ${error.message}` };
    }
  }

  /**
   * Checks the files in order; then again each one that a later file's fix changed, its fixes
   * counted together; with `--diff`, a module changed that is not among them gets an outcome of
   * its own, with only its change.
   */
  checkAll(files: readonly string[]): FileOutcome[] {
    const outcomes = files.map((file) => this.check(file));
    const shown = new Set(files.map((f) => path.resolve(f)));
    const again = outcomes.map((outcome) => {
      if (!this.stale.has(path.resolve(outcome.file))) return outcome;
      const now = this.check(outcome.file);
      const fixedRules = { ...outcome.fixedRules };
      for (const [rule, count] of Object.entries(now.fixedRules ?? {})) fixedRules[rule] = (fixedRules[rule] ?? 0) + count;
      return { ...now, fixed: outcome.fixed + now.fixed, ...(Object.keys(fixedRules).length > 0 ? { fixedRules } : {}) };
    });
    if (!this.dryRun) return again;
    const others = [...this.edited].filter(([key]) => !shown.has(key))
      .map(([, { name, before, after }]): FileOutcome => ({ file: name, fixed: 0, change: { before, after } }));
    return [...again, ...others];
  }

  /**
   * A fix's edits to another module, against its current text (its summary was made from it):
   * written, or kept in memory for `--diff`, and the module's summary forgotten. False when the
   * edits change nothing or cannot be applied or written.
   */
  private applyElsewhere(change: OtherFileEdits): boolean {
    const key = path.resolve(change.file);
    const known = this.edited.get(key);
    const read = known ? { text: known.after } : readPythonFile(key);
    if (!('text' in read)) return false;
    let after: string;
    try {
      after = applyEdits(read.text, change.edits);
    } catch {
      return false;
    }
    if (after === read.text) return false;
    if (!this.dryRun) {
      try {
        writeSourceAtomic(key, after);
      } catch (error) {
        if (error instanceof UnwritableText) return false;
        throw error;
      }
    }
    this.edited.set(key, { name: known?.name ?? change.file, before: known?.before ?? read.text, after });
    if (this.checked.has(key)) this.stale.add(key);
    this.modules.invalidate(key);
    return true;
  }

  /**
   * Checks a text that is not read from `file` (standard input named by `--stdin-filename`):
   * `file` still decides notebook or Python, the configuration and the project.
   */
  checkText(file: string, bytes: Uint8Array, write: FixedTextWriter | undefined): FileOutcome {
    const read = isNotebookPath(file) ? parseNotebook(new TextDecoder().decode(bytes)) : decodePython(bytes);
    return this.checkSource(file, read, write);
  }

  /**
   * The project rules over the requirement files among `files`: each directory holding one is a
   * project, whose requirement files are read together and whose Python files below it are its
   * code. One outcome per requirement file named or found, and per other file of the project
   * that has a finding. Their fixes are all unsafe, so `--fix` leaves them.
   */
  checkProjects(files: readonly string[]): FileOutcome[] {
    const cwd = process.cwd();
    const shown = new Map(files.map((f) => [path.resolve(f), f]));
    const nameOf = (name: string) => shown.get(path.resolve(cwd, name)) ?? name;
    const outcomes = new Map<string, FileOutcome>();
    const outcomeOf = (file: string) => {
      const outcome = outcomes.get(file) ?? { file, fixed: 0, result: { findings: [], models: [], version: { major: undefined, source: 'a requirement file' } } };
      outcomes.set(file, outcome);
      return outcome;
    };
    for (const file of files) outcomeOf(file);
    for (const directory of projectDirectories(files)) {
      const input = readProject(directory, cwd);
      if (!input) continue;
      const listed = files.find((f) => path.dirname(path.resolve(f)) === directory)!;
      const result = analyzeProject(input, this.ownSettings(listed));
      for (const finding of result.findings) {
        const related = finding.related.map((r) => (r.uri === undefined ? r : { ...r, uri: nameOf(r.uri) }));
        outcomeOf(nameOf(finding.file)).result!.findings.push({ ...finding, related });
      }
      if (result.errors.length > 0) outcomeOf(listed).skipped = `some rules failed: ${result.errors.join('; ')}`;
    }
    return [...outcomes.values()];
  }

  /** Unsafe fixes when asked for; other modules are edited only when fixing files (standard input fixes its own text only). */
  private fixOptions(): FixOptions {
    const elsewhere = this.fix ? { applyElsewhere: (change: OtherFileEdits) => this.applyElsewhere(change) } : {};
    return { unsafe: this.unsafe, ...elsewhere };
  }

  private checkSource(file: string, read: ReadResult | NotebookRead, write: FixedTextWriter | undefined): FileOutcome {
    const fileSettings = { ...this.ownSettings(file), modules: this.modules.resolverFor(file) };
    if (isNotebookPath(file)) return checkNotebook(file, read as NotebookRead, fileSettings, write, this.options, this.fixOptions());
    if ('skipped' in read) return { file, skipped: read.skipped, fixed: 0 };
    let text = (read as { text: string }).text;
    let fixed = 0;
    let fixedRules: Record<string, number> | undefined;
    // The last round of fixing analysed the text it leaves, so that analysis is reused.
    let result: AnalysisResult | undefined;
    if (write) {
      const outcome = fixAll(text, fileSettings, this.fixOptions());
      result = outcome.result;
      if (outcome.text !== text) {
        write(outcome.text);
        text = outcome.text;
      }
      // Fixes that edit only other modules count here too, where they were reported.
      if (outcome.applied > 0) {
        fixed = outcome.applied;
        fixedRules = countByRule(outcome.fixed);
      }
    }
    if (!result || this.options.versionView || this.options.keepSuppressed) result = analyzeText(text, fileSettings, this.options);
    return { file, result, fixed, ...(fixedRules ? { fixedRules } : {}), ...(result.skipped ? { skipped: result.skipped } : {}) };
  }
}

/**
 * How many worker threads check Python files: `off` (the default) checks on the main thread.
 * Measured with `npm run bench` on 2 cores, two workers gave no gain over 330 files (a single
 * process already keeps both cores busy with garbage collection and compilation), so they are
 * used only when asked for; `--fix` always stays sequential, since a fixed file may be a module
 * that another file's check reads.
 */
export type Concurrency = 'off' | number;

function workerCount(fix: boolean, concurrency: Concurrency): number {
  return fix || concurrency === 'off' || concurrency <= 1 ? 0 : Math.floor(concurrency);
}

/** No fixing, or fixing (in memory only with `diff`), unsafe fixes too with `unsafe`. */
export type FixMode = false | { diff: boolean; unsafe: boolean };

/** What a worker is started with (see check-worker.ts). */
export interface WorkerSetup {
  paths: string[];
  selection: SelectionOptions;
  options: AnalysisOptions;
}

/**
 * Checks the files: Python files and notebooks in order, on worker threads when `concurrency`
 * asks for them, then the projects of the requirement files among them.
 */
export async function checkFiles(files: readonly string[], paths: string[], selection: SelectionOptions, fix: FixMode, concurrency: Concurrency, options: AnalysisOptions = {}): Promise<FileOutcome[]> {
  await initParser();
  const outcomes = await checkPythonFiles(files.filter((f) => !isRequirementFile(f)), paths, selection, fix, concurrency, options);
  // setup.py is both: a Python file, and one of its project's requirement files.
  const projectFiles = files.filter(isProjectFileName);
  if (projectFiles.length === 0) return outcomes;
  const byFile = new Map(outcomes.map((o) => [o.file, o]));
  const fromProjects = new FileChecker(paths, selection, false, options).checkProjects(projectFiles).filter((project) => {
    const python = byFile.get(project.file);
    if (!python) return true;
    // Its requirement findings join its own findings as Python, in order.
    if (python.result && project.result?.findings.length) {
      python.result = { ...python.result, findings: [...python.result.findings, ...project.result.findings].sort(byPosition) };
    }
    return false;
  });
  return [...outcomes, ...fromProjects];
}

function byPosition(a: Finding, b: Finding): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

async function checkPythonFiles(files: readonly string[], paths: string[], selection: SelectionOptions, fix: FixMode, concurrency: Concurrency, options: AnalysisOptions): Promise<FileOutcome[]> {
  const workers = workerCount(fix !== false, concurrency);
  const checker = new FileChecker(paths, selection, fix !== false, options, fix !== false && fix.diff, fix !== false && fix.unsafe);
  if (workers === 0) return checker.checkAll(files);
  const outcomes: Array<FileOutcome | undefined> = new Array(files.length);
  // Notebooks keep their program object for output, so they are checked here.
  const pythonIndexes: number[] = [];
  files.forEach((file, index) => (isNotebookPath(file) ? (outcomes[index] = checker.check(file)) : pythonIndexes.push(index)));
  await onWorkers(workers, { paths, selection, options }, pythonIndexes.map((i) => files[i]!), (index, outcome) => {
    outcomes[pythonIndexes[index]!] = outcome;
  });
  return outcomes.map((o, i) => o ?? { file: files[i]!, skipped: 'not checked', fixed: 0 });
}

/** Hands the files out one at a time to `count` workers as each becomes free. */
function onWorkers(count: number, setup: WorkerSetup, files: readonly string[], done: (index: number, outcome: FileOutcome) => void): Promise<void> {
  const script = path.join(__dirname, 'check-worker.js');
  let next = 0;
  let finished = 0;
  return new Promise((resolve, reject) => {
    const pool = Array.from({ length: Math.min(count, files.length) }, () => new Worker(script, { workerData: setup }));
    if (pool.length === 0) resolve();
    const give = (worker: Worker): void => {
      if (next < files.length) {
        worker.postMessage({ index: next, file: files[next] });
        next++;
      } else {
        void worker.terminate();
      }
    };
    for (const worker of pool) {
      worker.on('message', (message: { index: number; outcome: FileOutcome } | 'ready') => {
        if (message !== 'ready') {
          done(message.index, message.outcome);
          if (++finished === files.length) {
            for (const w of pool) void w.terminate();
            resolve();
            return;
          }
        }
        give(worker);
      });
      worker.on('error', (error) => {
        for (const w of pool) void w.terminate();
        reject(error);
      });
    }
  });
}

/** The "Dependencies" check of each project among the outcomes of requirement files, by directory as shown. */
export function projectChecks(outcomes: readonly FileOutcome[], setting: RuleSettingOf): ProjectReadiness[] {
  const byProject = new Map<string, ProjectFinding[]>();
  for (const outcome of outcomes) {
    // setup.py's outcome holds its Python findings too; the project's check keeps its own rules'.
    if (!isProjectFileName(outcome.file)) continue;
    const project = path.dirname(outcome.file);
    const findings = (outcome.result?.findings ?? []).map((f) => ({ ...f, file: outcome.file }));
    byProject.set(project, [...(byProject.get(project) ?? []), ...findings]);
  }
  return [...byProject].map(([project, findings]) => projectReadiness(project, findings, setting));
}
