import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type * as Sarif from 'sarif';
import { githubAnnotations } from '../../server/src/cli/formats/github';
import { outputFormats } from '../../server/src/cli/formats/index';
import { homepageUrl, repositoryUrl, rulePageUrl } from '../../server/src/engine/rule-docs';
import type { Finding } from '../../server/src/engine/analysis/types';
import { rules } from '../../server/src/engine/rules/index';
import { repoRoot } from '../helpers/fixtures';
import { sarifProblems } from '../helpers/sarif-validator';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const targets = ['examples', 'test/corpus', 'test/fixtures/KSM501/suppressed.py'];

function ksm(args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface JsonFinding {
  code: string;
  severity: string;
  filename: string;
  cell?: number;
  location: { row: number; column: number };
  end_location: { row: number; column: number };
  fix: unknown;
}

const jsonFindings = (): JsonFinding[] => JSON.parse(ksm(['check', '--format', 'json', ...targets]).stdout) as JsonFinding[];

test('--format sarif passes Microsoft\'s SARIF validator and holds every finding, its location, related locations and fixes', () => {
  const run = ksm(['check', '--format', 'sarif', ...targets]);
  assert.equal(run.code, 1);
  const log = JSON.parse(run.stdout) as Sarif.Log;
  const findings = jsonFindings();
  const [sarifRun] = log.runs;
  assert.equal(log.version, '2.1.0');
  assert.deepEqual(sarifRun!.tool.driver.rules!.map((r) => r.id), rules.map((r) => r.code));
  const results = sarifRun!.results!.filter((r) => r.suppressions === undefined);
  assert.equal(results.length, findings.length);
  const levels: Record<string, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };
  results.forEach((result, i) => {
    const finding = findings[i]!;
    assert.equal(result.ruleId, finding.code);
    assert.equal(sarifRun!.tool.driver.rules![result.ruleIndex!]!.id, finding.code);
    assert.equal(result.level, levels[finding.severity]);
    const location = result.locations![0]!.physicalLocation!;
    assert.equal(decodeURIComponent(location.artifactLocation!.uri!), finding.filename.split(path.sep).join('/'));
    assert.deepEqual(
      [location.region!.startLine, location.region!.startColumn, location.region!.endLine, location.region!.endColumn],
      [finding.location.row, finding.location.column, finding.end_location.row, finding.end_location.column],
    );
    assert.equal(location.region!.properties?.['cell'], finding.cell);
    assert.equal((result.fixes?.length ?? 0) > 0, finding.fix !== null);
  });
  assert.ok(results.some((r) => (r.relatedLocations?.length ?? 0) > 0));
  assert.ok(results.some((r) => r.locations![0]!.physicalLocation!.region!.properties?.['cell'] !== undefined), 'a notebook finding names its cell');
  // The findings `# noqa` silences are there too, suppressed in the source, each on a noqa line.
  const suppressed = sarifRun!.results!.filter((r) => r.suppressions !== undefined);
  assert.ok(suppressed.length > 0);
  for (const r of suppressed) {
    assert.deepEqual(r.suppressions, [{ kind: 'inSource' }]);
    const location = r.locations![0]!.physicalLocation!;
    const line = fs.readFileSync(path.join(repoRoot, decodeURIComponent(location.artifactLocation!.uri!)), 'utf8').split('\n')[location.region!.startLine! - 1]!;
    assert.match(line, /#\s*noqa/i);
  }
  assert.equal(sarifRun!.tool.driver.informationUri, homepageUrl);
  assert.ok(sarifRun!.tool.driver.rules!.every((r) => r.helpUri === rulePageUrl(r.id)));

  assert.deepEqual(sarifProblems(run.stdout), []);
});

test('--format github prints one workflow command per finding, at its level and place', () => {
  const run = ksm(['check', '--format', 'github', ...targets]);
  assert.equal(run.code, 1);
  const lines = run.stdout.trimEnd().split('\n');
  const findings = jsonFindings();
  assert.equal(lines.length, findings.length);
  const commands: Record<string, string> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };
  lines.forEach((line, i) => {
    const f = findings[i]!;
    const file = f.filename.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/,/g, '%2C');
    assert.ok(line.startsWith(`::${commands[f.severity]} file=${file},line=${f.location.row},col=${f.location.column},endLine=${f.end_location.row},endColumn=${f.end_location.column},title=${f.code} `), line);
  });
});

