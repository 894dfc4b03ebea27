/**
 * Jupyter notebooks as one program. A notebook's code cells run in one namespace, in cell
 * order (rules.md: "Notebook cells are one scope, in cell order"), so the engine analyses the
 * text of its Python code cells joined in order, as one module. IPython syntax (magics, shell
 * escapes, help) is not Python: it is blanked, keeping every position, so it never parses as
 * an error or gives a finding. The program knows where each cell lies, so ranges and edits
 * map back to (cell, position) and positions map forward. Pure: the adapters read `.ipynb`
 * files or editor cells and hand in their text.
 *
 * Cells are numbered by their index among all cells of the notebook (0-based here; adapters
 * show it 1-based), markdown and raw cells included, as VS Code and ruff count them.
 */
import { kerasVersionFromRequirements, projectRequirements, type KerasRequirement } from './project-version';
import type { AnalysisSettings, EnvMagic, Finding, Fix, KerasVersionInfo, Position, Range, RelatedLocation, TextEdit } from './types';

export interface NotebookCellSource {
  /** The cell's source, as the notebook holds it. */
  text: string;
  /** A Python code cell. Markdown, raw and other languages' cells are not part of the program. */
  python: boolean;
}

/** A range within one cell; `cell` is the cell's index among all cells of the notebook. */
export interface CellRange {
  cell: number;
  range: Range;
}

export interface CellPosition {
  cell: number;
  position: Position;
}

/** An edit of one cell, relative to the cell. */
export interface CellEdit extends TextEdit {
  cell: number;
}

export interface CellFix extends Fix {
  edits: CellEdit[];
}

/** A finding of a notebook, its range and every location relative to their cells. */
export interface NotebookFinding extends Finding {
  cell: number;
  /** Each with its cell, except locations in another module (which carry its `uri`). */
  related: Array<RelatedLocation & { cell?: number }>;
  fixes: CellFix[];
}

/** A line of IPython syntax: zero-based line within its cell, and its text (continuation lines joined). */
interface MagicLine {
  line: number;
  /** Where `text` starts in the line (after its indentation). */
  column: number;
  text: string;
}

/** A `pip install` line of a notebook: the program range of its first line, and each package named with its column there. */
export interface InstallLine {
  /** Index among all cells of the notebook. */
  cell: number;
  /** Zero-based line within the cell. */
  line: number;
  range: Range;
  /** The line as the cell holds it (continuation lines joined). */
  text: string;
  /** A package's column is program-line based; one on a continuation line lies past the first line's end. */
  packages: PipPackage[];
}

interface ProgramCell {
  /** Index among all cells of the notebook. */
  index: number;
  /** The program line that holds the cell's first line. */
  firstLine: number;
  /** The cell's lines, IPython syntax blanked, without line breaks. */
  lines: string[];
  magics: MagicLine[];
}

export class NotebookProgram {
  /** The program: the Python cells, IPython syntax blanked, joined by line breaks. */
  readonly text: string;
  private readonly cells: ProgramCell[] = [];

  constructor(cells: NotebookCellSource[]) {
    // Cells written with CRLF are joined with CRLF, so that inserted lines match them.
    const eol = cells.some((c) => c.python && c.text.includes('\r\n')) ? '\r\n' : '\n';
    let firstLine = 0;
    const texts: string[] = [];
    cells.forEach((cell, index) => {
      if (!cell.python) return;
      const { text, magics } = blankIPython(cell.text);
      texts.push(text);
      const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
      this.cells.push({ index, firstLine, lines, magics });
      firstLine += lines.length;
    });
    this.text = texts.join(eol);
  }

  /** Where a program position lies. A position past the end lies at the end of the last cell. */
  toCell(position: Position): CellPosition | undefined {
    const cell = this.cellAtLine(position.line);
    if (!cell) return undefined;
    const line = position.line - cell.firstLine;
    if (line >= cell.lines.length) {
      const last = cell.lines.length - 1;
      return { cell: cell.index, position: { line: last, character: cell.lines[last]!.length } };
    }
    return { cell: cell.index, position: { line, character: position.character } };
  }

