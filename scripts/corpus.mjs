// Precision and recall of every rule over test/corpus/: realistic Keras programs (and programs
// that must stay silent) whose expected findings are marked inline, as in the fixtures:
//   model.save("m")  # expect: KSM101
//   layers.LSTM(32),  # expect: KSM301:error
// Runs the bundled CLI as a user would (`ksm check --format json test/corpus`), matches its
// findings to the marks by (file, line, code) and, where a mark names one, severity. Prints a
// table per rule and every false positive and false negative; exits 1 when a rule falls below
// the threshold or has no expected finding in the corpus. Run after `npm run build`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const threshold = 0.95;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.join('test', 'corpus');
const cli = path.join('dist', 'cli.js');

/** Same syntax as test/helpers/fixtures.ts. */
const expectPattern = /#.*\bexpect:\s*([\w:, ]+)/;

function runCli(args) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  // 0: no findings, 1: findings; anything else is a failure of the run itself.
  if (result.status !== 0 && result.status !== 1) {
    process.stderr.write(result.stderr);
    throw new Error(`\`node ${cli} ${args.join(' ')}\` exited with ${result.status ?? result.signal}`);
  }
  return result;
}

function pythonFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pythonFiles(relative));
    // Requirement files carry marks too (KSM602, KSM603 report on them).
    else if (entry.name.endsWith('.py') || /^(requirements.*\.txt|pyproject\.toml|setup\.cfg|environment\.ya?ml)$/i.test(entry.name)) out.push(relative);
  }
  return out.sort();
}

/** Inline expectations of one file: 1-based line, code, optional severity. */
function expectationsOf(file) {
  const found = [];
  fs.readFileSync(path.join(root, file), 'utf8').split(/\r?\n/).forEach((line, index) => {
    const match = expectPattern.exec(line);
    if (!match) return;
    for (const item of match[1].split(',').map((s) => s.trim()).filter(Boolean)) {
      const [code, severity] = item.split(':');
      found.push({ file, line: index + 1, code, severity });
    }
  });
  return found;
}

function ratio(numerator, denominator) {
  return denominator === 0 ? undefined : numerator / denominator;
}

function formatRatio(value) {
  return value === undefined ? 'n/a' : value.toFixed(3);
}

const rules = JSON.parse(runCli(['rules', '--format', 'json']).stdout).map((r) => r.code);
const files = pythonFiles(corpusDir);
const lineCount = files.reduce((n, f) => n + fs.readFileSync(path.join(root, f), 'utf8').split(/\r?\n/).length, 0);
const expected = files.flatMap(expectationsOf);
const check = runCli(['check', '--format', 'json', corpusDir]);
const actual = JSON.parse(check.stdout).map((f) => ({
  file: path.normalize(f.filename), line: f.location.row, code: f.code, severity: f.severity,
}));

const problems = [];
const unknownCodes = [...new Set(expected.map((e) => e.code))].filter((c) => !rules.includes(c));
for (const code of unknownCodes) problems.push(`expectations name an unknown rule: ${code}`);
if (check.stderr.trim()) problems.push(`the CLI reported on stderr:\n${check.stderr.trim()}`);

const sameSpot = (a, e) => a.file === e.file && a.line === e.line && a.code === e.code;
const matches = (a, e) => sameSpot(a, e) && (!e.severity || e.severity === a.severity);
const location = (f) => `${f.file}:${f.line}`;

const rows = [];
const listed = [];
for (const code of rules) {
  const want = expected.filter((e) => e.code === code);
  const got = actual.filter((a) => a.code === code);
  const tp = want.filter((e) => got.some((a) => matches(a, e))).length;
  const fps = got.filter((a) => !want.some((e) => matches(a, e)));
  const fns = want.filter((e) => !got.some((a) => matches(a, e)));
  const precision = ratio(tp, tp + fps.length);
  const recall = ratio(tp, tp + fns.length);
  rows.push({ code, expected: want.length, tp, fp: fps.length, fn: fns.length, precision, recall });
  for (const a of fps) {
    const marked = want.find((e) => sameSpot(a, e));
    listed.push(`FP ${code} ${location(a)} (${a.severity}${marked ? `; marked ${marked.severity}` : ''})`);
  }
  for (const e of fns) {
    const reported = got.find((a) => sameSpot(a, e));
    listed.push(`FN ${code} ${location(e)}${e.severity ? ` (${e.severity}${reported ? `; reported ${reported.severity}` : ''})` : ''}`);
  }
  if (want.length === 0) problems.push(`${code} has no expected finding in the corpus: its precision and recall are not measured`);
  else if (precision === undefined || precision < threshold || recall < threshold) {
    problems.push(`${code} is below ${threshold}: precision ${formatRatio(precision)}, recall ${formatRatio(recall)}`);
  }
}

console.log(`Corpus: ${files.length} Python files, ${lineCount} lines in ${corpusDir}; ${expected.length} expected findings, ${actual.length} reported.`);
console.log('Imports between the modules of a package are followed, as `ksm check` follows them.');
console.log('');
console.log('| rule | expected | TP | FP | FN | precision | recall |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.code} | ${r.expected} | ${r.tp} | ${r.fp} | ${r.fn} | ${formatRatio(r.precision)} | ${formatRatio(r.recall)} |`);
}
const total = rows.reduce((t, r) => ({ tp: t.tp + r.tp, fp: t.fp + r.fp, fn: t.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });
console.log(`| all | ${expected.length} | ${total.tp} | ${total.fp} | ${total.fn} | ${formatRatio(ratio(total.tp, total.tp + total.fp))} | ${formatRatio(ratio(total.tp, total.tp + total.fn))} |`);
if (listed.length > 0) {
  console.log('');
  for (const line of listed) console.log(line);
}
if (problems.length > 0) {
  console.log('');
  for (const p of problems) console.log(`FAIL: ${p}`);
  process.exitCode = 1;
} else {
  console.log('');
  console.log(`Every rule is at or above ${threshold} in precision and recall.`);
}