test('workflow commands escape what would end a property or the message', () => {
  const finding: Finding = {
    code: 'KSM101', name: 'save-before-compile', severity: 'hint', message: '100% sure\nsecond line',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, related: [], fixes: [], modelIds: [],
  };
  assert.equal(
    githubAnnotations([{ file: 'a,b:c.py', findings: [finding] }]),
    '::notice file=a%2Cb%3Ac.py,line=1,col=1,endLine=1,endColumn=4,title=KSM101 save-before-compile::100%25 sure%0Asecond line\n',
  );
});

// --- The formats on small files of their own ---

let work: string;
before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-formats-'));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Writes files into a fresh folder under the scratch one, and returns it. */
function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function ksmIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = { NO_COLOR: '1' }) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Saved before compile (KSM101, line 3) and saved without an extension (KSM502, line 4). */
const twoFindings = [
  'import keras',
  'm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
  'm.save("first.keras")',
  'm.save("second")',
  'm.compile(optimizer="adam", loss="mse")',
  '',
].join('\n');

interface Entry {
  code: string;
  severity: string;
  message: string;
  detail?: string;
  filename: string;
  location: { row: number; column: number };
  end_location: { row: number; column: number };
  url: string;
}

const jsonOf = (dir: string, files: string[]): Entry[] => JSON.parse(ksmIn(dir, ['check', '--format', 'json', ...files]).stdout) as Entry[];

test('--format concise: exactly one `path:line:col: CODE message` line per finding, then a count', () => {
  const dir = folder('concise', { 'model.py': twoFindings });
  const run = ksmIn(dir, ['check', '--format', 'concise', 'model.py']);
  assert.equal(run.code, 1);
  const [a, b, c] = jsonOf(dir, ['model.py']);
  assert.deepEqual(run.stdout.split('\n'), [
    `model.py:3:1: KSM101 ${a!.message}`,
    `model.py:4:1: KSM101 ${b!.message}`,
    `model.py:4:8: KSM502 ${c!.message}`,
    'Found 3 problems.',
    '',
  ]);
  assert.equal(ksmIn(folder('concise-clean', { 'ok.py': 'x = 1\n' }), ['check', '--format', 'concise', 'ok.py']).stdout, 'Found 0 problems.\n');
});

test('--format full: the source line with the range underlined, even after a tab, wide and combining characters', () => {
  // A tab (shown up to the next multiple of 4), two wide characters and an `e` with a combining accent.
  const line = '\tx = "日本e\u0301"; m.save("out")';
  const dir = folder('full', { 'model.py': ['import keras', 'm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])', 'm.compile(optimizer="adam", loss="mse")', 'if True:', line, ''].join('\n') });
  const run = ksmIn(dir, ['check', '--format', 'full', 'model.py']);
  assert.equal(run.code, 1);
  assert.doesNotMatch(run.stdout, /\x1b\[/, 'no colour with NO_COLOR');
  const [finding] = jsonOf(dir, ['model.py']);
  assert.equal(finding!.code, 'KSM502');
  const lines = run.stdout.split('\n');
  const at = lines.indexOf(`model.py:5:${line.indexOf('"out"') + 1}: KSM502 [${finding!.severity}] ${finding!.message}`);
  assert.ok(at >= 0, run.stdout);
  // On screen: 4 columns of tab, `x = "` 5, 日本 4, `é"` 2, `; m.save(` 9: the string starts at column 24.
  assert.deepEqual(lines.slice(at + 1, at + 5), ['  |', '5 |     x = "日本e\u0301"; m.save("out")', `  | ${' '.repeat(24)}^^^^^`, '  |']);
  // The explanation, then the related location, a help line per fix and the rule's page.
  const rest = lines.slice(at + 5, lines.indexOf('', at));
  const detailLines = finding!.detail!.split('\n').map((l) => `  ${l}`);
  assert.deepEqual(rest.slice(0, detailLines.length), detailLines);
  rest.splice(0, detailLines.length);
  assert.equal(rest[0], '  model.py:2:5: `m` is defined here');
  assert.ok(rest.slice(1, -1).length > 0 && rest.slice(1, -1).every((l) => l.startsWith('  help: ')), rest.join('\n'));
  assert.equal(rest.at(-1), `  see ${rulePageUrl('KSM502')}`);
  assert.match(run.stdout, /^Found 1 problem \(1 (error|warning)\) in 1 file\.$/m);
  // Not a terminal: no colour even without NO_COLOR.
  const piped = ksmIn(dir, ['check', '--format', 'full', 'model.py'], { NO_COLOR: '' });
  assert.doesNotMatch(piped.stdout, /\x1b\[/);
});

test('--format full names a notebook cell and shows the cell\'s line', () => {
  const notebook = {
    nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'python3', language: 'python' }, language_info: { name: 'python' } },
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Title'] },
      { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['import keras\n', 'm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\n', 'm.compile(optimizer="adam", loss="mse")'] },
      { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['m.save("out")'] },
    ],
  };
  const dir = folder('full-notebook', { 'nb.ipynb': JSON.stringify(notebook) });
  const lines = ksmIn(dir, ['check', '--format', 'full', 'nb.ipynb']).stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith('nb.ipynb:cell 3:1:8: KSM502 '));
  assert.ok(at >= 0, lines.join('\n'));
  assert.deepEqual(lines.slice(at + 2, at + 4), ['1 | m.save("out")', '  |        ^^^^^']);
});