  /** The program position of a position in a cell; undefined when the cell is not part of the program. */
  toProgram(cell: number, position: Position): Position | undefined {
    const programCell = this.programCell(cell);
    if (!programCell) return undefined;
    return { line: programCell.firstLine + position.line, character: position.character };
  }

  /**
   * The cell and range of a program range, for showing it. A range that runs into a later cell
   * (code that does not parse, such as a bracket left open at the end of a cell) is cut at the
   * end of its first cell.
   */
  locate(range: Range): CellRange {
    const start = this.toCell(range.start)!;
    const cell = this.programCell(start.cell)!;
    if (range.end.line < cell.firstLine + cell.lines.length) {
      return { cell: start.cell, range: { start: start.position, end: { line: range.end.line - cell.firstLine, character: range.end.character } } };
    }
    return { cell: start.cell, range: { start: start.position, end: endOf(cell) } };
  }

  /**
   * An edit of the program as an edit of one cell; undefined when it changes more than one cell
   * (such an edit has no meaning in a notebook, whose cells run one by one). An edit may take
   * along the line break that separates its cell from the next one (it ends at the next cell's
   * start): it then ends at the end of its cell. Whole lines removed up to the end of a cell
   * (`model.compile(...)` moved elsewhere) take the line break before them instead, so the cell
   * does not keep an empty last line: Jupyter cells do not end with one.
   */
  mapEdit(edit: TextEdit): CellEdit | undefined {
    const start = this.toCell(edit.range.start);
    if (!start) return undefined;
    const cell = this.programCell(start.cell)!;
    const cellEnd = endOf(cell);
    const endLine = edit.range.end.line - cell.firstLine;
    let end: Position;
    let newText = edit.newText;
    if (endLine < cell.lines.length) {
      end = { line: endLine, character: edit.range.end.character };
    } else if (endLine === cell.lines.length && edit.range.end.character === 0 && edit.snippet === undefined) {
      end = cellEnd;
      if (/\r?\n$/.test(newText)) newText = newText.replace(/\r?\n$/, '');
      else if (newText !== '' || start.position.character !== 0) return undefined;
    } else {
      return undefined;
    }
    let from = start.position;
    const removesLastLines = newText === '' && from.character === 0 && from.line > 0 && samePosition(end, cellEnd) && !samePosition(from, end);
    if (removesLastLines) from = { line: from.line - 1, character: cell.lines[from.line - 1]!.length };
    const mapped: CellEdit = { cell: cell.index, range: { start: from, end }, newText };
    if (edit.snippet !== undefined) mapped.snippet = edit.snippet;
    return mapped;
  }

  /** Every edit mapped to its cell; undefined when one of them cannot be (see `mapEdit`). */
  mapEdits(edits: TextEdit[]): CellEdit[] | undefined {
    const mapped: CellEdit[] = [];
    for (const edit of edits) {
      const one = this.mapEdit(edit);
      if (!one) return undefined;
      mapped.push(one);
    }
    return mapped;
  }

  /**
   * A fix with its edits mapped to cells, or undefined when an edit cannot be. A fix that also
   * edits other cells than the finding's says so in its title, since the editor shows only the
   * finding's cell when offering it.
   */
  mapFix(fix: Fix, findingCell: number): CellFix | undefined {
    const edits = this.mapEdits(fix.edits);
    if (!edits) return undefined;
    const others = [...new Set(edits.map((e) => e.cell).filter((c) => c !== findingCell))].sort((a, b) => a - b);
    if (others.length === 0) return { ...fix, edits };
    const also = edits.some((e) => e.cell === findingCell) ? 'also ' : '';
    const title = `${fix.title} (${also}edits ${others.length === 1 ? 'cell' : 'cells'} ${others.map((c) => c + 1).join(', ')})`;
    return { ...fix, title, edits };
  }

