/**
 * Writes docs/rules/CODE.md and the rules table of docs/rules/README.md from the rule modules.
 * With --check, fails when a checked-in page differs, so docs cannot drift from behaviour.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readmeRuleRows, renderRuleDoc } from '../server/src/engine/rule-docs';
import { rules } from '../server/src/engine/rules/index';

const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, 'docs', 'rules');
const check = process.argv.includes('--check');

const pages = new Map<string, string>();
for (const rule of rules) pages.set(`${rule.code}.md`, renderRuleDoc(rule));
pages.set('README.md', [
  '# Rules',
  '',
  'Generated from the rule modules in `server/src/engine/rules/` by `npm run docs`.',
  '',
  '| Code | Name | Severity | Fix | Summary |',
  '| --- | --- | --- | --- | --- |',
  ...rules.map((r) => `| [${r.code}](${r.code}.md) | \`${r.name}\` | ${r.severity} | ${r.fixSafety} | ${r.summary} |`),
  '',
].join('\n'));

const stale: string[] = [];
fs.mkdirSync(dir, { recursive: true });
for (const [name, content] of pages) {
  const file = path.join(dir, name);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  if (check) stale.push(path.relative(root, file));
  else fs.writeFileSync(file, content);
}
for (const name of fs.readdirSync(dir)) {
  if (!pages.has(name)) {
    if (check) stale.push(`${path.relative(root, path.join(dir, name))} (no rule has this page)`);
    else fs.rmSync(path.join(dir, name));
  }
}
// The README's table is prose beside each rule, so it is checked, in both modes, rather than written.
const listed = readmeRuleRows(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
const expected = rules.map((r) => `${r.code} ${r.name}`);
const unlisted = expected.filter((row) => !listed.includes(row));
const extra = listed.filter((row) => !expected.includes(row));
if (unlisted.length > 0 || extra.length > 0 || listed.join() !== expected.join()) {
  console.error(`README.md's rule table must list every rule, in code order, as | [CODE](docs/rules/CODE.md) | \`name\` | …:` +
    `${unlisted.length > 0 ? `\n  missing: ${unlisted.join(', ')}` : ''}${extra.length > 0 ? `\n  no such rule: ${extra.join(', ')}` : ''}` +
    `${unlisted.length === 0 && extra.length === 0 ? '\n  the rows are out of order' : ''}`);
  process.exit(1);
}
if (stale.length > 0) {
  console.error(`Rule docs are out of date; run \`npm run docs\`:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
if (!check) console.log(`Wrote ${pages.size} pages to ${path.relative(root, dir)}/`);
