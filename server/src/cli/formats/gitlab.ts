import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Severity } from '../../engine/analysis/types';
import { rulePageUrl } from '../../engine/rule-docs';
import { cellNumber, textIn, type OutputFormat } from './format';

/**
 * A GitLab Code Quality report: an array of issues, which GitLab shows in merge requests. The
 * fingerprint is what GitLab matches issues by between the target branch and the merge
 * request, so it leaves out line numbers: the path, the rule, the message and the flagged
 * text (and the cell, in a notebook). An edit above a finding keeps it; two findings that
 * differ in any of these differ in it.
 */

const severity: Record<Severity, string> = { error: 'critical', warning: 'major', information: 'minor', hint: 'info' };

export const gitlabFormat: OutputFormat = {
  name: 'gitlab',
  description: 'a GitLab Code Quality report (merge request widget)',
  emit(files, context) {
    const seen = new Map<string, number>();
    const issues = files.flatMap(({ file, findings }) => findings.map((f) => {
      const cell = cellNumber(f);
      const shownPath = file.split(path.sep).join('/');
      const source = context.source(file, 'cell' in f ? f.cell : undefined);
      const flagged = source === undefined ? '' : textIn(source, f.range);
      const base = createHash('sha256').update(JSON.stringify([shownPath, cell ?? null, f.code, f.message, flagged])).digest('hex');
      // The same finding twice in a file (the same text flagged twice) is told apart by its order.
      const repeat = seen.get(base) ?? 0;
      seen.set(base, repeat + 1);
      const fingerprint = repeat === 0 ? base : createHash('sha256').update(`${base}#${repeat}`).digest('hex');
      return {
        description: `${cell === undefined ? '' : `cell ${cell}: `}${f.message}`,
        check_name: `${f.code} ${f.name}`,
        fingerprint,
        severity: severity[f.severity],
        location: { path: shownPath, lines: { begin: f.range.start.line + 1, end: f.range.end.line + 1 } },
        // Code Quality's optional Markdown body: the explanation and the rule's page.
        content: { body: `${f.detail ? `${f.detail}\n\n` : ''}See [${f.code} ${f.name}](${rulePageUrl(f.code)}).` },
      };
    }));
    return JSON.stringify(issues, null, 2) + '\n';
  },
};
