/**
 * Notebooks for the adapters: `.ipynb` files read into cells and written back with only the
 * changed cells' sources replaced, and the analysis of a notebook's program.
 */
import * as fs from 'node:fs';
import { TextDecoder } from 'node:util';
import type { Tree } from 'web-tree-sitter';
import { applyEdits } from '../engine/analysis/apply';
import { NotebookProgram, type NotebookCellSource } from '../engine/analysis/notebook';
import type { AnalysisSettings, Finding } from '../engine/analysis/types';
import { analysisSteps, analyzeText, type AnalysisOptions, type AnalysisResult } from '../engine/engine';
import { complete, type Steps } from '../engine/analysis/steps';
import { applyElsewhere, chooseFixes, fixInRounds, type FixOptions } from '../engine/fix-all';
import { analyzeNotebookInstalls } from '../engine/project';

/**
 * Notebook files larger than this are not read. Their outputs (plots, tables) make them far
 * larger than their code, which still has to fit the engine's own limit.
 */
const maxNotebookBytes = 32 * 1024 * 1024;

export function isNotebookPath(file: string): boolean {
  return /\.ipynb$/i.test(file);
}

interface NotebookFileCell extends NotebookCellSource {
  /** Where the cell's `source` value is in the file, to write a changed source back in place. */
  source?: { start: number; end: number; form: 'lines' | 'string' };
}

export interface NotebookFile {
  /** The file's JSON text, as read. */
  json: string;
  cells: NotebookFileCell[];
}

export type NotebookRead = { notebook: NotebookFile } | { skipped: string };

export function readNotebookFile(file: string): NotebookRead {
  if (fs.statSync(file).size > maxNotebookBytes) return { skipped: `larger than ${maxNotebookBytes / 1024 / 1024} MiB` };
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  } catch {
    return { skipped: 'not valid UTF-8' };
  }
  return parseNotebook(json);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a notebook (nbformat 4). Python code cells are the program; other notebooks' languages are skipped. */
