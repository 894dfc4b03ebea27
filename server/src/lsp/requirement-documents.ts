import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isProjectFileName } from '../engine/analysis/project-version';
import type { AnalysisSettings } from '../engine/analysis/types';
import { ruleSettingsOf } from '../engine/engine';
import { analyzeProject, type ProjectFinding, type ProjectResult } from '../engine/project';
import { projectReadiness } from '../engine/project-report';
import type { ProjectReadiness } from '../protocol';
import { findProjectDirectories, isWithin, readProject, type TextOf } from '../workspace/project-files';
import { quickFixes, type EditSupport } from './code-actions';
import { toDiagnostics } from './diagnostics';

/** What the requirement documents need of the server. */
export interface RequirementHost {
  publish(uri: string, diagnostics: Diagnostic[], version?: number): void;
  /** The settings for a file (its configuration file's under the editor's), and whether the extension is enabled for it. */
  settingsFor(uri: string): Promise<{ enable: boolean; settings: AnalysisSettings }>;
  folders(): string[];
  /** The editor's text of an open Python file. */
  pythonText(file: string): string | undefined;
  /** The editor's version of an open Python document (a setup.py), which its diagnostics are made for. */
  pythonVersion(uri: string): number | undefined;
  error(message: string): void;
}

/** Quiet time after the last keystroke in a requirement file before its project is checked again. */
const debounceMs = 200;

/**
 * Requirement files (`requirements*.txt`, `pyproject.toml`, `setup.cfg`, `environment.yml`;
 * `setup.py` stays a Python document) and the findings of the project rules on them. A project
 * is the directory of a requirement file: its requirement files are one environment, and the
 * Python files below it are its code. Opening, editing or saving one checks the project again,
 * with the editor's text for open files, and publishes on each of its requirement files.
 */
export class RequirementDocuments {
  private readonly open = new Map<string, TextDocument>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** By project directory: the URIs diagnostics were published on, so they can be cleared. */
  private readonly published = new Map<string, Set<string>>();
  /** The diagnostics last published, by URI. */
  private readonly shown = new Map<string, Diagnostic[]>();
  /** Open `setup.py` documents: Python documents of the server that are also requirement files of their project. */
  private readonly openSetupPy = new Set<string>();

  constructor(private readonly host: RequirementHost) {}

  /** Whether a document is a requirement file that this class takes care of. */
  static handles(uri: string): boolean {
    if (!uri.startsWith('file:')) return false;
    const file = fileURLToPath(uri);
    return isProjectFileName(file) && !file.endsWith('.py');
  }

  opened(uri: string, languageId: string, version: number, text: string): void {
    this.open.set(uri, TextDocument.create(uri, languageId, version, text));
    this.schedule(this.directoryOf(uri), 0);
  }

  changed(uri: string, changes: TextDocumentContentChangeEvent[], version: number): void {
    const document = this.open.get(uri);
    if (!document) return;
    TextDocument.update(document, changes, version);
    this.schedule(this.directoryOf(uri), debounceMs);
  }

  /** A closed file's project is checked again while another of its files is open; otherwise its diagnostics go. */
  closed(uri: string): void {
    if (!this.open.delete(uri)) return;
    const directory = this.directoryOf(uri);
    if (this.openIn(directory).length > 0) this.schedule(directory, 0);
    else this.clear(directory);
  }

  /** A Python document opened, changed or closed: a `setup.py` makes its project checked as a requirement file does. */
  pythonDocument(uri: string, event: 'opened' | 'changed' | 'closed'): void {
    if (!uri.startsWith('file:') || path.basename(fileURLToPath(uri)) !== 'setup.py') return;
    const directory = this.directoryOf(uri);
    if (event === 'opened') this.openSetupPy.add(uri);
    if (event !== 'closed') return this.schedule(directory, event === 'opened' ? 0 : debounceMs);
    this.openSetupPy.delete(uri);
    if (this.openIn(directory).length > 0) this.schedule(directory, 0);
    else this.clear(directory);
  }

  /** A file changed on disk (a requirement file, a Python file): the open projects holding it are checked again. */
  fileChanged(file: string): void {
    for (const directory of this.openDirectories()) if (isWithin(path.resolve(file), directory)) this.schedule(directory, debounceMs);
  }

  /** Settings or folders changed: every open project is checked again. */
  refreshAll(): void {
    for (const directory of this.openDirectories()) this.schedule(directory, 0);
  }

  /** The quick-fixes of a requirement file's diagnostics; undefined when the document is not one. */
  quickFixes(uri: string, diagnostics: Diagnostic[], support: EditSupport): CodeAction[] | undefined {
    const document = this.open.get(uri);
    if (!document) return undefined;
    return diagnostics.flatMap((d) => quickFixes(d, { uri, version: document.version }, support));
  }

