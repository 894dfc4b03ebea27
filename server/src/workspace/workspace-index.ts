import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarizeModule } from './module-summary';
import { parsePython } from '../engine/analysis/parser';
import type { AnalysisSettings, ModuleResolver, ModuleSummary } from '../engine/analysis/types';
import { isWithin } from './project-files';

/**
 * The modules of a workspace that analysed files import, found on demand and summarised once.
 *
 * A module name is looked up as Python would find it from the importing file: relative imports
 * (`from .layers import X`, `from ..x import Y`) from the file's package, absolute ones
 * (`from pkg.layers import X`, `import pkg.layers as L`) in the file's directory and each one
 * above it (up to its workspace root, else a repository root), then in the workspace roots:
 * `pkg/layers.py` or `pkg/layers/__init__.py`. Only the files that are imported are read, each
 * once until `invalidate` says it changed; which files each importer resolved through is kept,
 * so a change re-analyses only the files that depend on it.
 *
 * An importer sees a module's summary made with its own imports followed one hop (models.py's
 * helper uses layers.py's class), from summaries of those modules made without (no cycles, no
 * chains): so train.py depends on layers.py through models.py too.
 */

export interface WorkspaceIndexOptions {
  /** The workspace roots (folders, or the CLI's working directory and checked paths). */
  roots: () => string[];
  /** A module's text: the editor's for an open document, else the file's; undefined when it cannot be read. */
  read: (file: string) => string | undefined;
  /** How the adapter names a module's file in locations (a URI, a path). */
  locationOf: (file: string) => string;
  /**
   * The editor's version of the text `read` gives, for an open document; summaries stamp it on
   * the edits they hold (a class's registration, a layer's fixes).
   */
  versionOf?: (file: string) => number | undefined;
  /**
   * The settings a module is analysed with for its summary (Keras version, rule levels), as the
   * module would be checked itself; the engine's defaults when not given.
   */
  settingsFor?: (file: string) => AnalysisSettings;
}

/** Marks the edits a summary holds against its module's text with the editor's version of that text. */
function stampVersion(summary: ModuleSummary, version: number): void {
  for (const cls of summary.classes) if (cls.registration) cls.registration.version = version;
  for (const fn of summary.functions) if (fn.unbuiltFirstLayer) fn.unbuiltFirstLayer.version = version;
}

/** Folders climbed at most, whatever bounds the search. */
const maxAncestors = 8;

export class WorkspaceIndex {
  /** Summaries that follow the module's own imports one hop, as importers see them. */
  private readonly summaries = new Map<string, ModuleSummary>();
  /** Summaries of the modules those imports reach, made without following theirs. */
  private readonly shallowSummaries = new Map<string, ModuleSummary>();
  /** The module files each (followed) summary resolved. */
  private readonly moduleImports = new Map<string, Set<string>>();
  private readonly fileOf = new WeakMap<ModuleSummary, string>();
  private readonly exists = new Map<string, boolean>();
  /** Importers (by key) of each module file they resolved. */
  private readonly dependents = new Map<string, Set<string>>();
  /** Module files that each importer resolved, for forgetting its edges before it is analysed again. */
  private readonly dependencies = new Map<string, Set<string>>();

  constructor(private readonly options: WorkspaceIndexOptions) {}

  /**
   * The resolver for analysing the file at `importer`. With a `key` (the importer's URI), every
   * module it resolves is recorded as a dependency, replacing those of its previous analysis.
   */
  resolverFor(importer: string, key?: string): ModuleResolver {
    if (key !== undefined) this.forgetImporter(key);
    return (module, level, from) => {
      const file = this.resolve(importer, module, level, from);
      if (file === undefined) return undefined;
      const summary = this.summaryOf(file);
      if (key !== undefined) for (const dependency of [file, ...(this.moduleImports.get(file) ?? [])]) this.addDependency(key, dependency);
      return summary;
    };
  }

  /** The file of a module imported by `importer` (or re-exported by the module `from`), never the importer itself. */
  private resolve(importer: string, module: string, level: number, from: ModuleSummary | undefined): string | undefined {
    const base = from ? this.fileOf.get(from) : importer;
    if (base === undefined) return undefined;
    const file = this.locate(module, level, base);
    return file === undefined || path.resolve(file) === path.resolve(importer) ? undefined : file;
  }

  /** The importers (keys) whose analysis used the module at `file`. */
  dependentsOf(file: string): string[] {
    return [...(this.dependents.get(path.resolve(file)) ?? [])];
  }

  /** Drops what is known of `file` (its text or its existence changed). */
  invalidate(file: string): void {
    const resolved = path.resolve(file);
    this.summaries.delete(resolved);
    this.shallowSummaries.delete(resolved);
    this.exists.delete(resolved);
    for (const [module, imports] of this.moduleImports) if (imports.has(resolved)) this.summaries.delete(module);
  }

  /** Forgets every existence check, after files were created or deleted (and the summaries whose imports may now resolve elsewhere). */
  invalidateLayout(): void {
    this.exists.clear();
    this.summaries.clear();
  }

