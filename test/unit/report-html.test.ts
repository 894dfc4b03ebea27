import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { escapeHtml, renderReportPage, type ReportFile } from '../../client/src/report-html';
import { blockingProblems, findingsOutsideModels, kerasVersionLabel } from '../../client/src/readiness-summary';
import { initParser } from '../../server/src/engine/analysis/parser';
import { defaultSettings, type Range } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { fileReadiness } from '../../server/src/readiness';
import type { CheckResult, FileReadiness, ModelReport } from '../../server/src/protocol';

before(() => initParser());

const nonce = 'bm9uY2Utbm9uY2Utbm9uY2U=';

function range(line: number, character = 0, length = 5): Range {
  return { start: { line, character }, end: { line, character: character + length } };
}

function check(id: CheckResult['id'], status: CheckResult['status'], problems: CheckResult['problems'] = []): CheckResult {
  return { id, title: `the ${id} check`, status, codes: ['KSM101'], problems };
}

function model(name: string, checks: CheckResult[], line = 3): ModelReport {
  const blocking = checks.flatMap((c) => c.problems).filter((p) => p.severity === 'error').length;
  return {
    id: line,
    name,
    kind: 'Sequential',
    definition: range(line, 0, name.length),
    saves: [{ method: 'save', range: range(line + 5, 0, 20) }],
    checks,
    verdict: blocking > 0 ? 'not-ready' : 'ready',
    blocking,
  };
}

function file(uri: string, models: ModelReport[], extraFindings: FileReadiness['findings'] = []): FileReadiness {
  const inModels = models.flatMap((m) => m.checks.flatMap((c) => c.problems.map((p) => ({ ...p, name: 'a-rule' }))));
  return { uri, kerasVersion: { major: 3, source: '`keras.ops` (line 2)' }, models, findings: [...inModels, ...extraFindings] };
}

const uri = 'file:///project/train.py';
const unbuilt = { code: 'KSM301', severity: 'error' as const, message: 'The `LSTM` has no input shape', range: range(4, 4, 10) };
const unregistered = { code: 'KSM203', name: 'custom-object-not-registered', severity: 'information' as const, message: 'Register `Scale`', range: range(9, 6, 5) };

