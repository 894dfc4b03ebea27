// Editor latency, responsiveness and server memory, measured against the bundled language
// server over stdio, as an editor drives it (run after `npm run build`: `npm run bench:server`).
// Printed beside baselines measured in the same run, never asserted:
//  - cold start: spawn → initialize → first diagnostics of a small file;
//  - didChange → diagnostics of that version on a 2,000- and a 20,000-line file, each change
//    after a pause (no debounce applies), beside a bare parse and the engine's own analysis of
//    the same text in this process; and the end of a typing burst, which the debounce adds to;
//  - how long another request (a hover on a small file) waits while the 20,000-line file is analysed;
//  - RSS after opening 200 documents, after 10,000 edits to one, and after closing them all.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { generateFile } from './bench/corpus.mjs';

const require = createRequire(import.meta.url);
const { initParser, parsePython } = require('../out/server/src/engine/analysis/parser.js');
const { analyzeText } = require('../out/server/src/engine/engine.js');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

/** The server's debounce while the user types (server/src/lsp/server.ts `typingDebounceMs`). */
const typingDebounceMs = 50;
const pauseMs = 600;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

function startServer() {
  const spawned = performance.now();
  const server = spawn(process.execPath, ['dist/server.js', '--stdio'], { stdio: 'pipe' });
  const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const waiting = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    const key = `${p.uri}@${p.version}`;
    waiting.get(key)?.();
    waiting.delete(key);
  });
  connection.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const published = (uri, version) => new Promise((resolve) => waiting.set(`${uri}@${version}`, resolve));
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
  return { server, connection, published, rss, spawned };
}

/** Opens `text` and returns a function that applies one small edit and resolves with its latency. */
async function openForEdits(client, name, text) {
  const uri = pathToFileURL(`/bench/${name}`).href;
  let version = 1;
  const opened = client.published(uri, version);
  client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  await opened;
  return {
    uri,
    async edit(i, wait = true) {
      version++;
      const done = client.published(uri, version);
      const start = performance.now();
      client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: `# edit ${i}\n` }],
      });
      if (!wait) return undefined;
      await done;
      return performance.now() - start;
    },
    close() {
      client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
  };
}

const client = startServer();
await client.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
client.connection.sendNotification('initialized', {});
const firstUri = pathToFileURL('/bench/first.py').href;
const first = client.published(firstUri, 1);
client.connection.sendNotification('textDocument/didOpen', {
  textDocument: { uri: firstUri, languageId: 'python', version: 1, text: 'from tensorflow import keras\nmodel = keras.Sequential([keras.layers.LSTM(4)])\nmodel.save("m.keras")\n' },
});
await first;
const coldStartMs = performance.now() - client.spawned;

await initParser();
const measured = {};
for (const lines of [2000, 20000]) {
  const { text } = generateFile({ seed: 1, lines });
  const rounds = lines === 2000 ? 40 : 10;
  const document = await openForEdits(client, `file_${lines}.py`, text);
  const afterPause = [];
  for (let i = 0; i < rounds; i++) {
    await sleep(pauseMs);
    afterPause.push(await document.edit(i));
  }
  // A typing burst: five edits 30 ms apart, timed from the last to its diagnostics.
  const burst = [];
  for (let b = 0; b < (lines === 2000 ? 10 : 3); b++) {
    await sleep(pauseMs);
    for (let k = 0; k < 4; k++) {
      await document.edit(`burst ${b}.${k}`, false);
      await sleep(30);
    }
    burst.push(await document.edit(`burst ${b}.end`));
  }
  let hoverWaits = [];
  if (lines === 20000) {
    // Another request while the long file is analysed: hovers on the small file every 20 ms.
    await sleep(pauseMs);
    const analysed = document.edit('hover round');
    let finished = false;
    void analysed.then(() => (finished = true));
    while (!finished) {
      const start = performance.now();
      await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: firstUri }, position: { line: 2, character: 3 } });
      hoverWaits.push(performance.now() - start);
      await sleep(20);
    }
  }
  document.close();
  let parseMs = 0;
  let engineMs = 0;
  for (let i = 0; i < 5; i++) {
    let start = performance.now();
    parsePython(text).delete();
    parseMs += (performance.now() - start) / 5;
    start = performance.now();
    analyzeText(text, { kerasVersion: 'auto', rules: {} });
    engineMs += (performance.now() - start) / 5;
  }
  measured[lines] = { p50: percentile(afterPause, 50), p95: percentile(afterPause, 95), burst95: percentile(burst, 95), parseMs, engineMs, hoverMax: hoverWaits.length ? Math.max(...hoverWaits) : undefined, hovers: hoverWaits.length };
}