  /**
   * The findings with only the fixes whose edits map to cells, and with `cell` only those that
   * edit that cell alone: what fixing all (one cell's, or the notebook's) may apply.
   */
  withCellFixes(findings: Finding[], cell?: number): Finding[] {
    return findings.map((finding) => ({
      ...finding,
      fixes: finding.fixes.filter((fix) => {
        const edits = this.mapEdits(fix.edits);
        return edits !== undefined && (cell === undefined || edits.every((e) => e.cell === cell));
      }),
    }));
  }

  /** A finding with its range, related locations and fixes relative to their cells; fixes that cannot be mapped are dropped. */
  mapFinding(finding: Finding): NotebookFinding {
    const at = this.locate(finding.range);
    return {
      ...finding,
      cell: at.cell,
      range: at.range,
      related: finding.related.map((r) => {
        if (r.uri !== undefined) return r;
        const where = this.locate(r.range);
        return { ...r, cell: where.cell, range: where.range };
      }),
      fixes: finding.fixes.flatMap((fix) => this.mapFix(fix, at.cell) ?? []),
    };
  }

  /** The live `%pip install` / `!pip install` lines (shell cells' `pip install` lines too), in cell order. */
  installLines(): InstallLine[] {
    return this.cells.flatMap((cell) => cell.magics.flatMap((magic) => {
      const packages = pipInstallPackages(magic.text).map((p) => ({ ...p, column: p.column + magic.column }));
      return packages.length === 0 ? [] : [this.installLine(cell, magic, packages)];
    }));
  }

