import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { initParser } from '../../server/src/engine/analysis/parser';
import { defaultSettings, type AnalysisSettings } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { rules } from '../../server/src/engine/rules/index';
import { decodePython } from '../../server/src/workspace/files';
import { checkFixes, fixturesDir, repoRoot } from '../helpers/fixtures';

/**
 * Property-based fuzzing of the engine: random and mutated Python, hostile text and bytes. No
 * exception escapes, every input finishes within a bound set by its size (a guard against hangs,
 * generous so that a slow machine never trips it), fixes never add a parse error, and nothing
 * that one input does changes the findings for another.
 */

before(() => initParser());

const fixtureTexts = fs.readdirSync(fixturesDir)
  .filter((dir) => /^KSM\d{3}$/.test(dir))
  .flatMap((dir) => fs.readdirSync(path.join(fixturesDir, dir)).filter((n) => n.endsWith('.py')).map((n) => path.join(fixturesDir, dir, n)))
  .sort()
  .map((file) => fs.readFileSync(file, 'utf8'));

const reference = fs.readFileSync(path.join(repoRoot, 'examples', 'flagged', 'lstm_input_shape.py'), 'utf8');

/** Seconds an input of this size may take: far above any real cost, low enough to catch a hang. */
function boundMs(text: string): number {
  return 5000 + text.length / 50;
}

function analyseWithin(text: string, settings: AnalysisSettings = defaultSettings) {
  const start = performance.now();
  const result = analyzeText(text, settings);
  const elapsed = performance.now() - start;
  assert.ok(elapsed < boundMs(text), `took ${Math.round(elapsed)} ms for ${text.length} characters`);
  return result;
}

/** A fixture cut, spliced and sprinkled with tokens that break Python in interesting ways. */
const mutatedFixture = fc.record({
  fixture: fc.integer({ min: 0, max: fixtureTexts.length - 1 }),
  edits: fc.array(fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat({ max: 40 }),
    insert: fc.oneof(
      fc.constantFrom('(', ')', '[', ']', ':', '\n', '    ', '\t', '"""', "'", '#', '\\', 'lambda', 'yield', 'def ', 'class ', '@', '=', ',', '**', '\r\n', '\u00e9', '\ud83d\ude00'),
      fc.string({ maxLength: 8 }),
    ),
  }), { maxLength: 6 }),
}).map(({ fixture, edits }) => {
  let text = fixtureTexts[fixture]!;
  for (const edit of edits) {
    const at = Math.floor(edit.at * text.length);
    text = text.slice(0, at) + edit.insert + text.slice(at + edit.length);
  }
  return text;
});

function analyzeReference() {
  return analyzeText(reference, defaultSettings).findings;
}

describe('fuzzing the engine', () => {
  let expected = '';
  before(async () => {
    await initParser();
    expected = JSON.stringify(analyzeReference());
    assert.ok(expected.includes('KSM301'), 'the reference file has findings to compare');
  });

  test('mutated fixtures never throw, finish in time, and their fixes add no parse error', () => {
    fc.assert(fc.property(mutatedFixture, (text) => {
      const result = analyseWithin(text);
      if (result.skipped) assert.match(result.skipped, /not analysed|nested too deeply|larger than|NUL/);
      else checkFixes(text, defaultSettings, result.findings);
    }), { numRuns: 60, seed: 20261207 });
  });

  test('arbitrary Unicode text never throws and finishes in time', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.constantFrom<AnalysisSettings['kerasVersion']>('auto', '2', '3'), (text, kerasVersion) => {
      analyseWithin(`import keras\n${text}`, { ...defaultSettings, kerasVersion });
    }), { numRuns: 150, seed: 7 });
  });

  test('lone surrogates, NUL bytes, a 100,000-character line, 10,000-deep nesting and a 20 MB text', () => {
    const hostile = [
      'x = "\ud800"\nimport keras\nm = keras.Sequential([keras.layers.LSTM(4)])\n',
      'import keras\u0000\nm = keras.Sequential()\n',
      `import keras\nx = "${'a'.repeat(100_000)}"\nm = keras.Sequential([keras.layers.LSTM(4)])\nm.save("m")\n`,
      `import keras\nx = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      'x = 1\n'.repeat(20 * 1024 * 1024 / 6),
    ];
    for (const text of hostile) {
      const result = analyseWithin(text);
      if (result.skipped) assert.ok(result.findings.length === 0, 'a skipped file has no findings');
    }
    assert.match(analyseWithin(hostile[1]!).skipped ?? '', /NUL/);
    assert.match(analyseWithin(hostile[4]!).skipped ?? '', /larger than/);
    assert.ok(analyseWithin(hostile[2]!).findings.some((f) => f.code === 'KSM301'), 'the long line does not hide the model');
  });

  test('random bytes are decoded or skipped with a reason, never thrown', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const read = decodePython(Buffer.from(bytes));
      if ('text' in read) analyseWithin(read.text);
      else assert.ok(read.skipped.length > 0);
    }), { numRuns: 200, seed: 11 });
  });

  test('after all of that, an unrelated valid file gets the same findings', () => {
    assert.equal(JSON.stringify(analyzeReference()), expected);
  });
});

describe('a rule that throws', () => {
  test('loses only its own findings, and the file says which rule failed', () => {
    const before = analyzeText(reference, defaultSettings);
    const victim = rules.find((r) => before.findings.some((f) => f.code === r.code))!;
    const run = victim.run;
    victim.run = () => {
      throw new Error('boom');
    };
    try {
      const after = analyzeText(reference, defaultSettings);
      assert.deepEqual(after.findings, before.findings.filter((f) => f.code !== victim.code));
      assert.match(after.skipped ?? '', new RegExp(`some rules failed: ${victim.code}: internal error: boom`));
    } finally {
      victim.run = run;
    }
    assert.deepEqual(analyzeText(reference, defaultSettings).findings, before.findings);
  });
});
