/**
 * The engine's entry for a project's requirement files (`requirements*.txt`, `pyproject.toml`,
 * `setup.cfg`, `setup.py`, `environment.yml`): the project rules (KSM602, KSM603) over the
 * requirements of every file, which are one environment, and the uses of tf_keras in the
 * project's Python code; and for a notebook's own live install lines, which are one environment
 * too. Pure: the adapter reads the files and hands in their text.
 */
import { legacyKerasUses, type LegacyKerasUse } from './analysis/dependency-pins';
import { installRequirements, type NotebookProgram } from './analysis/notebook';
import { projectRequirements, type IncludeResolver, type KerasRequirement, type ProjectFile } from './analysis/project-version';
import type { AnalysisSettings, Finding, Fix, Position, Range, TextEdit } from './analysis/types';
import { ruleSetting } from './engine';
import { rules } from './rules/index';
import { isProjectRule } from './rules/rule';

export interface ProjectInput {
  /** The project's requirement files, named as the adapter shows them (a path, a URI). */
  files: ProjectFile[];
  /** Reads the files they include (`-r base.txt`); includes are not followed without it. */
  resolve?: IncludeResolver;
  /** Where the project's Python files use tf_keras (see `legacyKerasUses`). */
  legacyUses?: LegacyKerasUse[];
}

/** A finding on a requirement file: `file` is the name the file was handed in with. */
export interface ProjectFinding extends Finding {
  file: string;
}

export interface ProjectResult {
  /** In the order of the files, then of their lines. */
  findings: ProjectFinding[];
  /** The rules that failed, with why; each loses only its own findings. */
  errors: string[];
}

/** `# noqa`, `# noqa: KSM602` or `# noqa: dependency-pin-conflict` on a requirement line (a `#` comment in every such file). */
function suppressedOnLine(lineText: string, code: string, name: string): boolean {
  const directive = /(?:^|\s)#\s*noqa\b(?::\s*([\w\s,-]+))?/i.exec(lineText);
  if (!directive) return false;
  if (directive[1] === undefined) return true;
  return directive[1].split(/[\s,]+/).some((item) => item.toLowerCase() === code.toLowerCase() || item.toLowerCase() === name);
}

/** Runs the project rules that the settings leave on over the requirement files. */
export function analyzeProject(input: ProjectInput, settings: AnalysisSettings): ProjectResult {
  const texts = new Map(input.files.map((f) => [f.name, f.text]));
  const resolve: IncludeResolver | undefined = input.resolve && ((target, from) => {
    const included = input.resolve!(target, from);
    if (included) texts.set(included.name, included.text);
    return included;
  });
  const requirements = projectRequirements(input.files, resolve);
  return runProjectRules(requirements, texts, input.legacyUses ?? [], settings);
}

/**
 * The project rules over a notebook's live `%pip install` / `!pip install` lines, with the
 * notebook's own uses of tf_keras (its `%env` lines included), as findings of the notebook's
 * program: each on the install line that names the requirement. Install lines commented out
 * are version evidence only and give no finding. A fix is kept when its edits stay on the
 * first line of an install line.
 */
export function analyzeNotebookInstalls(program: NotebookProgram, settings: AnalysisSettings): ProjectResult {
  const installs = program.installLines();
  if (installs.length === 0) return { findings: [], errors: [] };
  const cellName = (cell: number) => `cell ${cell + 1}`;
  const envMagics = program.envMagics();
  // A use is named by its cell ("is in cell 2, line 1") and placed within it, as requirements are.
  const uses = legacyKerasUses('', program.text, envMagics).map((use) => {
    const { cell, range } = program.locate(use.range);
    return { ...use, file: cellName(cell), range, where: `${cellName(cell)}, line ${range.start.line + 1}` };
  });
  const installAt = new Map(installs.map((i) => [`${cellName(i.cell)}:${i.line}`, i]));
  // Within the first line of an install line; a package on a continuation line cannot be placed.
  const toProgram = (file: string, range: Range): Range | undefined => {
    const install = installAt.get(`${file}:${range.start.line}`);
    if (!install || range.end.line !== range.start.line || range.end.character > install.range.end.character) return undefined;
    const at = (p: Position) => program.toProgram(install.cell, p)!;
    return { start: at(range.start), end: at(range.end) };
  };
  const result = runProjectRules(installRequirements(installs), program.installTexts(installs), uses, settings);
  const findings = result.findings.flatMap((finding): ProjectFinding[] => {
    const range = toProgram(finding.file, finding.range) ?? installAt.get(`${finding.file}:${finding.range.start.line}`)?.range;
    if (!range) return [];
    const related = finding.related.map((r) => {
      const cell = r.uri !== undefined && /^cell (\d+)$/.exec(r.uri);
      if (!cell) return r;
      const at = (p: Position) => program.toProgram(Number(cell[1]) - 1, p)!;
      return { range: { start: at(r.range.start), end: at(r.range.end) }, message: r.message };
    });
    const mapEdits = (edits: TextEdit[]) => edits.map((e) => ({ ...e, range: toProgram(finding.file, e.range) }));
    const fixes = finding.fixes.flatMap((fix): Fix[] => {
      const edits = mapEdits(fix.edits);
      return edits.every((e) => e.range) ? [{ ...fix, edits: edits as TextEdit[] }] : [];
    });
    const noqa = finding.noqa && mapEdits([finding.noqa])[0];
    const mapped: ProjectFinding = { ...finding, range, related, fixes };
    delete mapped.noqa;
    if (noqa?.range) mapped.noqa = noqa as TextEdit;
    return [mapped];
  });
  return { findings, errors: result.errors };
}

/** The project rules that the settings leave on, over requirements read from `texts`. */
function runProjectRules(
  requirements: KerasRequirement[], texts: Map<string, string>, legacyUses: readonly LegacyKerasUse[], settings: AnalysisSettings,
): ProjectResult {
  const order = [...texts.keys()];
  const findings: ProjectFinding[] = [];
  const errors: string[] = [];
  for (const rule of rules) {
    if (!isProjectRule(rule)) continue;
    const setting = ruleSetting(rule, settings);
    if (setting === 'off') continue;
    try {
      rule.runProject({
        requirements,
        texts,
        legacyUses,
        report(report) {
          const lineText = texts.get(report.file)?.split(/\r?\n|\r/)[report.range.start.line] ?? '';
          if (suppressedOnLine(lineText, rule.code, rule.name)) return;
          const finding: ProjectFinding = {
            file: report.file,
            code: rule.code,
            name: rule.name,
            severity: setting ?? report.severity,
            message: report.message,
            ...(report.detail ? { detail: report.detail } : {}),
            range: report.range,
            related: report.related ?? [],
            fixes: report.fixes ?? [],
            modelIds: [],
          };
          // A line without a comment takes one; a line with another comment is left to the user.
          // setup.cfg values have no inline comments (setuptools would read it as part of the requirement).
          if (!lineText.includes('#') && !/(^|[\\/])setup\.cfg$/i.test(report.file)) {
            const end = { line: report.range.start.line, character: lineText.length };
            finding.noqa = { range: { start: end, end }, newText: `  # noqa: ${rule.code}` };
          }
          findings.push(finding);
        },
      });
    } catch (error) {
      errors.push(`${rule.code}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  findings.sort((a, b) => order.indexOf(a.file) - order.indexOf(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  return { findings, errors };
}