/** The decoded `{ uri, range }` of every link to a source location, in page order. */
function locationLinks(html: string): Array<{ text: string; uri: string; range: Range }> {
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  return [...html.matchAll(/<a href="#" data-loc="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ text: m[2]!, ...JSON.parse(unescape(m[1]!)) }));
}

function render(kind: 'file' | 'workspace', files: ReportFile[]): string {
  return renderReportPage({ kind, files, nonce });
}

test('escapeHtml escapes every character that could open markup or leave an attribute', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
});

test('user text never reaches the page as markup', () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const report = file('file:///project/%3Cx%3E.py', [
    model(hostile, [check('compile', 'fail', [{ ...unbuilt, message: `</li><script>alert(1)</script> \`${hostile}\`` }])]),
  ]);
  const html = render('file', [{ label: `"><script>alert(2)</script>.py`, readiness: report }]);
  assert.ok(!html.includes('<img'), 'an image tag got through');
  assert.equal(html.match(/<script/g)?.length, 1, 'only the page script may be a script');
  assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'));
  assert.ok(html.includes('<code>&#60;img src=x onerror=alert(1)&#62;</code>'), 'backtick spans become code, escaped');
  assert.ok(!/\son\w+=/.test(html.replace(/&#60;img src=x onerror=alert\(1\)&#62;/g, '')), 'no inline event handler');
});

test('the page is locked down by a Content-Security-Policy with a nonce on its one style and one script', () => {
  const html = render('file', [{ label: 'train.py', readiness: file(uri, [model('net', [check('compile', 'pass')])]) }]);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.equal(csp, `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`);
  assert.deepEqual(html.match(/<(script|style)[^>]*>/g), [`<style nonce="${nonce}">`, `<script nonce="${nonce}">`]);
  assert.ok(!/\sstyle="/.test(html), 'inline style attributes would be blocked by the policy');
  assert.ok(!/#[0-9a-f]{3,6}\b/i.test(html.replace(/<script[\s\S]*<\/script>/, '')), 'colours come from the theme variables');
});

test('a file report shows each model with its definition, saves, checks, verdict and version', () => {
  const report = file(uri, [
    model('ready_model', [check('compile', 'pass'), check('save-api', 'off')], 3),
    model('blocked', [check('compile', 'pass'), check('input-shape', 'fail', [unbuilt])], 12),
  ], [unregistered]);
  const html = render('file', [{ label: 'src/train.py', readiness: report }]);
  assert.match(html, /<h1>SavedModel readiness: src\/train.py<\/h1>/);
  assert.match(html, /<p class="verdict not-ready">1 blocking problem \(1 of 2 models not ready\)\.<\/p>/);
  assert.match(html, /Keras 3, from <code>keras.ops<\/code> \(line 2\)/);
  assert.match(html, /<span class="verdict-badge">ready<\/span> <code>ready_model<\/code>/);
  assert.match(html, /<span class="verdict-badge">1 blocking problem<\/span> <code>blocked<\/code>/);
  assert.match(html, /<li class="check off">.*turned off in the settings/);
  assert.match(html, /<li class="check fail"><span class="status" aria-label="fail">✗<\/span> the input-shape check/);
  assert.match(html, /data-rule="KSM301"[^>]*>KSM301<\/a> The <code>LSTM<\/code> has no input shape/);
  assert.match(html, /<h3>Findings tied to no model<\/h3><ul class="problems"><li class="problem information">.*KSM203/);

  const links = locationLinks(html);
  assert.ok(links.every((l) => l.uri === uri));
  assert.deepEqual(links.map((l) => [l.text, l.range.start.line]), [
    ['line 4', 3], // ready_model's definition
    ['line 9', 8], // its save
    ['line 13', 12],
    ['line 18', 17],
    ['line 5', 4], // the KSM301 problem
    ['line 10', 9], // the finding tied to no model
  ]);
  assert.deepEqual(links[4]!.range, unbuilt.range);
});

test('a file with no model or not analysed says so', () => {
  const none = render('file', [{ label: 'util.py', readiness: file(uri, []) }]);
  assert.match(none, /<p class="verdict none">No Keras model found\.<\/p>/);
  const skipped = render('file', [{ label: 'big.py', readiness: { ...file(uri, []), skipped: 'file is larger than 2 MiB; not analysed' } }]);
  assert.match(skipped, /Not analysed: file is larger than 2 MiB; not analysed/);
});

test('a workspace report lists blocked files first, then the others, and folds files with nothing to say', () => {
  const html = render('workspace', [
    { label: 'a_ready.py', readiness: file('file:///p/a_ready.py', [model('m', [check('compile', 'pass')])]) },
    { label: 'b_empty.py', readiness: file('file:///p/b_empty.py', []) },
    { label: 'c_blocked.py', readiness: file('file:///p/c_blocked.py', [model('n', [check('input-shape', 'fail', [unbuilt])])]) },
  ]);
  assert.match(html, /Checked 3 Python files: 2 models, 1 ready, 1 not ready\./);
  assert.match(html, /<span class="file-name">c_blocked.py<\/span> <span class="verdict not-ready">1 blocking problem\.<\/span>/);
  const order = [...html.matchAll(/<span class="file-name">([^<]+)<\/span>/g)].map((m) => m[1]);
  assert.deepEqual(order, ['c_blocked.py', 'a_ready.py']);
  assert.equal(html.match(/Ready to save\./g)?.length, 1, 'a file\'s verdict is said once, on its summary line');
  assert.match(html, /<details class="file empty"><summary>1 file with no Keras model and no findings<\/summary><ul><li>b_empty.py<\/li>/);
  assert.deepEqual([...new Set(locationLinks(html).map((l) => l.uri))], ['file:///p/c_blocked.py', 'file:///p/a_ready.py']);
});

test('a problem that blocks two models counts once', () => {
  const shared = { ...unbuilt, code: 'KSM201' };
  const report = file(uri, [model('a', [check('custom-objects', 'fail', [shared])], 1), model('b', [check('custom-objects', 'fail', [shared])], 20)]);
  assert.equal(blockingProblems(report).length, 1);
  assert.equal(findingsOutsideModels(report).length, 0);
});

test('the version label names the version and where it came from, or why it is unknown', () => {
  assert.equal(kerasVersionLabel({ major: 2, source: 'the kerasVersion setting' }), 'Keras 2, from the kerasVersion setting');
  assert.equal(kerasVersionLabel({ major: undefined, source: 'no evidence in the file' }), 'Keras version unknown: no evidence in the file');
});

test('a report the server builds from real code renders with working links', () => {
  const source = [
    'import keras',
    'blocked = keras.Sequential([keras.layers.LSTM(4), keras.layers.Dense(1)])',
    'blocked.save("blocked.keras")',
    '',
  ].join('\n');
  const readiness = fileReadiness(uri, analyzeText(source, defaultSettings));
  const html = render('file', [{ label: 'train.py', readiness }]);
  assert.equal(readiness.models.length, 1);
  assert.match(html, /<code>blocked<\/code>/);
  const links = locationLinks(html);
  assert.deepEqual(links[0], { text: 'line 2', uri, range: readiness.models[0]!.definition });
  assert.ok(links.some((l) => l.text === 'line 3'), 'the save call is linked');
});

test('a model judged per version shows a Keras 2 and a Keras 3 column, with the blocking rules linked', () => {
  const blocked = model('net', [check('save-api', 'pass')]);
  blocked.byVersion = {
    keras2: { verdict: 'ready', blocking: [] },
    keras3: { verdict: 'not-ready', blocking: [{ code: 'KSM502', severity: 'error', message: 'no extension', range: range(8) }] },
  };
  const html = render('file', [{ label: 'net.py', readiness: file('file:///project/net.py', [blocked]) }]);
  assert.match(html, /<th>Keras 2<\/th><th>Keras 3 \(TensorFlow 2\.16 and later\)<\/th>/);
  assert.match(html, /<td class="verdict ready" aria-label="Keras 2: ready">✓ saves and reloads<\/td>/);
  assert.match(html, /<td class="verdict not-ready" aria-label="Keras 3: not-ready">✗ <a href="#" class="rule" data-rule="KSM502"[^>]*>KSM502<\/a> \(<a [^>]*>line 9<\/a>\)<\/td>/);
  // Without the view (older servers), no table.
  assert.ok(!render('file', [{ label: 'x.py', readiness: file('file:///project/x.py', [model('x', [check('compile', 'pass')])]) }]).includes('<table class="by-version">'));
});

test('a problem shows its fix, and a fix that edits another module links to where it lands there', () => {
  const layers = 'file:///project/pkg/layers.py';
  const elsewhere = {
    ...unregistered,
    fix: { title: 'Register `Scale` in layers.py with `@keras.saving.register_keras_serializable()`', applicability: 'safe' as const, otherFiles: [{ uri: layers, range: range(3, 0, 0) }] },
  };
  const local = { ...unbuilt, fix: { title: 'Declare the input shape', applicability: 'unsafe' as const } };
  const html = render('file', [{ label: 'train.py', readiness: file(uri, [model('model', [check('custom-objects', 'fail', [elsewhere]), check('input-shape', 'fail', [local])])]) }]);
  assert.ok(html.includes('Fix (safe): Register <code>Scale</code> in layers.py with <code>@keras.saving.register_keras_serializable()</code>, edits '), html);
  assert.ok(html.includes('Fix (unsafe): Declare the input shape</span>'));
  const link = locationLinks(html).find((l) => l.text === 'layers.py');
  assert.deepEqual(link, { text: 'layers.py', uri: layers, range: range(3, 0, 0) });
});

test('the Dependencies check is shown once per project, after the files, its problems linked to their requirement files', () => {
  const requirements = 'file:///p/requirements.txt';
  const conflict = { code: 'KSM602', severity: 'error' as const, message: '`keras<3` cannot be installed with `tensorflow>=2.16`', range: range(1, 0, 7), uri: requirements };
  const projects = [
    { project: '.', uri: 'file:///p', check: { id: 'dependencies' as const, title: 'Requirements install together', codes: ['KSM602', 'KSM603'], status: 'fail' as const, problems: [conflict] } },
    { project: 'serving', uri: 'file:///p/serving', check: { id: 'dependencies' as const, title: 'Requirements install together', codes: ['KSM602', 'KSM603'], status: 'pass' as const, problems: [] } },
  ];
  const files = [
    { label: 'a.py', readiness: file('file:///p/a.py', [model('m', [check('compile', 'pass')])]) },
    { label: 'b.py', readiness: file('file:///p/b.py', [model('n', [check('compile', 'pass')])]) },
  ];
  const html = renderReportPage({ kind: 'workspace', files, projects, nonce });
  assert.equal(html.match(/<h2>Dependencies<\/h2>/g)?.length, 1);
  assert.deepEqual([...html.matchAll(/<h3>Project <code>([^<]+)<\/code><\/h3>/g)].map((m) => m[1]), ['.', 'serving']);
  assert.ok(html.indexOf('<h2>Dependencies</h2>') > html.lastIndexOf('class="file-name"'), 'after the files');
  assert.deepEqual(locationLinks(html).filter((l) => l.uri === requirements).map((l) => [l.text, l.range.start.line]), [['line 2', 1]]);
  assert.match(html, /<code>keras&#60;3<\/code> cannot be installed/);
  // No project: no section.
  assert.doesNotMatch(render('workspace', files), /Dependencies<\/h2>/);
});