// Memory: 200 open documents, then 10,000 edits to one of them, then every document closed.
const { text: small } = generateFile({ seed: 2, lines: 250 });
const opened = [];
for (let d = 0; d < 200; d++) opened.push(await openForEdits(client, `doc${d}.py`, small));
const afterOpen = client.rss();
const target = opened[0];
for (let e = 0; e < 10000; e++) {
  const last = e === 9999;
  const latency = target.edit(e, last);
  if (last) await latency;
  // Let the server keep up now and then, as typing does.
  else if (e % 500 === 499) await sleep(250);
}
const afterEdits = client.rss();
for (const document of opened) document.close();
await sleep(1000);
const afterClose = client.rss();

const ms = (v) => `${v.toFixed(0)} ms`;
const rows = [
  ['cold start: spawn → first diagnostics of a small file', ms(coldStartMs)],
  ...[2000, 20000].flatMap((lines) => {
    const m = measured[lines];
    const label = lines.toLocaleString('en');
    return [
      [`${label} lines: didChange after a pause → diagnostics, p50`, ms(m.p50)],
      [`${label} lines: didChange after a pause → diagnostics, p95`, ms(m.p95)],
      [`${label} lines: end of a typing burst → diagnostics, p95 (includes the ${typingDebounceMs} ms typing debounce)`, ms(m.burst95)],
      [`${label} lines: baseline, bare parse in process`, ms(m.parseMs)],
      [`${label} lines: baseline, engine analysis in process`, ms(m.engineMs)],
    ];
  }),
  [`another request (hover) during a 20,000-line analysis: longest wait of ${measured[20000].hovers}`, ms(measured[20000].hoverMax ?? 0)],
  ['server RSS after opening 200 documents', `${afterOpen.toFixed(0)} MiB`],
  ['server RSS after 10,000 more edits to one', `${afterEdits.toFixed(0)} MiB`],
  ['server RSS after closing all of them', `${afterClose.toFixed(0)} MiB`],
];
console.log('| measure | value |');
console.log('| --- | ---: |');
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);

const budgets = [
  ['p95 didChange → diagnostics, 2,000 lines ≤ 25 ms', measured[2000].p95, measured[2000].p95 <= 25],
  ['p95 didChange → diagnostics, 20,000 lines ≤ 2× its bare parse', measured[20000].p95 / measured[20000].parseMs, measured[20000].p95 <= 2 * measured[20000].parseMs, '×'],
  ['cold start ≤ 300 ms', coldStartMs, coldStartMs <= 300],
  ['RSS growth over 10,000 edits < 10 MiB', afterEdits - afterOpen, afterEdits - afterOpen < 10, ' MiB'],
];
console.log('');
console.log('| budget | measured | met |');
console.log('| --- | ---: | :---: |');
for (const [name, value, met, unit] of budgets) console.log(`| ${name} | ${unit === '×' ? value.toFixed(2) + '×' : value.toFixed(unit ? 1 : 0) + (unit ?? ' ms')} | ${met ? 'yes' : 'no'} |`);

await client.connection.sendRequest('shutdown');
client.connection.sendNotification('exit');
setTimeout(() => process.exit(0), 500);