  /** The diagnostics last published on a requirement file, `setup.py` included (none for any other URI). */
  diagnosticsOf(uri: string): Diagnostic[] {
    return this.shown.get(uri) ?? [];
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * The "Dependencies" check of each project, once per project: the project of the document at
   * `uri` (the nearest directory at or above it, within its workspace folder, that holds
   * requirement files; none for a document that is not a file), or every project of the
   * workspace folders. Open files count with the editor's text; a project whose settings
   * disable the extension is left out.
   */
  async readiness(uri?: string): Promise<ProjectReadiness[]> {
    if (uri !== undefined && !uri.startsWith('file:')) return [];
    const directories = uri === undefined
      ? findProjectDirectories(this.host.folders())
      : this.projectOf(fileURLToPath(uri));
    const reports: ProjectReadiness[] = [];
    for (const directory of directories) {
      const base = this.baseOf(directory);
      const input = readProject(directory, base, this.textOf());
      if (!input) continue;
      const uriOf = this.uriOf(base);
      const { enable, settings } = await this.host.settingsFor(uriOf(input.files[0]!.name));
      if (!enable) continue;
      const { findings } = analyzeProject(input, settings);
      const { check } = projectReadiness(path.relative(base, directory) || '.', findings.map((f) => ({ ...f, file: uriOf(f.file) })), ruleSettingsOf(settings));
      reports.push({ project: path.relative(base, directory) || '.', uri: pathToFileURL(directory).href, check });
    }
    return reports;
  }

  /** The nearest directory at or above a file, up to its workspace folder, that holds requirement files. */
  private projectOf(file: string): string[] {
    const stop = this.baseOf(path.dirname(file));
    for (let directory = path.dirname(file); ; directory = path.dirname(directory)) {
      if (holdsProjectFiles(directory)) return [directory];
      if (directory === stop || path.dirname(directory) === directory) return [];
    }
  }

  /** The workspace folder holding a directory (the innermost), which names its files; the directory itself outside them. */
  private baseOf(directory: string): string {
    return this.host.folders().filter((f) => isWithin(directory, f)).sort((a, b) => b.length - a.length)[0] ?? directory;
  }

  /** The editor's text of open requirement and Python files. */
  private textOf(): TextOf {
    const openByPath = new Map([...this.open.values()].map((d) => [fileURLToPath(d.uri), d]));
    return (file) => openByPath.get(file)?.getText() ?? this.host.pythonText(file);
  }

  /** The URI of a file named relative to `base`: an open file's is the one its editor uses. */
  private uriOf(base: string): (name: string) => string {
    const openByPath = new Map([...this.open.values()].map((d) => [fileURLToPath(d.uri), d]));
    return (name) => {
      const file = path.resolve(base, name);
      return openByPath.get(file)?.uri ?? pathToFileURL(file).href;
    };
  }

  private directoryOf(uri: string): string {
    return path.dirname(fileURLToPath(uri));
  }

  private openIn(directory: string): string[] {
    return [...this.open.keys(), ...this.openSetupPy].filter((uri) => this.directoryOf(uri) === directory);
  }

  private openDirectories(): string[] {
    return [...new Set([...this.open.keys(), ...this.openSetupPy].map((uri) => this.directoryOf(uri)))];
  }

  private schedule(directory: string, delay: number): void {
    clearTimeout(this.timers.get(directory));
    this.timers.set(directory, setTimeout(() => {
      this.timers.delete(directory);
      this.refresh(directory).catch((error) => this.host.error(`Checking the requirements of ${directory} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`));
    }, delay));
  }

  private clear(directory: string): void {
    for (const uri of this.published.get(directory) ?? []) this.publish(uri, []);
    this.published.delete(directory);
  }

  private publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    if (diagnostics.length > 0) this.shown.set(uri, diagnostics);
    else this.shown.delete(uri);
    this.host.publish(uri, diagnostics, version);
  }

  private async refresh(directory: string): Promise<void> {
    const first = this.openIn(directory)[0];
    if (!first) return this.clear(directory);
    const { enable, settings } = await this.host.settingsFor(first);
    if (!enable) return this.clear(directory);
    // Files are named relative to their workspace folder in messages, and by URI in diagnostics.
    const base = this.baseOf(directory);
    const uriOf = this.uriOf(base);
    const input = readProject(directory, base, this.textOf());
    const result: ProjectResult = input ? analyzeProject(input, settings) : { findings: [], errors: [] };
    for (const error of result.errors) this.host.error(`${directory}: ${error}`);
    const byUri = new Map<string, ProjectFinding[]>((input?.files ?? []).map((f) => [uriOf(f.name), []]));
    for (const finding of result.findings) {
      const related = finding.related.map((r) => (r.uri === undefined ? r : { ...r, uri: uriOf(r.uri) }));
      const uri = uriOf(finding.file);
      byUri.set(uri, [...(byUri.get(uri) ?? []), { ...finding, related }]);
    }
    // Closed files get diagnostics too (the Problems view lists them), of the text on disk.
    const previous = this.published.get(directory) ?? new Set<string>();
    for (const [uri, findings] of byUri) {
      const version = this.open.get(uri)?.version ?? this.host.pythonVersion(uri);
      this.publish(uri, toDiagnostics(findings, uri, version ?? 0), version);
      previous.delete(uri);
    }
    for (const uri of previous) this.publish(uri, []);
    this.published.set(directory, new Set(byUri.keys()));
  }
}

function holdsProjectFiles(directory: string): boolean {
  try {
    return fs.readdirSync(directory, { withFileTypes: true }).some((e) => !e.isDirectory() && isProjectFileName(e.name));
  } catch {
    return false;
  }
}