export function parseNotebook(json: string): NotebookRead {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    return { skipped: `not a notebook: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isObject(data) || !Array.isArray(data.cells)) {
    if (isObject(data) && typeof data.nbformat === 'number' && data.nbformat < 4) return { skipped: `nbformat ${data.nbformat} notebooks are not supported; save it again with Jupyter` };
    return { skipped: 'not a notebook: no `cells` list' };
  }
  const metadata = isObject(data.metadata) ? data.metadata : {};
  const language = (isObject(metadata.kernelspec) && metadata.kernelspec.language) || (isObject(metadata.language_info) && metadata.language_info.name);
  if (typeof language === 'string' && !/^python/i.test(language)) return { skipped: `not a Python notebook (its language is ${language})` };
  const spans = sourceSpans(json);
  const cells = data.cells.map((cell: unknown, index): NotebookFileCell => {
    if (!isObject(cell)) return { text: '', python: false };
    const text = Array.isArray(cell.source) ? cell.source.filter((s) => typeof s === 'string').join('') : typeof cell.source === 'string' ? cell.source : '';
    // VS Code records a cell whose language was changed (to a shell script, say) in its metadata.
    const cellLanguage = isObject(cell.metadata) && isObject(cell.metadata.vscode) ? cell.metadata.vscode.languageId : undefined;
    const python = cell.cell_type === 'code' && (cellLanguage === undefined || cellLanguage === 'python');
    const span = spans[index];
    return span && (Array.isArray(cell.source) || typeof cell.source === 'string')
      ? { text, python, source: { ...span, form: Array.isArray(cell.source) ? 'lines' : 'string' } }
      : { text, python };
  });
  return { notebook: { json, cells } };
}

/**
 * The notebook's JSON with new texts for some cells (by index). Only those cells' `source`
 * values change, each written in its own form (a list of lines, or one string) and layout;
 * metadata, outputs and the rest of the file stay byte for byte.
 */
export function writeNotebook(notebook: NotebookFile, texts: Map<number, string>): string {
  const asciiOnly = !/[^\x00-\x7f]/.test(notebook.json);
  const replacements = [...texts]
    .map(([index, text]) => ({ source: notebook.cells[index]?.source, text }))
    .filter((r): r is { source: NonNullable<NotebookFileCell['source']>; text: string } => r.source !== undefined)
    .sort((a, b) => b.source.start - a.source.start);
  let json = notebook.json;
  for (const { source, text } of replacements) {
    const original = json.slice(source.start, source.end);
    const value = source.form === 'string' ? jsonString(text, asciiOnly) : jsonLines(text, original, notebook.json, source.start, asciiOnly);
    json = json.slice(0, source.start) + value + json.slice(source.end);
  }
  return json;
}

function jsonString(text: string, asciiOnly: boolean): string {
  const value = JSON.stringify(text);
  // A file written with escapes for every non-ASCII character (Python's `ensure_ascii`) keeps them.
  return asciiOnly ? value.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : value;
}

/** A source as a list of lines, laid out as the original list was (one line per row, or on one row). */
function jsonLines(text: string, original: string, file: string, start: number, asciiOnly: boolean): string {
  const lines = text === '' ? [] : text.split(/(?<=\n)/);
  const items = lines.map((line) => jsonString(line, asciiOnly));
  if (items.length === 0) return '[]';
  const multiline = /^\[\s*\n([ \t]*)/.exec(original);
  if (!multiline) return original === '[]' && items.length > 0 ? stackedList(items, file, start) : `[${items.join(', ')}]`;
  const closing = /\n([ \t]*)\]$/.exec(original)?.[1] ?? '';
  return `[\n${items.map((item) => multiline[1] + item).join(',\n')}\n${closing}]`;
}

/** An empty list that gets lines: one per row, indented one step deeper than the `"source"` key, as Jupyter writes. */
function stackedList(items: string[], file: string, start: number): string {
  const lineStart = file.lastIndexOf('\n', start) + 1;
  const keyIndent = /^[ \t]*/.exec(file.slice(lineStart))![0];
  const step = /\n([ \t]+)"/.exec(file)?.[1] ?? ' ';
  return `[\n${items.map((item) => keyIndent + step + item).join(',\n')}\n${keyIndent}]`;
}

/**
 * Where each cell's `source` value lies in the notebook's JSON text (by cell index), from a scan
 * of the text that JSON.parse has already accepted.
 */
function sourceSpans(json: string): Array<{ start: number; end: number } | undefined> {
  const scanner = new JsonScanner(json);
  const spans: Array<{ start: number; end: number } | undefined> = [];
  scanner.object((key) => {
    if (key !== 'cells' || scanner.peek() !== '[') return false;
    spans.length = 0;
    scanner.array(() => {
      let span: { start: number; end: number } | undefined;
      if (scanner.peek() === '{') {
        scanner.object((cellKey) => {
          if (cellKey !== 'source') return false;
          const start = scanner.position;
          scanner.value();
          span = { start, end: scanner.position };
          return true;
        });
      } else {
        scanner.value();
      }
      spans.push(span);
    });
    return true;
  });
  return spans;
}

/** Walks well-formed JSON, recording offsets; callbacks read the members they want and skip the rest. */
class JsonScanner {
  position = 0;
  constructor(private readonly text: string) {}

  peek(): string {
    this.whitespace();
    return this.text[this.position] ?? '';
  }

  /** An object; `member` reads the value of a key it wants and returns true, or returns false to skip it. */
  object(member: (key: string) => boolean): void {
    this.expect('{');
    while (this.peek() !== '}') {
      const key = JSON.parse(this.stringToken()) as string;
      this.peek();
      this.expect(':');
      this.peek();
      if (!member(key)) this.value();
      if (this.peek() === ',') this.position++;
    }
    this.position++;
  }

  array(element: () => void): void {
    this.expect('[');
    while (this.peek() !== ']') {
      element();
      if (this.peek() === ',') this.position++;
    }
    this.position++;
  }

  value(): void {
    const c = this.peek();
    if (c === '{') this.object(() => false);
    else if (c === '[') this.array(() => this.value());
    else if (c === '"') this.stringToken();
    else while (this.position < this.text.length && !/[\s,\]}]/.test(this.text[this.position]!)) this.position++;
  }

  private stringToken(): string {
    const start = this.position;
    this.position++;
    while (this.text[this.position] !== '"') this.position += this.text[this.position] === '\\' ? 2 : 1;
    this.position++;
    return this.text.slice(start, this.position);
  }

  private expect(c: string): void {
    this.whitespace();
    if (this.text[this.position] !== c) throw new Error(`expected ${c} at offset ${this.position}`);
    this.position++;
  }

  private whitespace(): void {
    while (/[ \t\r\n]/.test(this.text[this.position] ?? '')) this.position++;
  }
}

/**
 * Analyses a notebook's program (with its parsed tree, when the caller keeps one), with the
 * version evidence of its own `pip install` lines, and the file's own evidence named by cell.
 */
export function analyzeNotebook(program: NotebookProgram, settings: AnalysisSettings, tree?: Tree, options: AnalysisOptions = {}): AnalysisResult {
  if (tree) return complete(notebookAnalysisSteps(program, settings, tree, options));
  const notebookSettings = program.analysisSettings(settings);
  return withNotebookVersion(program, notebookSettings, analyzeText(program.text, notebookSettings, options));
}

/** `analyzeNotebook` of a parsed program as steps (see `analysisSteps`). */
export function* notebookAnalysisSteps(program: NotebookProgram, settings: AnalysisSettings, tree: Tree, options: AnalysisOptions = {}): Steps<AnalysisResult> {
  const notebookSettings = program.analysisSettings(settings);
  return withNotebookVersion(program, notebookSettings, yield* analysisSteps(program.text, tree, notebookSettings, options));
}

/**
 * The program's result as the notebook shows it: the version and the lines that messages name
 * given by cell, and the findings on the notebook's own install lines.
 */
function withNotebookVersion(program: NotebookProgram, notebookSettings: AnalysisSettings, result: AnalysisResult): AnalysisResult {
  const version = program.describeVersion(result.version, notebookSettings);
  if (result.skipped) return { ...result, version };
  const described = result.findings.map((f) => ({
    ...f,
    message: program.describeLines(f.message),
    ...(f.detail ? { detail: program.describeLines(f.detail) } : {}),
    related: f.related.map((r) => ({ ...r, message: program.describeLines(r.message) })),
  }));
  const installs = analyzeNotebookInstalls(program, notebookSettings).findings;
  const findings = [...described, ...installs].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { ...result, version, findings };
}

/**
 * Applies every safe fix (every fix, with `options.unsafe`) that stays within cells, and with
 * `options.applyElsewhere` those that edit other modules, re-analysing between rounds, and returns
 * the cells' new texts (only those that changed) and how many fixes applied.
 */
export function fixNotebookCells(cells: NotebookCellSource[], settings: AnalysisSettings, options: FixOptions = {}): { texts: Map<number, string>; applied: number; fixed: Finding[] } {
  const { state: current, applied, fixed } = fixInRounds(cells, (state) => {
    const program = new NotebookProgram(state);
    const result = analyzeNotebook(program, settings);
    const fixable = result.skipped && result.findings.length === 0 ? [] : program.withCellFixes(result.findings);
    const chosen = chooseFixes(fixable, program.text, options);
    const edits = program.mapEdits(chosen.edits);
    const { done, changedElsewhere } = applyElsewhere(chosen, options);
    // Only other modules changed: the same cells are analysed again, with their new summaries.
    if (!edits || edits.length === 0) return changedElsewhere ? { result, next: state, fixed: done } : { result };
    const next = state.map((cell, index) => {
      const own = edits.filter((e) => e.cell === index);
      return own.length > 0 ? { ...cell, text: applyEdits(cell.text, own) } : cell;
    });
    return { result: { ...result, findings: fixable }, next, fixed: done };
  });
  const texts = new Map<number, string>();
  current.forEach((cell, index) => {
    if (cell.text !== cells[index]!.text) texts.set(index, cell.text);
  });
  return { texts, applied, fixed };
}
