import pc from 'picocolors';
import type { Severity } from '../../engine/analysis/types';
import { fixToApply } from '../../engine/fix-all';
import { hiddenFixesNote, locationLabel, plural, type CheckedFile, type FormatContext, type OutputFormat, type ShownFinding } from './format';

type Colours = ReturnType<typeof pc.createColors>;

const severityColour = (c: Colours): Record<Severity, (s: string) => string> => ({ error: c.red, warning: c.yellow, information: c.blue, hint: c.dim });

/** `path:line:col: CODE [severity] message`, the first line of a finding in text and full. */
export function findingLine(file: string, f: ShownFinding, c: Colours): string {
  const colour = severityColour(c)[f.severity];
  return `${c.bold(file)}${locationLabel(file, f).slice(file.length)}: ${colour(c.bold(f.code))} ${colour(`[${f.severity}]`)} ${f.message}`;
}

/**
 * What follows the findings in text and full: what `--fix` fixed, then the count by level, how
 * many a fix that `--fix` applies removes, and (without `--unsafe-fixes`) how many more an
 * unsafe fix would. A file that could not be analysed is counted apart, so that
 * "no problems" never covers it.
 */
export function summary(files: readonly CheckedFile[], context: FormatContext): string {
  const c = pc.createColors(context.colour);
  const findings = files.flatMap((f) => f.findings);
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const fixable = findings.filter((f) => fixToApply(f, context.unsafeFixes) !== undefined).length;
  const fixed = files.reduce((sum, f) => sum + (f.fixed ?? 0), 0);
  const notAnalysed = files.filter((f) => f.analysed === false).length;
  const analysed = files.length - notAnalysed;
  const fileWord = analysed === 1 ? 'file' : 'files';
  const skippedNote = notAnalysed > 0 ? c.yellow(` ${notAnalysed === 1 ? '1 file was' : `${notAnalysed} files were`} skipped (see above): ${skipReasons(files)}.`) : '';
  let out = '';
  if (fixed > 0) out += `Fixed ${plural(fixed, 'problem')}.\n`;
  if (context.showFixes) {
    for (const f of files) {
      const rules = Object.entries(f.fixedRules ?? {});
      if (rules.length > 0) out += `${c.bold(f.file)}:\n${rules.map(([rule, n]) => `    ${n} × ${rule}\n`).join('')}`;
    }
  }
  if (findings.length === 0) return out + c.green(`No problems found in ${analysed} ${fileWord}.`) + skippedNote + '\n';
  const parts = (Object.keys(bySeverity) as Severity[])
    .filter((k) => bySeverity[k] > 0)
    .map((k) => `${bySeverity[k]} ${k === 'information' ? 'info' : k}${bySeverity[k] === 1 || k === 'information' ? '' : 's'}`);
  out += `Found ${plural(findings.length, 'problem')} (${parts.join(', ')}) in ${analysed} ${fileWord}.${skippedNote}\n`;
  if (fixable > 0) out += `${fixable} fixable with \`ksm check --fix${context.unsafeFixes ? ' --unsafe-fixes' : ''}\`.\n`;
  return context.unsafeFixes ? out : out + hiddenFixesNote(findings);
}

/** `larger than 2 MiB`, or with several files `2 larger than 2 MiB, 1 not valid UTF-8`. */
function skipReasons(files: readonly CheckedFile[]): string {
  const counts = new Map<string, number>();
  for (const f of files) if (f.analysed === false) counts.set(f.skipped ?? 'not analysed', (counts.get(f.skipped ?? 'not analysed') ?? 0) + 1);
  const single = counts.size === 1 && [...counts.values()][0] === 1;
  return [...counts].map(([reason, count]) => (single ? reason : `${count} ${reason}`)).join(', ');
}

export const textFormat: OutputFormat = {
  name: 'text',
  description: 'one line per finding with its level, then a summary (the default)',
  emit(files, context) {
    const c = pc.createColors(context.colour);
    const lines = files.flatMap(({ file, findings }) => findings.map((f) => findingLine(file, f, c) + '\n'));
    return lines.join('') + summary(files, context);
  },
};