  /**
   * Install lines commented out (`# !pip install tensorflow==2.15.*`): what the notebook was run
   * with, once. They are version evidence, never requirements that findings are reported on.
   */
  commentedInstallLines(): InstallLine[] {
    return this.cells.flatMap((cell) => cell.lines.flatMap((text, line) => {
      const commented = /^(\s*#\s*)([!%].*)$/.exec(text);
      const packages = commented ? pipInstallPackages(commented[2]!).map((p) => ({ ...p, column: p.column + commented[1]!.length })) : [];
      return packages.length === 0 ? [] : [this.installLine(cell, { line, column: indentLength(text), text: text.trim() }, packages)];
    }));
  }

  /** `%env NAME=value`, `%env NAME value` and `%set_env NAME value` lines, which set an environment variable. */
  envMagics(): EnvMagic[] {
    return this.cells.flatMap((cell) => cell.magics.flatMap((magic) => {
      const setting = /^%(?:set_)?env\s+([A-Za-z_]\w*)(?:\s*=\s*|\s+)(.*)$/.exec(magic.text);
      if (!setting) return [];
      const start = { line: cell.firstLine + magic.line, character: magic.column };
      const range = { start, end: { line: start.line, character: cell.lines[magic.line]!.length } };
      return [{ name: setting[1]!, value: setting[2]!.trim(), range, text: magic.text }];
    }));
  }

  /**
   * The live install lines as requirement-file texts, one per cell ("cell 3"), each install line
   * at its own line and its packages at their own columns, so that the ranges and edits of the
   * requirement rules are the cell's. The rest of an install line is blanked; a package keeps
   * its quotes, and an unquoted one gets a `;` before it, so that each specifier ends where its
   * package does (as at a quote or a marker); a trailing `# …` comment stays for `# noqa`.
   */
  installTexts(lines: readonly InstallLine[]): Map<string, string> {
    const byCell = new Map<string, string[]>();
    for (const install of lines) {
      const file = `cell ${install.cell + 1}`;
      const texts = byCell.get(file) ?? [];
      while (texts.length < install.line) texts.push('');
      const chars = [...' '.repeat(install.range.end.character)];
      const put = (text: string, column: number) => [...text].forEach((c, i) => (chars[column + i] = c));
      for (const p of install.packages) {
        const quote = install.text[p.column - install.range.start.character - 1];
        if (quote === '"' || quote === "'") put(quote + p.text + quote, p.column - 1);
        else if (p.column > 0) put(';' + p.text, p.column - 1);
      }
      const comment = /\s#/.exec(install.text);
      if (comment) put(install.text.slice(comment.index + 1), install.range.start.character + comment.index + 1);
      texts[install.line] = chars.map((c) => c ?? ' ').join('');
      byCell.set(file, texts);
    }
    return new Map([...byCell].map(([file, texts]) => [file, texts.join('\n')]));
  }

  private installLine(cell: ProgramCell, magic: MagicLine, packages: PipPackage[]): InstallLine {
    const line = cell.firstLine + magic.line;
    const range = { start: { line, character: magic.column }, end: { line, character: cell.lines[magic.line]!.length } };
    return { cell: cell.index, line: magic.line, range, text: magic.text, packages };
  }

  /**
   * The Keras version that the notebook's own install lines pin, live or commented out (they
   * count like requirements); undefined when none names TensorFlow or Keras.
   */
  installedKerasVersion(): KerasVersionInfo | undefined {
    return kerasVersionFromRequirements(installRequirements([...this.installLines(), ...this.commentedInstallLines()]));
  }

  /**
   * The engine's settings for the notebook: the notebook's own installs decide the version
   * before the project's dependency files, since they are what its kernel runs; the project's
   * files still decide when the installs pin nothing. Its `%env` lines go along, since the
   * program text blanks them.
   */
  analysisSettings(settings: AnalysisSettings): AnalysisSettings {
    const installed = this.installedKerasVersion();
    const envMagics = this.envMagics();
    const withEnv = envMagics.length > 0 ? { ...settings, envMagics } : settings;
    if (!installed) return withEnv;
    const projectVersion = installed.major !== undefined ? installed : (settings.projectVersion ?? installed);
    return { ...withEnv, projectVersion };
  }

  /**
   * The version as the engine described it, with the program line of the file's own evidence
   * ("`tf_keras` import (line 12)") turned into the cell and its line.
   */
  describeVersion(version: KerasVersionInfo, settings: AnalysisSettings): KerasVersionInfo {
    if (version.source === settings.projectVersion?.source) return version;
    if (version.source.startsWith('no evidence in the file')) {
      return { ...version, source: version.source.replace('no evidence in the file', 'no evidence in the notebook') };
    }
    return { ...version, source: this.describeLines(version.source) };
  }

  /**
   * A text the engine wrote about the program ("… (line 12)", "… at line 12") with each program
   * line it names turned into its cell and the line there, as the user sees the notebook.
   */
  describeLines(text: string): string {
    return text.replace(/(\(|\bat )line (\d+)\b/g, (whole, before: string, line: string) => {
      const at = this.toCell({ line: Number(line) - 1, character: 0 });
      return at ? `${before}cell ${at.cell + 1}, line ${at.position.line + 1}` : whole;
    });
  }

  private programCell(index: number): ProgramCell | undefined {
    return this.cells.find((c) => c.index === index);
  }

  /** The cell holding a program line (binary search); the last cell for a line past the end. */
  private cellAtLine(line: number): ProgramCell | undefined {
    let low = 0;
    let high = this.cells.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.cells[middle]!.firstLine <= line) low = middle;
      else high = middle - 1;
    }
    return this.cells[low];
  }
}

/**
 * The requirements that install lines name, each from a one-package line of its own and then
 * placed on its install line: `file` is "cell 3", `line` the line within that cell (one-based).
 */
