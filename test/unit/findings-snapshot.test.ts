import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { collectSnapshot, snapshotFile } from '../helpers/snapshot';

// The engine's findings, fixes and readiness report over every fixture, the corpus and the
// examples stay exactly as recorded. A deliberate change is recorded with
// `npm run snapshot:update` and named in the commit that updates the file.
test('the engine output over fixtures, corpus and examples matches the recorded snapshot', async () => {
  // Through JSON, as recorded: an undefined property is no property.
  const actual = JSON.parse(JSON.stringify(await collectSnapshot())) as Record<string, unknown>;
  if (process.env.UPDATE_SNAPSHOT === '1') {
    fs.writeFileSync(snapshotFile, JSON.stringify(actual, null, 1) + '\n');
    return;
  }
  const expected = JSON.parse(fs.readFileSync(snapshotFile, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(actual), Object.keys(expected), 'the set of snapshotted files changed');
  for (const file of Object.keys(expected)) assert.deepEqual(actual[file], expected[file], `${file}: engine output differs from the snapshot`);
});
