// Editor latency and server memory, measured against the bundled language server over stdio
// (run after `npm run build`: `npm run bench:server`). Printed, never asserted.
//  - latency: from a didChange on a 2,000-line file to its diagnostics, p50 and p95, beside the
//    engine's own analysis time for the same text in this process (the floor) and the debounce;
//  - memory: the server's RSS after opening 200 documents, and after 10,000 edits to one of them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';


const require = createRequire(import.meta.url);
const { initParser } = require('../out/server/src/engine/analysis/parser.js');
const { analyzeText } = require('../out/server/src/engine/engine.js');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

const block = (i) => [
  `x_${i} = np.random.rand(100, 30, 4)`,
  `model_${i} = keras.Sequential([layers.LSTM(${(i % 60) + 4}), layers.Dense(1)])`,
  `model_${i}.compile(optimizer="adam", loss="mse")`,
  `model_${i}.fit(x_${i}, y)`,
  `model_${i}.save("m${i}.keras")`,
  '',
  `def helper_${i}(a, b):`,
  '    total = 0',
  '    for k in range(a):',
  '        total += k * b',
  '    return total',
  '',
].join('\n');
function source(lines) {
  let text = 'import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n\n';
  for (let i = 0; text.split('\n').length < lines; i++) text += block(i) + '\n';
  return text;
}

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

await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
connection.sendNotification('initialized', {});

// Latency on a 2,000-line file: one small edit at a time, waiting for its diagnostics.
const big = source(2000);
const uri = pathToFileURL('/bench/big.py').href;
let version = 1;
let done = published(uri, version);
connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text: big } });
await done;
const latencies = [];
for (let i = 0; i < 40; i++) {
  version++;
  done = published(uri, version);
  const start = performance.now();
  connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: `# edit ${i}\n` }],
  });
  await done;
  latencies.push(performance.now() - start);
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
await initParser();
const engineStart = performance.now();
for (let i = 0; i < 5; i++) analyzeText(big, { kerasVersion: 'auto', rules: {} });
const engineMs = (performance.now() - engineStart) / 5;

// Memory: 200 open documents, then 10,000 edits to one of them.
const small = source(250);
for (let d = 0; d < 200; d++) {
  const docUri = pathToFileURL(`/bench/doc${d}.py`).href;
  const opened = published(docUri, 1);
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri: docUri, languageId: 'python', version: 1, text: small } });
  await opened;
}
const afterOpen = rss();
const target = pathToFileURL('/bench/doc0.py').href;
let targetVersion = 1;
for (let e = 0; e < 10000; e++) {
  targetVersion++;
  connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: target, version: targetVersion },
    contentChanges: [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: e % 2 ? 'y = 1\n' : '' }],
  });
  // Let the server keep up now and then, as typing does.
  if (e % 500 === 499) await new Promise((r) => setTimeout(r, 250));
}
const last = published(target, targetVersion);
await last;
const afterEdits = rss();

console.log('| measure | value |');
console.log('| --- | ---: |');
console.log(`| didChange → diagnostics, 2,000-line file, p50 | ${pct(50).toFixed(0)} ms |`);
console.log(`| didChange → diagnostics, 2,000-line file, p95 | ${pct(95).toFixed(0)} ms |`);
console.log(`| of which: debounce | 200 ms |`);
console.log(`| baseline: engine analysis of the same text, in process | ${engineMs.toFixed(0)} ms |`);
console.log(`| server RSS after opening 200 documents | ${afterOpen.toFixed(0)} MiB |`);
console.log(`| server RSS after 10,000 more edits | ${afterEdits.toFixed(0)} MiB |`);

await connection.sendRequest('shutdown');
connection.sendNotification('exit');
setTimeout(() => process.exit(0), 500);