test('--format json-lines: one object per line, each equal to the json entry', () => {
  const dir = folder('json-lines', { 'model.py': twoFindings, 'other.py': twoFindings });
  const run = ksmIn(dir, ['check', '--format', 'json-lines', 'model.py', 'other.py']);
  assert.equal(run.code, 1);
  assert.ok(run.stdout.endsWith('\n'));
  const lines = run.stdout.slice(0, -1).split('\n');
  assert.deepEqual(lines.map((l) => JSON.parse(l) as Entry), jsonOf(dir, ['model.py', 'other.py']));
  assert.equal(lines.length, 6);
  assert.equal(ksmIn(dir, ['check', '--format', 'json-lines', '--select', 'KSM3', 'model.py']).stdout, '', 'no findings, no lines');
});

test('--format json: url is the rule\'s public page, which package.json\'s repository and homepage agree with', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { homepage: string; repository: { url: string } };
  assert.equal(manifest.repository.url.replace(/\.git$/, ''), repositoryUrl);
  assert.equal(manifest.homepage, homepageUrl);
  const dir = folder('url', { 'model.py': twoFindings });
  for (const entry of jsonOf(dir, ['model.py'])) {
    assert.equal(entry.url, `${repositoryUrl}/blob/main/docs/rules/${entry.code}.md`);
    assert.ok(fs.existsSync(path.join(repoRoot, 'docs', 'rules', `${entry.code}.md`)));
  }
});

interface GitlabIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number; end: number } };
}

test('--format gitlab: Code Quality issues whose fingerprints survive an edit above and differ between findings', () => {
  const dir = folder('gitlab', { 'src/model.py': twoFindings });
  const before = JSON.parse(ksmIn(dir, ['check', '--format', 'gitlab', 'src']).stdout) as GitlabIssue[];
  assert.equal(before.length, 3);
  for (const issue of before) {
    assert.deepEqual(Object.keys(issue).filter((k) => k !== 'content').sort(), ['check_name', 'description', 'fingerprint', 'location', 'severity']);
    assert.ok(['info', 'minor', 'major', 'critical', 'blocker'].includes(issue.severity), issue.severity);
    assert.equal(issue.location.path, 'src/model.py');
  }
  assert.deepEqual(before.map((i) => [i.check_name, i.location.lines.begin]), [['KSM101 save-before-compile', 3], ['KSM101 save-before-compile', 4], ['KSM502 save-path-without-extension', 4]]);
  assert.equal(new Set(before.map((i) => i.fingerprint)).size, 3, 'each finding its own fingerprint');

  fs.writeFileSync(path.join(dir, 'src', 'model.py'), `# an unrelated comment\n\n${twoFindings}`);
  const after = JSON.parse(ksmIn(dir, ['check', '--format', 'gitlab', 'src']).stdout) as GitlabIssue[];
  assert.deepEqual(after.map((i) => i.location.lines.begin), [5, 6, 6]);
  assert.deepEqual(after.map((i) => i.fingerprint), before.map((i) => i.fingerprint));
  // A run of the same files gives the same report.
  assert.equal(ksmIn(dir, ['check', '--format', 'gitlab', 'src']).stdout, ksmIn(dir, ['check', '--format', 'gitlab', 'src']).stdout);
});

