// Throughput and memory of the engine, side by side with the baselines it is judged against, in
// one run: tree-sitter's bare parse of the same texts (the floor for this design) and Ruff's
// engine compiled to WebAssembly (@astral-sh/ruff-wasm-nodejs, lint rules E, F and B).
//
//   npm run bench                       # build, then the full run (several minutes)
//   node scripts/bench.mjs [--quick] [--seed=N]   # after `npm run build`
//
//   --quick    a 30,000-line corpus, a 5,000-line big file, sizes 1k to 5k, one round: for
//              iterating on the engine; the figures are rougher
//   --seed=N   another generated corpus (default 1)
//
// Data sets, from the seeded generator in scripts/bench/corpus.mjs (realistic Keras scripts made
// of test/corpus/ and examples/ programs and templates):
//   (a) a corpus of at least 200,000 lines in files of 50 to 20,000 lines;
//   (b) one file of 20,000 lines.
// For each: bare parse, ksm and Ruff in process (warm-up, then the median of 3 rounds) and as a
// whole process over the files written to a temporary directory (median of 3 runs, the ksm one
// being `node dist/cli.js check --format json`), and ksm in process on a pool of 1 and of 2
// worker threads. Then (c) the time per line of analyzeText and of the bare parse at 1k, 5k,
// 10k and 20k lines, the budgets of docs/performance.md beside the measured figures, and RSS.
// Progress goes to stderr, the tables to stdout. Figures are printed, never asserted.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { countLines, generateCorpus, generateFile } from './bench/corpus.mjs';
import { ruffSelect, ruffVersion, ruffWorkspace } from './bench/ruff.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The shipped engine (dist/engine.js, with the bundle's tree-sitter glue), as the CLI and server run it.
const { initParser, parsePython, analyzeText } = require('../dist/engine.js');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const seed = Number(args.find((a) => a.startsWith('--seed='))?.slice('--seed='.length) ?? 1);
const config = quick
  ? { corpusLines: 30000, bigLines: 5000, sizes: [1000, 2000, 5000], rounds: 1, wholeRounds: 1, extraPasses: 1 }
  : { corpusLines: 200000, bigLines: 20000, sizes: [1000, 5000, 10000, 20000], rounds: 3, wholeRounds: 3, extraPasses: 2 };
const settings = { kerasVersion: 'auto', rules: {} };
const cli = path.join(root, 'dist', 'cli.js');

const started = process.hrtime.bigint();
const elapsed = () => `${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)}s`;
const progress = (message) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Measuring

const now = () => process.hrtime.bigint();
const secondsSince = (t) => Number(process.hrtime.bigint() - t) / 1e9;
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Warm-up (calls for at least half a second, so that a small input is measured with optimised
 * code too, as a long run meets it), then the median of `rounds` timed calls; `result` is the
 * last call's.
 */
async function inProcess(label, fn, rounds = config.rounds) {
  progress(`${label}: warm-up`);
  let result = await fn();
  for (const start = now(); secondsSince(start) < 0.5; ) result = await fn();
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t = now();
    result = await fn();
    times.push(secondsSince(t));
    progress(`${label}: round ${r + 1}/${rounds} ${times.at(-1).toFixed(2)}s`);
  }
  return { seconds: median(times), result };
}