export function installRequirements(lines: readonly InstallLine[]): KerasRequirement[] {
  return lines.flatMap((install) => {
    const file = `cell ${install.cell + 1}`;
    return projectRequirements([{ name: file, text: install.packages.map((p) => p.text).join('\n') }])
      .map((requirement) => ({ ...requirement, file, line: install.line + 1, installLine: true }));
  });
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

function endOf(cell: ProgramCell): Position {
  const last = cell.lines.length - 1;
  return { line: last, character: cell.lines[last]!.length };
}

// ---------------------------------------------------------------------------------------------
// IPython syntax

/** Cell magics whose body is Python run in the notebook's namespace; other cell magics' bodies are not Python. */
const pythonBodyCellMagics = new Set(['time', 'capture', 'prun', 'debug']);
/** Cell magics whose body is shell commands, read for `pip install` lines. */
const shellCellMagics = new Set(['bash', 'sh', 'script', 'system']);

/** `%magic`, `%%magic`, `!cmd`, `?obj`, `??obj`. */
const escapedLine = /^[%!?]/;
/** `files = !ls`, `t = %timeit -o f()`. */
const assignedMagic = /^[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]/;
/** `obj?`, `np.zeros??`, `model.fit?`. */
const helpSuffix = /^[A-Za-z_][\w.]*(?:\[[^\]]*\]|\(\))?\?{1,2}$/;

interface ScanState {
  /** Open brackets, so that a line inside a call is never taken for a magic. */
  depth: number;
  /** The quote of a string still open at the end of the line (`"""` across lines). */
  string: string | undefined;
  /** The line ended with a backslash continuation. */
  continued: boolean;
}

/**
 * Blanks the IPython syntax of a cell: each such line becomes spaces, so that positions do
 * not move. A magic indented in a block (`if IN_COLAB:` then `!pip install ...`) keeps `...`
 * (or `0` where it is shorter), so that a block holding only magics still parses. Only lines
 * where a statement may start count, never lines inside a string or an open bracket.
 */
export function blankIPython(source: string): { text: string; magics: MagicLine[] } {
  const lines = source.split('\n');
  const magics: MagicLine[] = [];
  const firstCode = lines.findIndex((line) => line.trim() !== '');
  const cellMagic = firstCode >= 0 ? /^\s*%%(\w+)/.exec(lines[firstCode]!) : null;
  if (cellMagic && !pythonBodyCellMagics.has(cellMagic[1]!)) {
    magics.push({ line: firstCode, column: indentLength(lines[firstCode]!), text: lines[firstCode]!.trim() });
    if (shellCellMagics.has(cellMagic[1]!)) magics.push(...shellLines(lines, firstCode + 1));
    return { text: lines.map((line) => blank(line, false)).join('\n'), magics };
  }
  const state: ScanState = { depth: 0, string: undefined, continued: false };
  let magic: MagicLine | undefined;
  const out = lines.map((line, index) => {
    if (magic) {
      magic.text += ' ' + withoutContinuation(line).trim();
      if (!endsWithContinuation(line)) magic = undefined;
      return blank(line, false);
    }
    const code = line.replace(/\r$/, '').trimStart();
    const atStatementStart = state.depth === 0 && state.string === undefined && !state.continued;
    if (atStatementStart && (escapedLine.test(code) || assignedMagic.test(code) || helpSuffix.test(code.trimEnd()))) {
      const found: MagicLine = { line: index, column: indentLength(line), text: withoutContinuation(line).trim() };
      magics.push(found);
      if (endsWithContinuation(line)) magic = found;
      return blank(line, true);
    }
    scanLine(line.replace(/\r$/, ''), state);
    return line;
  });
  return { text: out.join('\n'), magics };
}

/** Spaces in place of a line's text, keeping a `\r`; `placeholder` keeps an indented line a statement. */
function blank(line: string, placeholder: boolean): string {
  const cr = line.endsWith('\r') ? '\r' : '';
  const body = cr ? line.slice(0, -1) : line;
  const indent = /^[ \t]*/.exec(body)![0];
  const rest = body.length - indent.length;
  if (!placeholder || indent.length === 0 || rest === 0) return ' '.repeat(body.length) + cr;
  const filler = rest >= 3 ? '...' : '0';
  return indent + filler + ' '.repeat(rest - filler.length) + cr;
}

