import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Diagnostic } from 'vscode-languageserver';
import { initParser } from '../../server/src/engine/analysis/parser';
import { fixturesDir } from '../helpers/fixtures';
import { diagnosticKeys, engineFindings, fileUri, LspClient, replaceChange, saveBeforeCompile } from './harness';

/**
 * The server stays responsive on long files and under streams of edits: analysis runs in
 * slices, a run for a replaced text stops, and whatever the edits were, the diagnostics in the
 * end are those of the final text. Ordering is asserted here, never timings.
 */

/** About `lines` lines of ordinary Keras code: models saved, compiled and trained, helpers. */
function longFile(lines: number): string {
  const header = 'import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n\n';
  const block = (i: number) => [
    `x_${i} = np.random.rand(100, 30, 4)`,
    `model_${i} = keras.Sequential([layers.LSTM(${(i % 60) + 4}), layers.Dense(1)])`,
    `model_${i}.compile(optimizer="adam", loss="mse")`,
    `model_${i}.fit(x_${i}, x_${i})`,
    `model_${i}.save("m${i}.keras")`,
    '',
    `def helper_${i}(a, b):`,
    '    total = 0',
    '    for k in range(a):',
    '        total += k * b',
    '    return total',
    '',
  ].join('\n');
  const blocks: string[] = [];
  for (let i = 0; blocks.length * 12 < lines; i++) blocks.push(block(i));
  return header + blocks.join('\n') + '\n';
}

const fixtureTexts = fs.readdirSync(fixturesDir)
  .filter((dir) => /^KSM\d{3}$/.test(dir))
  .flatMap((dir) => fs.readdirSync(path.join(fixturesDir, dir)).filter((n) => n.endsWith('.py')).map((n) => path.join(fixturesDir, dir, n)))
  .sort()
  .map((file) => fs.readFileSync(file, 'utf8'));

/** Random edits: an offset and a length as fractions of the text, and what to insert there. */
const edits = (count: number) => fc.array(fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.nat({ max: 30 }),
  insert: fc.oneof(
    fc.constantFrom('', '\n', '(', ')', '[', ':', '    ', '"', '#', 'model.save("m")\n', 'model.compile(loss="mse")\n', 'keras.layers.LSTM(8)', 'def f():\n    ', 'class L(keras.layers.Layer):\n    pass\n', '\u00e9', '\ud83d\ude00', '\r\n'),
    fc.string({ maxLength: 6 }),
  ),
}), { minLength: count, maxLength: count });

/** Moves an offset off the middle of a surrogate pair or a CRLF, which an editor never splits. */
function boundary(text: string, at: number): number {
  while (at > 0 && at < text.length && (/[\uDC00-\uDFFF]/.test(text[at]!) || (text[at - 1] === '\r' && text[at] === '\n'))) at--;
  return at;
}