/** Median of `rounds` runs of `node <args>`; `read(stdout)` gives the result of the last run. */
function wholeProcess(label, nodeArgs, read, rounds = config.wholeRounds) {
  const times = [];
  let result;
  for (let r = 0; r < rounds; r++) {
    const out = path.join(tmp, 'stdout.txt');
    const fd = fs.openSync(out, 'w');
    const t = now();
    const run = spawnSync(process.execPath, nodeArgs, { cwd: root, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    times.push(secondsSince(t));
    fs.closeSync(fd);
    // 0: clean, 1: findings (ksm's usual exit code); anything else is a failure of the run.
    if (run.status !== 0 && run.status !== 1) {
      process.stderr.write(run.stderr ?? '');
      throw new Error(`\`node ${nodeArgs.join(' ')}\` exited with ${run.status ?? run.signal}`);
    }
    result = read(fs.readFileSync(out, 'utf8'));
    progress(`${label}: run ${r + 1}/${rounds} ${times.at(-1).toFixed(2)}s`);
  }
  return { seconds: median(times), result };
}

/** Worker threads, each with its own parser and every text; indices are handed out largest first. */
async function workerPool(size, texts) {
  const workers = await Promise.all(
    Array.from({ length: size }, () => new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./bench/ksm-worker.mjs', import.meta.url), { workerData: { texts } });
      worker.once('error', reject);
      worker.once('message', (m) => (m === 'ready' ? resolve(worker) : reject(new Error(String(m)))));
    })),
  );
  const order = texts.map((t, i) => i).sort((a, b) => texts[b].length - texts[a].length);
  const run = () => new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let findings = 0;
    for (const worker of workers) {
      const feed = () => {
        if (next < order.length) worker.postMessage(order[next++]);
      };
      worker.removeAllListeners('message');
      worker.removeAllListeners('error');
      worker.on('error', reject);
      worker.on('message', (m) => {
        findings += m.findings;
        if (++done === order.length) resolve(findings);
        else feed();
      });
      feed();
    }
  });
  return { run, close: () => Promise.all(workers.map((w) => w.terminate())) };
}

// ---------------------------------------------------------------------------------------------
// Data

progress(`generating (seed ${seed})`);
const corpus = generateCorpus({ seed, lines: config.corpusLines });
const big = generateFile({ seed, lines: config.bigLines });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-bench-'));
const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
const corpusDir = path.join(tmp, 'corpus');
const bigDir = path.join(tmp, 'big');
fs.mkdirSync(corpusDir);
fs.mkdirSync(bigDir);
for (const f of corpus) fs.writeFileSync(path.join(corpusDir, f.name), f.text);
fs.writeFileSync(path.join(bigDir, big.name), big.text);

const sizesOf = (files) => files.map((f) => countLines(f.text));
const datasets = [
  { key: 'a', texts: corpus.map((f) => f.text), sizes: sizesOf(corpus), dir: corpusDir },
  { key: 'b', texts: [big.text], sizes: sizesOf([big]), dir: bigDir },
];
for (const d of datasets) d.lines = d.sizes.reduce((n, s) => n + s, 0);

await initParser();
const ruff = ruffWorkspace();
let rss;

// ---------------------------------------------------------------------------------------------
// (a) and (b)

try {
  for (const d of datasets) {
    const name = `(${d.key})`;
    const r = {};
    r.parse = await inProcess(`${name} bare parse in process`, () => {
      let errors = 0;
      for (const text of d.texts) {
        const tree = parsePython(text);
        if (tree.rootNode.hasError) errors++;
        tree.delete();
      }
      return errors;
    });
    r.ksm = await inProcess(`${name} ksm in process`, () => {
      let findings = 0;
      for (const text of d.texts) findings += analyzeText(text, settings).findings.length;
      if (d.key === 'a' && !rss) rss = { before: process.memoryUsage().rss };
      return findings;
    });
    if (d.key === 'a') {
      for (let pass = 0; pass < config.extraPasses; pass++) for (const text of d.texts) analyzeText(text, settings);
      rss.after = process.memoryUsage().rss;
      rss.analyses = (config.rounds + config.extraPasses) * d.texts.length;
    }
    r.ruff = await inProcess(`${name} Ruff in process`, () => {
      let diagnostics = 0;
      for (const text of d.texts) diagnostics += ruff.check(text).length;
      return diagnostics;
    });
    for (const size of [1, 2]) {
      const pool = await workerPool(size, d.texts);
      try {
        r[`workers${size}`] = await inProcess(`${name} ksm on ${size} worker thread(s)`, pool.run);
      } finally {
        await pool.close();
      }
    }
    r.parseProcess = wholeProcess(`${name} bare parse whole process`, [path.join(root, 'scripts', 'bench', 'parse-files.mjs'), d.dir], (out) => JSON.parse(out));
    r.ksmProcess = wholeProcess(`${name} ksm whole process`, [cli, 'check', '--format', 'json', d.dir], (out) => JSON.parse(out).length);
    r.ksmProcess2 = wholeProcess(`${name} ksm whole process, 2 workers`, [cli, 'check', '--format', 'json', '--concurrency', '2', d.dir], (out) => JSON.parse(out).length);
    r.ruffProcess = wholeProcess(`${name} Ruff whole process`, [path.join(root, 'scripts', 'bench', 'ruff-files.mjs'), d.dir], (out) => JSON.parse(out));
    d.results = r;
  }

  // (c)
  const scaling = [];
  for (const lines of config.sizes) {
    const text = lines === countLines(big.text) ? big.text : generateFile({ seed, lines }).text;
    const parse = await inProcess(`(c) ${lines} lines bare parse`, () => parsePython(text).delete());
    const ksm = await inProcess(`(c) ${lines} lines ksm`, () => analyzeText(text, settings).findings.length);
    scaling.push({ lines: countLines(text), parse: parse.seconds, ksm: ksm.seconds, findings: ksm.result });
  }

  report(scaling);
} finally {
  cleanup();
}