function indentLength(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

function endsWithContinuation(line: string): boolean {
  return /\\\r?$/.test(line);
}

function withoutContinuation(line: string): string {
  return line.replace(/\\?\r?$/, '');
}

/** The commands of a shell cell body, continuation lines joined. */
function shellLines(lines: string[], from: number): MagicLine[] {
  const found: MagicLine[] = [];
  let current: MagicLine | undefined;
  for (let index = from; index < lines.length; index++) {
    const line = lines[index]!;
    if (current) current.text += ' ' + withoutContinuation(line).trim();
    else {
      current = { line: index, column: indentLength(line), text: withoutContinuation(line).trim() };
      found.push(current);
    }
    if (!endsWithContinuation(line)) current = undefined;
  }
  return found;
}

/** Follows strings, comments, brackets and continuations through one line of Python. */
function scanLine(line: string, state: ScanState): void {
  state.continued = false;
  let i = 0;
  while (i < line.length) {
    if (state.string !== undefined) {
      const quote = state.string;
      while (i < line.length && !line.startsWith(quote, i)) i += line[i] === '\\' ? 2 : 1;
      if (i < line.length) {
        i += quote.length;
        state.string = undefined;
        continue;
      }
      // A one-quote string goes on only after a backslash; otherwise it is left unterminated.
      if (quote.length === 1 && !line.endsWith('\\')) state.string = undefined;
      return;
    }
    const c = line[i]!;
    if (c === '#') return;
    if (c === '"' || c === "'") {
      state.string = line.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += state.string.length;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') state.depth++;
    else if (c === ')' || c === ']' || c === '}') state.depth = Math.max(0, state.depth - 1);
    else if (c === '\\' && i === line.length - 1) state.continued = true;
    i++;
  }
}

/** pip options that take a value as the next argument. */
const pipOptionsWithValue = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url',
  '-f', '--find-links', '-t', '--target', '--prefix', '--root', '--src', '--upgrade-strategy', '--platform',
  '--python-version', '--implementation', '--abi', '--trusted-host', '--proxy', '--cache-dir', '--log',
  '--timeout', '--retries', '--progress-bar', '--no-binary', '--only-binary', '-C', '--config-settings', '--python',
]);

/**
 * The package arguments of a `pip install` command in a magic or shell line:
 * `%pip install -q "tensorflow>=2.16" numpy`, `!pip3 install tf-keras`,
 * `!{sys.executable} -m pip install keras==3.3`, `!uv pip install ...`. Options, their values and
 * arguments that the shell would expand are left out.
 */
export function pipInstallArguments(line: string): string[] {
  return pipInstallPackages(line).map((p) => p.text);
}

/** A package argument of a `pip install` line and where it starts in that line. */
export interface PipPackage {
  text: string;
  column: number;
}

/** `pipInstallArguments` with the column of each package in the line (inside its quotes). */
export function pipInstallPackages(line: string): PipPackage[] {
  const command = /(?:^|[\s!%;&|])pip3?(?:\.exe)?\s+install\s+(.*)$/.exec(line);
  if (!command) return [];
  const start = command.index + command[0].length - command[1]!.length;
  const words = command[1]!.split(/\s(?:&&|\|\||\||;)\s|;|\s#/)[0]!;
  const packages: PipPackage[] = [];
  let skipNext = false;
  for (const match of words.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = match[1] ?? match[2] ?? match[3]!;
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (word.startsWith('-')) {
      skipNext = pipOptionsWithValue.has(word);
      continue;
    }
    if (/[$`{]/.test(word)) continue;
    packages.push({ text: word, column: start + match.index! + (match[3] === undefined ? 1 : 0) });
  }
  return packages;
}