/** The elements of a well-formed XML document, or a thrown error naming what is wrong. */
function parseXml(xml: string): Array<{ name: string; attributes: Record<string, string>; children: string[]; text: string }> {
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi;
  const decode = (s: string) => s.replace(entity, (e) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" })[e] ?? e);
  const checkText = (s: string) => {
    if (/[<>]/.test(s) || /&/.test(s.replace(entity, ''))) throw new Error(`unescaped text: ${s}`);
  };
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const elements: Array<{ name: string; attributes: Record<string, string>; children: string[]; text: string }> = [];
  const open: number[] = [];
  const tag = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"]*")*)\s*(\/?)>/;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    checkText(text);
    if (open.length > 0) elements[open.at(-1)!]!.text += decode(text);
    else if (text.trim() !== '') throw new Error(`text outside the root: ${text}`);
    if (lt < 0) break;
    rest = rest.slice(lt);
    const m = tag.exec(rest);
    if (!m) throw new Error(`not a tag: ${rest.slice(0, 40)}`);
    rest = rest.slice(m[0].length);
    const [, closing, name, attrs, selfClosing] = m;
    if (closing) {
      const top = open.pop();
      if (top === undefined || elements[top]!.name !== name) throw new Error(`</${name}> closes nothing open`);
      continue;
    }
    if (open.length === 0 && elements.length > 0) throw new Error('a second root');
    const attributes: Record<string, string> = {};
    for (const a of attrs!.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      checkText(a[2]!);
      attributes[a[1]!] = decode(a[2]!);
    }
    const index = elements.push({ name: name!, attributes, children: [], text: '' }) - 1;
    if (open.length > 0) elements[open.at(-1)!]!.children.push(String(index));
    if (!selfClosing) open.push(index);
  }
  if (open.length > 0) throw new Error(`<${elements[open[0]!]!.name}> is never closed`);
  return elements;
}

test('--format junit: well-formed XML, a testsuite per file, a failure per finding, clean files passing, all escaped', () => {
  const odd = 'odd<&"\'>.py';
  const dir = folder('junit', { [odd]: twoFindings, 'clean.py': 'x = 1\n' });
  const run = ksmIn(dir, ['check', '--format', 'junit', odd, 'clean.py']);
  assert.equal(run.code, 1);
  const elements = parseXml(run.stdout);
  const children = (e: (typeof elements)[number]) => e.children.map((i) => elements[Number(i)]!);
  const [root] = elements;
  assert.equal(root!.name, 'testsuites');
  assert.deepEqual([root!.attributes['tests'], root!.attributes['failures']], ['4', '3']);
  const suites = children(root!);
  assert.deepEqual(suites.map((s) => [s.name, s.attributes['name'], s.attributes['failures']]), [['testsuite', odd, '3'], ['testsuite', 'clean.py', '0']]);
  const flagged = children(suites[0]!);
  assert.equal(flagged.length, 3);
  const messages = jsonOf(dir, [odd]).map((e) => e.message);
  flagged.forEach((testcase, i) => {
    assert.equal(testcase.name, 'testcase');
    assert.equal(testcase.attributes['classname'], odd);
    const [failure] = children(testcase);
    assert.equal(failure!.name, 'failure');
    assert.equal(failure!.attributes['message'], messages[i]);
    assert.ok(failure!.text.startsWith(`${odd}:`), failure!.text);
  });
  assert.match(run.stdout, /odd&lt;&amp;&quot;&apos;&gt;\.py/);
  const clean = children(suites[1]!);
  assert.deepEqual(clean.map((t) => [t.name, t.attributes['name'], t.children.length]), [['testcase', 'clean.py', 0]]);
});