// ---------------------------------------------------------------------------------------------
// Report

function report(scaling) {
  const [a, b] = datasets;
  const cpus = os.cpus();
  const fmt = (n, digits = 2) => n.toFixed(digits);
  const int = (n) => Math.round(n).toLocaleString('en');
  const ratio = (x, y) => `${fmt(x / y)}×`;
  const pkg = (name) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const ksmVersion = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

  console.log(`machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB; Node ${process.version}, ${os.platform()}`);
  console.log(`tools: ksm ${ksmVersion}; web-tree-sitter ${pkg('web-tree-sitter')}, tree-sitter-python ${pkg('tree-sitter-python')}; Ruff ${ruffVersion()} (WebAssembly, lint rules ${ruffSelect.join(', ')})`);
  console.log(`seed ${seed}${quick ? ', --quick' : ''}; in process: warm-up, then the median of ${config.rounds}; whole process: the median of ${config.wholeRounds} runs`);
  console.log(`(a) corpus: ${a.texts.length} files of ${int(Math.min(...a.sizes))} to ${int(Math.max(...a.sizes))} lines, ${int(a.lines)} lines`);
  console.log(`(b) one file of ${int(b.lines)} lines`);
  console.log('');

  const rows = [
    ['bare parse (tree-sitter), in process', 'parse', 'parse', undefined],
    ['ksm `analyzeText`, in process', 'ksm', 'parse', 'ruff'],
    ['Ruff (E, F, B), in process', 'ruff', 'parse', undefined],
    ['ksm on 1 worker thread', 'workers1', 'parse', undefined],
    ['ksm on 2 worker threads', 'workers2', 'parse', undefined],
    ['bare parse, whole process', 'parseProcess', 'parseProcess', undefined],
    ['ksm `check --format json`, whole process', 'ksmProcess', 'parseProcess', 'ruffProcess'],
    ['ksm `check --concurrency 2`, whole process', 'ksmProcess2', 'parseProcess', 'ruffProcess'],
    ['Ruff (E, F, B), whole process', 'ruffProcess', 'parseProcess', undefined],
  ];
  const cells = (d, [, key, parseKey, ruffKey]) => {
    const m = d.results[key];
    return [
      fmt(m.seconds, 3),
      int(d.lines / m.seconds),
      ratio(m.seconds, d.results[parseKey].seconds),
      ruffKey ? ratio(m.seconds, d.results[ruffKey].seconds) : '',
    ];
  };
  console.log('| measure | (a) s | (a) lines/s | (a) × bare parse | (a) × Ruff | (b) s | (b) lines/s | (b) × bare parse | (b) × Ruff |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) console.log(`| ${row[0]} | ${[...cells(a, row), ...cells(b, row)].join(' | ')} |`);
  console.log('');
  console.log('× bare parse: against the bare parse of the same mode (in process, or whole process). × Ruff: likewise against Ruff.');
  const speedUp = (d) => d.results.workers1.seconds / d.results.workers2.seconds;
  console.log(`Worker threads: 2 give ${fmt(speedUp(a))}× the wall-time speed of 1 on (a) (${a.texts.length} files), ${fmt(speedUp(b))}× on (b) (one file, which one thread analyses).`);
  const cliSpeedUp = (d) => d.results.ksmProcess.seconds / d.results.ksmProcess2.seconds;
  console.log(`The CLI with \`--concurrency 2\` runs ${fmt(cliSpeedUp(a))}× as fast as without on (a), ${fmt(cliSpeedUp(b))}× on (b).`);
  console.log('');

  const work = (d) => {
    const r = d.results;
    return [
      `${r.parse.result} of ${d.texts.length} trees with syntax errors`,
      `${int(r.ksm.result)} findings`,
      `${int(r.workers1.result)} / ${int(r.workers2.result)} findings`,
      `${int(r.ksmProcess.result)} / ${int(r.ksmProcess2.result)} findings`,
      `${int(r.ruff.result)} / ${int(r.ruffProcess.result.diagnostics)} diagnostics`,
      `${r.parseProcess.result.files} files, ${r.parseProcess.result.errors} with syntax errors`,
    ];
  };
  console.log('| work done per pass | (a) | (b) |');
  console.log('| --- | ---: | ---: |');
  const workRows = ['bare parse, in process', 'ksm, in process', 'ksm on 1 / 2 worker threads', 'ksm, whole process (sequential / 2 workers)', 'Ruff, in process / whole process', 'bare parse, whole process'];
  const wa = work(a);
  const wb = work(b);
  workRows.forEach((label, i) => console.log(`| ${label} | ${wa[i]} | ${wb[i]} |`));
  console.log('');

  const base = scaling[0];
  console.log('| lines in the file | ksm s | ksm µs/line | bare parse µs/line | ksm × bare parse | ksm µs/line × that at the smallest size | findings |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of scaling) {
    const perLine = (s.ksm / s.lines) * 1e6;
    console.log(`| ${int(s.lines)} | ${fmt(s.ksm, 3)} | ${fmt(perLine, 1)} | ${fmt((s.parse / s.lines) * 1e6, 2)} | ${ratio(s.ksm, s.parse)} | ${ratio(perLine, (base.ksm / base.lines) * 1e6)} | ${int(s.findings)} |`);
  }
  console.log('');

  const perLines = scaling.map((s) => s.ksm / s.lines);
  const spread = Math.max(...perLines) / Math.min(...perLines);
  const ra = a.results;
  const rb = b.results;
  const budgets = [
    ['(a) whole process ≤ 1.5× the bare parse, whole process', ra.ksmProcess.seconds / ra.parseProcess.seconds, (x) => x <= 1.5],
    ['(a) whole process ≤ 0.6× Ruff-wasm, whole process', ra.ksmProcess.seconds / ra.ruffProcess.seconds, (x) => x <= 0.6],
    ['(a) in process ≤ 1.5× the bare parse, in process', ra.ksm.seconds / ra.parse.seconds, (x) => x <= 1.5],
    [`(b) one ${int(b.lines)}-line file ≤ 2× its bare parse, in process`, rb.ksm.seconds / rb.parse.seconds, (x) => x <= 2],
    [`(c) time per line flat from ${int(scaling[0].lines)} to ${int(scaling.at(-1).lines)} lines: largest ≤ 1.25× smallest`, spread, (x) => x <= 1.25],
    [`(a) worker threads pay: the CLI on 2 gives ≥ 1.3× on 300+ files (${a.texts.length} here)`, cliSpeedUp(a), (x) => x >= 1.3 && a.texts.length >= 300],
  ];
  console.log('| budget | measured | met |');
  console.log('| --- | ---: | :---: |');
  for (const [label, value, ok] of budgets) console.log(`| ${label} | ${fmt(value)}× | ${ok(value) ? 'yes' : 'no'} |`);
  console.log('');

  console.log(`RSS after warm-up: ${fmt(rss.before / 2 ** 20, 0)} MiB; after ${int(rss.analyses)} more analyses: ${fmt(rss.after / 2 ** 20, 0)} MiB`);
  progress('done');
}
