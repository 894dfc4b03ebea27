import pc from 'picocolors';
import { rulePageUrl } from '../../engine/rule-docs';
import { linesOf, locationLabel, type OutputFormat, type ShownFinding } from './format';
import { findingLine, summary } from './text';

/**
 * Each finding as text gives it, then the line it is on with the range underlined, its
 * explanation, its related locations, a `help:` line per fix and the rule's page; then text's
 * summary (as Ruff's `full` is to its `concise`).
 */

const tabWidth = 4;

/** East Asian wide and fullwidth characters, which a terminal shows two columns wide. */
const wide = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
/** Combining marks and other characters that take no column of their own. */
const zeroWidth = /[\p{Mn}\p{Me}\p{Cf}]/u;

/**
 * A source line as shown, tabs expanded to the next tab stop, and the column (in terminal
 * columns) where each UTF-16 offset of the line starts on screen: the underline is placed by
 * these, so a tab or a wide character before the range does not shift it.
 */
export function displayLine(line: string): { shown: string; columnAt: number[] } {
  let shown = '';
  let width = 0;
  const columnAt: number[] = [];
  for (const char of line) {
    for (let unit = 0; unit < char.length; unit++) columnAt.push(width);
    if (char === '\t') {
      const spaces = tabWidth - (width % tabWidth);
      shown += ' '.repeat(spaces);
      width += spaces;
      continue;
    }
    shown += char;
    width += zeroWidth.test(char) ? 0 : wide.test(char) ? 2 : 1;
  }
  columnAt.push(width);
  return { shown, columnAt };
}

/** The gutter, the line and the underline under the range's part on its first line. */
function snippet(f: ShownFinding, text: string | undefined, c: ReturnType<typeof pc.createColors>): string[] {
  const line = text === undefined ? undefined : linesOf(text)[f.range.start.line];
  if (line === undefined) return [];
  const { shown, columnAt } = displayLine(line);
  const at = (character: number) => columnAt[Math.min(character, line.length)]!;
  const start = at(f.range.start.character);
  const end = f.range.end.line === f.range.start.line ? at(f.range.end.character) : columnAt[line.length]!;
  const number = String(f.range.start.line + 1);
  const gutter = ' '.repeat(number.length);
  return [
    `${gutter} ${c.blue('|')}`,
    `${c.blue(number)} ${c.blue('|')} ${shown}`,
    `${gutter} ${c.blue('|')} ${' '.repeat(start)}${c.red('^'.repeat(Math.max(1, end - start)))}`,
    `${gutter} ${c.blue('|')}`,
  ];
}

export const fullFormat: OutputFormat = {
  name: 'full',
  description: 'each finding with its source line underlined, explanation, related locations and fixes',
  emit(files, context) {
    const c = pc.createColors(context.colour);
    let out = '';
    for (const { file, findings } of files) {
      for (const f of findings) {
        const lines = [findingLine(file, f, c), ...snippet(f, context.source(file, 'cell' in f ? f.cell : undefined), c)];
        if (f.detail) lines.push(...f.detail.split('\n').map((l) => `  ${l}`));
        for (const r of f.related) lines.push(`  ${locationLabel(r.uri ?? file, r)}: ${r.message}`);
        for (const fix of f.fixes) lines.push(`  ${c.cyan('help')}: ${fix.title}${fix.applicability === 'safe' ? '' : ` (${fix.applicability})`}`);
        lines.push(`  ${c.dim(`see ${rulePageUrl(f.code)}`)}`);
        out += lines.join('\n') + '\n\n';
      }
    }
    return out + summary(files, context);
  },
};
