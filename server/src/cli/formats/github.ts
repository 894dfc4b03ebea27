import type { Severity } from '../../engine/analysis/types';
import { cellNumber, type CheckedFile, type OutputFormat } from './format';

/**
 * GitHub workflow commands, which GitHub shows as annotations on a pull request. Rows and
 * columns are 1-based; a notebook's are relative to their cell, which the message names.
 */

const command: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };

/** A workflow command's data: `%`, CR and LF escaped. */
const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A workflow command's property: also `:` and `,`. */
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=KSM301 lstm-missing-input-shape::message`, one line per finding. */
export function githubAnnotations(files: readonly CheckedFile[]): string {
  let out = '';
  for (const { file, findings } of files) {
    for (const f of findings) {
      const cell = cellNumber(f);
      const properties = [
        `file=${escapeProperty(file)}`,
        `line=${f.range.start.line + 1}`,
        `col=${f.range.start.character + 1}`,
        `endLine=${f.range.end.line + 1}`,
        `endColumn=${f.range.end.character + 1}`,
        `title=${escapeProperty(`${f.code} ${f.name}`)}`,
      ];
      const where = cell === undefined ? '' : `cell ${cell}: `;
      out += `::${command[f.severity]} ${properties.join(',')}::${escapeData(where + f.message)}\n`;
    }
  }
  return out;
}

export const githubFormat: OutputFormat = {
  name: 'github',
  description: 'GitHub workflow commands (annotations on a pull request)',
  emit: githubAnnotations,
};