  /** Forgets every summary, after the settings they were made with changed. */
  settingsChanged(): void {
    this.summaries.clear();
    this.shallowSummaries.clear();
  }

  /** Forgets the modules an importer depended on (it was closed, or is about to be analysed again). */
  forgetImporter(key: string): void {
    for (const file of this.dependencies.get(key) ?? []) this.dependents.get(file)?.delete(key);
    this.dependencies.delete(key);
  }

  private addDependency(key: string, file: string): void {
    const dependents = this.dependents.get(file) ?? new Set<string>();
    dependents.add(key);
    this.dependents.set(file, dependents);
    const dependencies = this.dependencies.get(key) ?? new Set<string>();
    dependencies.add(file);
    this.dependencies.set(key, dependencies);
  }

  /** The summary importers see: the module's imports followed one hop, each resolved module recorded. */
  private summaryOf(file: string): ModuleSummary | undefined {
    const cached = this.summaries.get(file);
    if (cached) return cached;
    const imports = new Set<string>();
    const summary = this.summarize(file, (module, level, from) => {
      const found = this.resolve(file, module, level, from);
      if (found === undefined) return undefined;
      imports.add(found);
      return this.shallowSummaryOf(found);
    });
    if (summary) {
      this.summaries.set(file, summary);
      this.moduleImports.set(file, imports);
    }
    return summary;
  }

  private shallowSummaryOf(file: string): ModuleSummary | undefined {
    const cached = this.shallowSummaries.get(file);
    if (cached) return cached;
    const summary = this.summarize(file, undefined);
    if (summary) this.shallowSummaries.set(file, summary);
    return summary;
  }

  private summarize(file: string, modules: ModuleResolver | undefined): ModuleSummary | undefined {
    const text = this.options.read(file);
    if (text === undefined) return undefined;
    const version = this.options.versionOf?.(file);
    const tree = parsePython(text);
    let summary: ModuleSummary;
    try {
      const settings = this.options.settingsFor?.(file) ?? { kerasVersion: 'auto', rules: {} };
      summary = { ...summarizeModule(text, tree, { ...settings, modules }), uri: this.options.locationOf(file) };
    } finally {
      tree.delete();
    }
    if (version !== undefined) stampVersion(summary, version);
    this.fileOf.set(summary, file);
    return summary;
  }

  /** The file of a module imported from `importer`, or undefined when it is not in the workspace. */
  private locate(module: string, level: number, importer: string): string | undefined {
    const parts = module === '' ? [] : module.split('.');
    if (parts.some((p) => !/^\w+$/.test(p))) return undefined;
    if (level > 0) {
      let directory = path.dirname(path.resolve(importer));
      for (let i = 1; i < level; i++) directory = path.dirname(directory);
      return this.moduleFile(directory, parts);
    }
    if (parts.length === 0) return undefined;
    for (const directory of this.searchPath(importer)) {
      const found = this.moduleFile(directory, parts);
      if (found) return found;
    }
    return undefined;
  }

  /** `dir/a/b.py` or `dir/a/b/__init__.py`; for no parts, the package `dir/__init__.py`. */
  private moduleFile(directory: string, parts: string[]): string | undefined {
    const base = path.join(directory, ...parts);
    const candidates = parts.length === 0 ? [path.join(base, '__init__.py')] : [`${base}.py`, path.join(base, '__init__.py')];
    return candidates.find((candidate) => this.isFile(candidate));
  }

  /**
   * The importer's folder and those above it, then the workspace roots. The climb ends at the
   * workspace root that holds the file (else a repository root), but never inside a package:
   * the folder that holds the top package is where Python finds it.
   */
  private searchPath(importer: string): string[] {
    const roots = this.options.roots().map((r) => path.resolve(r));
    let directory = path.dirname(path.resolve(importer));
    const root = roots.filter((r) => isWithin(directory, r)).sort((a, b) => b.length - a.length)[0];
    const directories: string[] = [];
    let bounded = false;
    for (let i = 0; i < maxAncestors; i++) {
      directories.push(directory);
      bounded ||= root !== undefined ? directory === root : this.isRepositoryRoot(directory);
      const parent = path.dirname(directory);
      if ((bounded && !this.isFile(path.join(directory, '__init__.py'))) || parent === directory) break;
      directory = parent;
    }
    for (const r of roots) if (!directories.includes(r)) directories.push(r);
    return directories;
  }

  private isRepositoryRoot(directory: string): boolean {
    return this.isFile(path.join(directory, '.git'), true);
  }

  private isFile(file: string, anyKind = false): boolean {
    const key = anyKind ? `${file}\0any` : file;
    const known = this.exists.get(key);
    if (known !== undefined) return known;
    let found = false;
    try {
      const stat = fs.statSync(file);
      found = anyKind || stat.isFile();
    } catch {
      found = false;
    }
    this.exists.set(key, found);
    return found;
  }
}
