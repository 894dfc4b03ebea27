import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { fixturesDir } from '../helpers/fixtures';
import { analyzeTexts, readProjectFixture } from '../helpers/project-fixtures';
import { collectResults } from '../helpers/snapshot';
import { sentence } from '../../server/src/engine/analysis/text';

/**
 * The contract of every finding's text, over every fixture, corpus file and example: a short
 * one-clause `message` that names the object and the problem, and a `detail` that carries the
 * explanation (what Keras does and prints, by version).
 *
 * The length limit is on the wording: a name the user wrote (a backticked span) counts at most
 * `nameAllowance` characters, since a long class or path name is theirs, not ours; the whole
 * message still stays under `hardLimit`.
 */
const limit = 100;
const nameAllowance = 24;
const hardLimit = 120;
/**
 * Rules whose message names three things the user wrote and may pass the limit, up to the hard
 * limit: KSM205 names the function, the layer class whose argument it is and the model; KSM601
 * names the model (as the function that returns it, when it has no name of its own) and both classes.
 */
const longer = new Set(['KSM205', 'KSM601']);

interface Text {
  where: string;
  code: string;
  message: string;
  detail?: string;
}

const texts: Text[] = [];

before(async () => {
  for (const [file, result] of Object.entries(await collectResults())) {
    if (!('findings' in result)) continue;
    for (const f of result.findings) texts.push({ where: `${file}:${f.range.start.line + 1}`, code: f.code, message: f.message, detail: f.detail });
  }
  // The requirement-file rules run on fixture projects rather than on single files.
  for (const code of ['KSM602', 'KSM603']) {
    const dir = path.join(fixturesDir, code);
    for (const project of fs.readdirSync(dir).sort()) {
      const { texts: files, settings } = readProjectFixture(path.join(dir, project), code);
      for (const f of analyzeTexts(files, settings)) {
        texts.push({ where: `test/fixtures/${code}/${project}/${f.file}:${f.range.start.line + 1}`, code: f.code, message: f.message, detail: f.detail });
      }
    }
  }
});

/** The message with quoted and backticked spans blanked out, so that dots inside names (`model.keras`, `keras>=3.9`) do not count. */
function outsideQuotes(message: string): string {
  return message.replace(/`[^`]*`/g, '`x`').replace(/"[^"]*"/g, '"x"');
}

/** The message's length with every backticked name cut to the allowance. */
function wordingLength(message: string): number {
  return message.replace(/`([^`]*)`/g, (_, name: string) => `\`${name.slice(0, nameAllowance)}\``).length;
}

test('the findings checked cover every rule', () => {
  const codes = new Set(texts.map((t) => t.code));
  const expected = fs.readdirSync(fixturesDir).filter((d) => /^KSM\d{3}$/.test(d));
  assert.deepEqual(expected.filter((c) => !codes.has(c)), []);
});

test('every message is short: its own wording within the limit, the whole within the hard limit', () => {
  const lengths = texts.map((t) => t.message.length).sort((a, b) => a - b);
  const median = lengths[Math.floor(lengths.length / 2)];
  console.log(`${texts.length} findings; message length median ${median}, longest ${lengths[lengths.length - 1]}`);
  const long = texts.filter((t) => (wordingLength(t.message) > limit && !longer.has(t.code)) || t.message.length > hardLimit);
  assert.deepEqual(long.map((t) => `${t.where} ${t.code} (${t.message.length}): ${t.message}`), []);
  assert.ok(median! <= 80, `median ${median}`);
});

test('every message is one sentence: no full stop inside it or at its end', () => {
  const multiple = texts.filter((t) => /[.!?]\s|[.!?]$/.test(outsideQuotes(t.message)));
  assert.deepEqual(multiple.map((t) => `${t.where} ${t.code}: ${t.message}`), []);
});

test('every finding has a detail of whole sentences that does not repeat its message', () => {
  const wrong = texts.filter((t) =>
    !t.detail || t.detail === t.message || t.detail.startsWith(t.message) || !/^[A-Z`"]/.test(t.detail) || !/[.!?]"?$/.test(t.detail));
  assert.deepEqual(wrong.map((t) => `${t.where} ${t.code}: ${t.message} | ${t.detail ?? '(no detail)'}`), []);
});

test('the checks reject what they must', () => {
  assert.match(outsideQuotes('`m` is saved. It fails'), /[.!?]\s/);
  assert.doesNotMatch(outsideQuotes('`model.keras` needs `keras>=3.9` or "a. b"'), /[.!?]\s|[.!?]$/);
  assert.equal(wordingLength(`\`${'n'.repeat(60)}\` is unregistered`), nameAllowance + 2 + ' is unregistered'.length);
});

test('sentence() capitalises a clause and ends it once', () => {
  assert.equal(sentence('keras 3 raises it'), 'Keras 3 raises it.');
  assert.equal(sentence('it raises "Could not locate class \'X\'."'), 'It raises "Could not locate class \'X\'."');
  assert.equal(sentence('it raises "Unknown layer: \'X\'"'), 'It raises "Unknown layer: \'X\'".');
  assert.equal(sentence('`m` is saved.'), '`m` is saved.');
});
