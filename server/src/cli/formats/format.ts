import type { NotebookFinding } from '../../engine/analysis/notebook';
import { hasHiddenFix } from '../../engine/fix-all';
import type { Finding, Position, Range } from '../../engine/analysis/types';

/**
 * What every output format of `ksm check` is given, and the one interface they share. Emitters
 * are pure: they turn the checked files into text and write nothing; the CLI picks one from
 * the table in index.ts and prints what it returns. A notebook's findings come with their
 * ranges relative to their cell (`cell`, 0-based, which every format shows 1-based).
 */

export type ShownFinding = Finding | NotebookFinding;

export interface CheckedFile {
  /** The path as the run names it (relative to the working directory when inside it). */
  file: string;
  findings: ShownFinding[];
  /** Findings silenced by `# noqa`; filled only for a format that asks for them (`listsSuppressed`). */
  suppressed?: ShownFinding[];
  /** False when the file could not be analysed (it is counted apart, never as clean). */
  analysed?: boolean;
  /** Why the file was not analysed, when it was not. */
  skipped?: string;
  /** With `--fix`: how many findings were fixed, and of which rules. */
  fixed?: number;
  fixedRules?: Record<string, number>;
}

export interface FormatContext {
  /** The tool's version, as `ksm --version` prints it. */
  version: string;
  /** The folder relative paths are relative to (the working directory). */
  root: string;
  /** Whether to colour the output: a terminal, and no NO_COLOR. */
  colour: boolean;
  /** `--show-fixes`: list what `--fix` fixed in each file. */
  showFixes: boolean;
  /** `--unsafe-fixes`: `--fix` applies unsafe fixes too. */
  unsafeFixes?: boolean;
  /**
   * The text a finding's range refers to: the file, or the notebook cell (0-based) of a
   * notebook; undefined when it cannot be read.
   */
  source(file: string, cell?: number): string | undefined;
}

export interface OutputFormat {
  name: string;
  /** One line for `--help` and the README. */
  description: string;
  /** Whether the run should keep the findings `# noqa` silences, for this format to list. */
  listsSuppressed?: boolean;
  emit(files: readonly CheckedFile[], context: FormatContext): string;
}

export function oneBased(p: Position): { row: number; column: number } {
  return { row: p.line + 1, column: p.character + 1 };
}

/** A located thing's 1-based cell, or undefined outside a notebook. */
export function cellNumber(located: object): number | undefined {
  return 'cell' in located && typeof located.cell === 'number' ? located.cell + 1 : undefined;
}

/** `path:line:col`, or `path:cell N:line:col` in a notebook: where the text formats put a finding. */
export function locationLabel(file: string, located: { range: Range }): string {
  const cell = cellNumber(located);
  const { row, column } = oneBased(located.range.start);
  return `${file}:${cell === undefined ? '' : `cell ${cell}:`}${row}:${column}`;
}

/** The lines of a text, without their line breaks. */
export function linesOf(text: string): string[] {
  return text.split('\n').map((line) => line.replace(/\r$/, ''));
}

/** The text a range covers (columns in UTF-16 code units, as ranges count them). */
export function textIn(text: string, range: Range): string {
  const lines = linesOf(text);
  if (range.start.line >= lines.length) return '';
  if (range.start.line === range.end.line) return lines[range.start.line]!.slice(range.start.character, range.end.character);
  const first = lines[range.start.line]!.slice(range.start.character);
  const middle = lines.slice(range.start.line + 1, range.end.line);
  const last = (lines[range.end.line] ?? '').slice(0, range.end.character);
  return [first, ...middle, last].join('\n');
}

export const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "2 hidden fixes can be enabled with the `--unsafe-fixes` option.", for findings only an unsafe fix fixes; empty when none. */
export function hiddenFixesNote(findings: readonly Finding[]): string {
  const hidden = findings.filter(hasHiddenFix).length;
  return hidden === 0 ? '' : `${hidden} hidden ${hidden === 1 ? 'fix' : 'fixes'} can be enabled with the \`--unsafe-fixes\` option.\n`;
}
