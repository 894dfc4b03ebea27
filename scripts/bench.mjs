// Throughput and memory of the engine, side by side with tree-sitter's bare parse of the same
// files (the floor for this design), in one run. Run after `npm run build`: `npm run bench`.
// Figures are printed, never asserted: machines are noisy.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { initParser, parsePython } = require('../out/server/src/engine/analysis/parser.js');
const { analyzeText } = require('../out/server/src/engine/engine.js');

const blocks = [
  (i) => `x_${i} = np.random.rand(100, 30, 4)\nmodel_${i} = keras.Sequential([layers.LSTM(${i % 64 + 1}), layers.Dense(1)])\nmodel_${i}.compile(optimizer="adam", loss="mse")\nmodel_${i}.fit(x_${i}, y)\nmodel_${i}.save("m${i}.keras")\n`,
  (i) => `class Block${i}(layers.Layer):\n    def __init__(self, units, rate=0.1, **kwargs):\n        super().__init__(**kwargs)\n        self.units = units\n        self.rate = rate\n\n    def call(self, x):\n        return x * ${i}\n`,
  (i) => `def batches_${i}(data):\n    for start in range(0, len(data), 32):\n        yield data[start:start + 32] / 255.0\n`,
  (i) => `def helper_${i}(a, b):\n    total = 0\n    for k in range(a):\n        total += k * b\n    return {"value": total, "name": "helper_${i}"}\n`,
];

function makeFile(seed, lines) {
  let text = 'import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n\n';
  let i = seed;
  while (text.split('\n').length < lines) text += blocks[i++ % blocks.length](i) + '\n';
  return text;
}

const files = Array.from({ length: 400 }, (_, i) => makeFile(i, 250));
const totalLines = files.reduce((n, f) => n + f.split('\n').length, 0);

await initParser();
function time(label, fn) {
  fn(); // warm-up
  const rounds = 3;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9 / rounds;
  return { label, seconds, linesPerSecond: Math.round(totalLines / seconds) };
}

const bare = time('tree-sitter parse only (baseline)', () => {
  for (const text of files) parsePython(text).delete();
});
let findings = 0;
const full = time('ksm engine (parse + facts + rules)', () => {
  findings = 0;
  for (const text of files) findings += analyzeText(text, { kerasVersion: 'auto', rules: {} }).findings.length;
});

console.log(`corpus: ${files.length} files, ${totalLines} lines; ${findings} findings per pass`);
console.log('');
console.log('| measure | seconds | lines/s | relative to bare parse |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of [bare, full]) {
  console.log(`| ${r.label} | ${r.seconds.toFixed(3)} | ${r.linesPerSecond.toLocaleString('en')} | ${(r.seconds / bare.seconds).toFixed(2)}x |`);
}
const before = process.memoryUsage().rss;
for (let round = 0; round < 5; round++) for (const text of files) analyzeText(text, { kerasVersion: 'auto', rules: {} });
const after = process.memoryUsage().rss;
console.log('');
console.log(`RSS after warm-up: ${(before / 1048576).toFixed(0)} MiB; after ${5 * files.length} more analyses: ${(after / 1048576).toFixed(0)} MiB`);
