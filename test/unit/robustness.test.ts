import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initParser } from '../../server/src/engine/analysis/parser';
import { defaultSettings } from '../../server/src/engine/analysis/types';
import { analyzeText, maxFileBytes } from '../../server/src/engine/engine';
import { checkFixes } from '../helpers/fixtures';

before(() => initParser());

test('deeply nested code is analysed or skipped with a reason, never thrown', () => {
  const depth = 5000;
  const text = `import keras\nx = ${'('.repeat(depth)}1${')'.repeat(depth)}\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.save("m")\n`;
  const result = analyzeText(text, defaultSettings);
  if (result.skipped) assert.match(result.skipped, /nested too deeply/);
  else assert.ok(result.findings.some((f) => f.code === 'KSM301'), 'the model after the nesting is still analysed');
});

test('a huge file is skipped with a reason', () => {
  const result = analyzeText('x = 1\n'.repeat(maxFileBytes / 6 + 1), defaultSettings);
  assert.match(result.skipped ?? '', /larger than/);
  assert.deepEqual(result.findings, []);
});

test('binary content is skipped with a reason', () => {
  assert.match(analyzeText('import keras\u0000\u0001', defaultSettings).skipped ?? '', /NUL/);
});

test('empty, whitespace-only and comment-only files give nothing', () => {
  for (const text of ['', '\n\n', '# just a comment\n', '\ufeffimport keras\n']) {
    const result = analyzeText(text, defaultSettings);
    assert.equal(result.skipped, undefined);
    assert.deepEqual(result.findings, []);
  }
});

test('syntax errors around a model do not hide or break the analysis', () => {
  const text = 'import keras\nm = keras.Sequential([keras.layers.LSTM(4)])\nif m\n    pass\nm.save("m.keras")\ndef (:\n';
  const result = analyzeText(text, defaultSettings);
  assert.equal(result.skipped, undefined);
  assert.ok(result.findings.some((f) => f.code === 'KSM301'));
});

test('random and truncated inputs never throw and every fix stays well-formed', () => {
  const seed = [
    'import keras\nfrom keras import layers\n',
    'm = keras.Sequential([layers.LSTM(4), layers.Dense(1)])\n',
    'm.add(layers.GRU(2))\n',
    'm.save("m.keras")\n',
    'm.compile(optimizer="adam", loss="mse")\n',
    'm.fit_generator(gen(), workers=2)\n',
    'class L(layers.Layer):\n    def __init__(self, units):\n        super().__init__()\n        self.units = units\n',
    'def gen():\n    while True:\n        yield x / 255.0, y\n',
    'm.fit(gen(), epochs=1)\n',
    '(((', '"""', '\t', 'lambda: ', '@', '\r\n',
  ];
  let state = 42;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = 0; i < 150; i++) {
    let text = '';
    const parts = 2 + Math.floor(random() * 8);
    for (let j = 0; j < parts; j++) text += seed[Math.floor(random() * seed.length)];
    text = text.slice(0, Math.floor(random() * (text.length + 1)));
    const result = analyzeText(text, defaultSettings);
    assert.equal(result.skipped, undefined, `skipped: ${result.skipped}\n${text}`);
    checkFixes(text, defaultSettings, result.findings);
  }
});