describe('language server: long analyses and streams of edits', () => {
  let client: LspClient;

  before(async () => {
    await initParser();
    ({ client } = await LspClient.start());
  });

  after(async () => {
    await client.shutdown();
  });

  test('while a 20,000-line file is analysed, another document gets its diagnostics and a code action is answered', async () => {
    const big = fileUri('long_notebook_export.py');
    const small = fileUri('small.py');
    const since = client.mark();
    await client.open(big, longFile(20_000));
    await client.open(small, saveBeforeCompile);
    const smallDiagnostics = await client.diagnostics(small, { since });
    const actions = await client.codeActions(small, smallDiagnostics.diagnostics[0]!.range, smallDiagnostics.diagnostics);
    assert.ok(actions.length > 0);
    assert.equal(client.published.slice(since).find((p) => p.uri === big), undefined, 'the small file and its code action came first');
    const bigDiagnostics = await client.diagnostics(big, { since, version: 1 });
    assert.deepEqual(diagnosticKeys(bigDiagnostics.diagnostics), engineFindings(longFile(20_000)));
    await client.close(big);
    await client.close(small);
  });

  test('an edit during a long analysis stops it: only the newest version is published', async () => {
    const uri = fileUri('edited_while_analysed.py');
    const text = longFile(10_000);
    const since = client.mark();
    await client.open(uri, text);
    const added = 'late = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nlate.save("late.keras")\n';
    await client.change(uri, 2, [replaceChange(text, text.length, text.length, added)]);
    const published = await client.diagnostics(uri, { since, version: 2 });
    assert.deepEqual(diagnosticKeys(published.diagnostics), engineFindings(text + added));
    assert.deepEqual(client.published.slice(since).filter((p) => p.uri === uri).map((p) => p.version), [2]);
    await client.close(uri);
  });

  test('1,000 random incremental edits end with the diagnostics of a fresh open of the final text', async () => {
    const uri = fileUri('random_edits.py');
    let text = fixtureTexts.join('\n');
    await client.open(uri, text);
    let version = 1;
    const [sequence] = fc.sample(edits(1000), { numRuns: 1, seed: 20261207 });
    for (const edit of sequence!) {
      const start = boundary(text, Math.floor(edit.at * text.length));
      const end = boundary(text, Math.min(text.length, start + edit.length));
      await client.change(uri, ++version, [replaceChange(text, start, end, edit.insert)]);
      text = text.slice(0, start) + edit.insert + text.slice(end);
    }
    const final = await client.diagnostics(uri, { version }, );
    const fresh = fileUri('random_edits_fresh.py');
    const since = client.mark();
    await client.open(fresh, text);
    const reopened = await client.diagnostics(fresh, { since });
    assert.deepEqual(keys(final.diagnostics), keys(reopened.diagnostics));
    assert.deepEqual(diagnosticKeys(final.diagnostics), engineFindings(text));
    await client.close(uri);
    await client.close(fresh);
  });

  test('fuzzed: mutated fixtures edited at random keep the server up and end with the engine\'s findings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: fixtureTexts.length - 1 }), edits(40), async (fixture, sequence) => {
        const uri = fileUri(`fuzzed_${fixture}.py`);
        let text = fixtureTexts[fixture]!;
        const since = client.mark();
        await client.open(uri, text);
        let version = 1;
        for (const edit of sequence) {
          const start = boundary(text, Math.floor(edit.at * text.length));
          const end = boundary(text, Math.min(text.length, start + edit.length));
          await client.change(uri, ++version, [replaceChange(text, start, end, edit.insert)]);
          text = text.slice(0, start) + edit.insert + text.slice(end);
        }
        const final = await client.diagnostics(uri, { version, since });
        assert.deepEqual(diagnosticKeys(final.diagnostics), engineFindings(text));
        await client.close(uri);
      }),
      { numRuns: 15, seed: 7 },
    );
    assert.equal(client.process.exitCode, null, 'the server is still running');
  });

  test('a file over the maxFileSize setting is skipped with a message, and analysed when the limit allows it', async () => {
    const uri = fileUri('over_the_limit.py');
    client.settings['*'] = { maxFileSize: 0.001 };
    await client.changeConfiguration();
    const text = saveBeforeCompile + '# padding\n'.repeat(200);
    let since = client.mark();
    await client.open(uri, text);
    assert.deepEqual((await client.diagnostics(uri, { since })).diagnostics, []);
    await client.waitFor('the skip reason in the log', () => client.logs.find((l) => l.includes('over_the_limit.py') && l.includes('larger than 1 KiB')));
    client.settings['*'] = {};
    since = client.mark();
    await client.changeConfiguration();
    assert.equal((await client.diagnostics(uri, { since })).diagnostics.length, 1);
    await client.close(uri);
  });
});

/** Diagnostics as the user sees them: code, range, severity and message. */
function keys(diagnostics: Diagnostic[]) {
  return diagnostics.map((d) => ({ code: d.code, range: d.range, severity: d.severity, message: d.message }));
}