test('the XML check above refuses what is not well-formed', () => {
  assert.throws(() => parseXml('<a>x & y</a>'), /unescaped/);
  assert.throws(() => parseXml('<a b="<"></a>'), /unescaped|not a tag/);
  assert.throws(() => parseXml('<a><b></a></b>'), /closes nothing/);
  assert.throws(() => parseXml('<a>'), /never closed/);
  assert.equal(parseXml('<a b="&amp;">&lt;</a>')[0]!.text, '<');
});

test('every format is a --format choice and is listed in the README with an example', () => {
  const help = ksmIn(repoRoot, ['check', '--help']).stdout.replace(/\s+/g, ' ');
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const format of outputFormats) {
    assert.ok(help.includes(`${format.name} (`), `--help names ${format.name}`);
    assert.ok(readme.includes(`--format ${format.name}`), `the README shows --format ${format.name}`);
  }
  const wrong = ksmIn(repoRoot, ['check', '--format', 'xml', 'examples']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /Allowed choices are text, concise, full, json, json-lines, sarif, github, gitlab, junit/);
});

test('ksm report --format json counts lines and characters from 1, as ksm check does', () => {
  const dir = folder('report', { 'model.py': twoFindings });
  const [file] = JSON.parse(ksmIn(dir, ['report', '--format', 'json', 'model.py']).stdout) as Array<{
    models: Array<{ definition: { start: { line: number; character: number } }; saves: Array<{ range: { start: { line: number; character: number } } }>; checks: Array<{ problems: Array<{ code: string; range: { start: { line: number; character: number } } }> }> }>;
  }>;
  const [model] = file!.models;
  assert.deepEqual(model!.definition.start, { line: 2, character: 5 });
  assert.deepEqual(model!.saves.map((s) => s.range.start), [{ line: 3, character: 1 }, { line: 4, character: 1 }]);
  const problems = model!.checks.flatMap((c) => c.problems).map((p) => [p.code, p.range.start.line, p.range.start.character]);
  const check = jsonOf(dir, ['model.py']).map((e) => [e.code, e.location.row, e.location.column]);
  assert.deepEqual(problems.sort(), check.sort());
});

test('--format full and gitlab read standard input\'s text, not the file --stdin-filename names', () => {
  const dir = folder('stdin', { 'model.py': 'x = 1\n' });
  const run = (format: string) => spawnSync(process.execPath, [cli, 'check', '--format', format, '--stdin-filename', 'model.py', '-'], { cwd: dir, input: twoFindings, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const full = run('full');
  assert.equal(full.status, 1);
  assert.ok(full.stdout.includes('4 | m.save("second")\n  |        ^^^^^^^^\n'), full.stdout);
  // The fingerprints hash the flagged text: the same as for that text in a file of the same name.
  const fromStdin = (JSON.parse(run('gitlab').stdout) as GitlabIssue[]).map((i) => i.fingerprint);
  const fromFile = (JSON.parse(ksmIn(folder('stdin-file', { 'model.py': twoFindings }), ['check', '--format', 'gitlab', 'model.py']).stdout) as GitlabIssue[]).map((i) => i.fingerprint);
  assert.deepEqual(fromStdin, fromFile);
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

test('text and full are coloured on a terminal, and not with NO_COLOR', { skip: !hasScript && 'needs script(1) for a terminal' }, () => {
  const dir = folder('terminal', { 'model.py': twoFindings });
  // script(1) runs the command on a pseudo-terminal, so standard output is a TTY.
  const onTerminal = (format: string, env: NodeJS.ProcessEnv) =>
    spawnSync('script', ['-qec', `"${process.execPath}" "${cli}" check --format ${format} model.py`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
  for (const format of ['text', 'full']) {
    assert.match(onTerminal(format, { NO_COLOR: '' }), /\x1b\[\d+m/, `${format} on a terminal`);
    const plain = onTerminal(format, { NO_COLOR: '1' });
    assert.match(plain, /KSM502/);
    assert.doesNotMatch(plain, /\x1b\[/, `${format} with NO_COLOR`);
  }
});
