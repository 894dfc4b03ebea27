// A worker thread of the bench: loads its own parser, receives every text once (workerData),
// then analyses the text of each index it is sent and answers with its count of findings.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { initParser, analyzeText } = require('../../dist/engine.js');

await initParser();
const { texts } = workerData;
const settings = { kerasVersion: 'auto', rules: {} };
parentPort.on('message', (index) => {
  parentPort.postMessage({ index, findings: analyzeText(texts[index], settings).findings.length });
});
parentPort.postMessage('ready');
