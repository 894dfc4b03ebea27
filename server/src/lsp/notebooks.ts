/**
 * Jupyter notebooks in the language server, through LSP 3.17 notebook document sync. The
 * server keeps the program of a notebook's Python cells (analysis/notebook.ts) as one document
 * and analyses it like a file; this module maps what comes out back to the cells: diagnostics
 * go to each cell's URI, fixes edit the cells they belong to, the readiness report names cells.
 */
import { NotebookCellKind, type Diagnostic, type NotebookDocument } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { NotebookProgram, type CellEdit } from '../engine/analysis/notebook';
import type { Finding } from '../engine/analysis/types';
import type { AnalysisResult } from '../engine/engine';
import { safeFixEdits } from '../engine/fix-all';
import type { FileReadiness } from '../protocol';
import type { DocumentTextEdit } from './code-actions';
import { isDiagnosticData, type DiagnosticData } from './diagnostics';
import type { OpenDocument } from './documents';
import { cellLocator, fileReadiness } from '../readiness';

/** The notebook selector the server announces: every notebook, every cell; only Python code cells are analysed. */
export const notebookDocumentSync = { notebookSelector: [{ notebook: '*' }] };

interface Cell {
  uri: string;
  version: number;
  text: string;
  python: boolean;
}

/** Diagnostics for one cell, with the cell version they were computed for. */
export interface CellDiagnostics {
  uri: string;
  version: number | undefined;
  diagnostics: Diagnostic[];
}

export class OpenNotebook {
  program = new NotebookProgram([]);
  private cells: Cell[] = [];
  /** The cells last sent diagnostics, so that a cell that is gone (or no longer Python) gets them cleared. */
  private published = new Set<string>();

  constructor(readonly uri: string) {}

  /** Reads the notebook's cells as the editor has them now; returns the program's text. */
  read(notebook: NotebookDocument, cellDocument: (uri: string) => TextDocument | undefined): string {
    this.cells = notebook.cells.map((cell): Cell => {
      const document = cellDocument(cell.document);
      return {
        uri: cell.document,
        version: document?.version ?? 0,
        text: document?.getText() ?? '',
        // Markdown cells, raw cells (language `raw`) and other languages' cells are not Python.
        python: cell.kind === NotebookCellKind.Code && document?.languageId === 'python',
      };
    });
    this.program = new NotebookProgram(this.cells);
    return this.program.text;
  }

  hasCell(uri: string): boolean {
    return this.cells.some((cell) => cell.uri === uri);
  }

  /**
   * The program's diagnostics, split by cell with every range relative to its cell: related
   * locations point at their cells, and fixes that would change more than one cell's text at
   * once are dropped. Every Python cell gets a list, an empty one clearing what it showed.
   */
  cellDiagnostics(diagnostics: Diagnostic[]): CellDiagnostics[] {
    const byCell = new Map<number, Diagnostic[]>();
    for (const diagnostic of diagnostics) {
      const at = this.program.locate(diagnostic.range);
      const mapped: Diagnostic = { ...diagnostic, range: at.range };
      if (diagnostic.relatedInformation) {
        mapped.relatedInformation = diagnostic.relatedInformation.map((related) => {
          // A location in another module (a class imported from it) is not in a cell.
          if (related.location.uri !== this.uri) return related;
          const where = this.program.locate(related.location.range);
          return { ...related, location: { uri: this.cells[where.cell]!.uri, range: where.range } };
        });
      }
      if (isDiagnosticData(diagnostic.data)) mapped.data = this.cellData(diagnostic.data, at.cell);
      byCell.set(at.cell, [...(byCell.get(at.cell) ?? []), mapped]);
    }
    const result = this.cells.flatMap((cell, index): CellDiagnostics[] =>
      cell.python ? [{ uri: cell.uri, version: cell.version, diagnostics: byCell.get(index) ?? [] }] : []);
    const current = new Set(result.map((r) => r.uri));
    for (const uri of this.published) {
      if (!current.has(uri)) result.push({ uri, version: undefined, diagnostics: [] });
    }
    this.published = current;
    return result;
  }

  /** The safe fixes to apply together: of one cell (`cellUri`), or of the whole notebook. */
  fixAllEdits(findings: Finding[], text: string, cellUri?: string): DocumentTextEdit[] {
    const cell = cellUri === undefined ? undefined : this.cells.findIndex((c) => c.uri === cellUri);
    if (cell === -1) return [];
    const edits = this.program.mapEdits(safeFixEdits(this.program.withCellFixes(findings, cell), text)) ?? [];
    return edits.map((edit) => this.located(edit));
  }

  /** The readiness report, with each range relative to its cell and the cell's URI. */
  readiness(result: AnalysisResult): FileReadiness {
    return fileReadiness(this.uri, result, cellLocator(this.program, (cell) => this.cells[cell]?.uri));
  }

  private cellData(data: DiagnosticData, cell: number): DiagnosticData {
    const fixes = data.fixes.flatMap((fix) => {
      const mapped = this.program.mapFix(fix, cell);
      return mapped ? [{ ...mapped, edits: mapped.edits.map((edit) => this.located(edit)) }] : [];
    });
    const noqa = data.noqa && this.program.mapEdit(data.noqa);
    return { version: data.version, fixes, ...(noqa ? { noqa: this.located(noqa) } : {}), ...(data.detail ? { detail: data.detail } : {}) };
  }

  /** A cell's edit as an edit of that cell's document, at the version it was computed for. */
  private located({ cell, ...edit }: CellEdit): DocumentTextEdit {
    const { uri, version } = this.cells[cell]!;
    return { ...edit, document: { uri, version } };
  }
}

/**
 * Brings the document that holds a notebook's program to `text` with one incremental change
 * (the span between what stayed the same at both ends), so that the re-parse reuses the
 * syntax trees of the cells that did not change.
 */
export function syncProgram(open: OpenDocument, text: string, version: number): void {
  const before = open.text;
  const shortest = Math.min(before.length, text.length);
  let start = 0;
  while (start < shortest && before.charCodeAt(start) === text.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < shortest - start && before.charCodeAt(before.length - 1 - tail) === text.charCodeAt(text.length - 1 - tail)) tail++;
  const range = { start: open.document.positionAt(start), end: open.document.positionAt(before.length - tail) };
  open.applyChanges([{ range, text: text.slice(start, text.length - tail) }], version);
  // A span cut inside a `\r\n` does not round-trip through positions: send the whole text instead.
  if (open.text !== text) open.applyChanges([{ text }], version);
}
