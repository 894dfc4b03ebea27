import { locationLabel, plural, type OutputFormat } from './format';

/**
 * One plain line per finding and one count line, as Ruff's `concise` is to its `full`: no level,
 * no colour, no fix hints, for tools and people that read the lines one by one.
 */
export const conciseFormat: OutputFormat = {
  name: 'concise',
  description: 'one line per finding, `path:line:col: CODE message`, then a count',
  emit(files) {
    const lines = files.flatMap(({ file, findings }) => findings.map((f) => `${locationLabel(file, f)}: ${f.code} ${f.message}\n`));
    return lines.join('') + `Found ${plural(lines.length, 'problem')}.\n`;
  },
};
