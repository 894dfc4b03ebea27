import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { initParser } from '../../server/src/engine/analysis/parser';
import { analyzeText } from '../../server/src/engine/engine';
import { repoRoot } from '../helpers/fixtures';
import { filesUnder } from '../helpers/snapshot';

/**
 * The bundle ships web-tree-sitter with its memory accesses rewritten (scripts/build/): the
 * bundled engine must find exactly what the engine built from source finds.
 */
type Engine = { initParser(): Promise<void>; analyzeText: typeof analyzeText };
const bundled = require(path.join(repoRoot, 'dist', 'engine.js')) as Engine;

before(async () => {
  await initParser();
  await bundled.initParser();
});

test('the bundled engine, with its rewritten tree-sitter glue, finds what the source engine finds', () => {
  const files = ['test/fixtures', 'test/corpus', 'examples'].flatMap(filesUnder).filter((f) => f.endsWith('.py'));
  const settings = { kerasVersion: 'auto' as const, rules: {} };
  let findings = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    const expected = analyzeText(text, settings);
    findings += expected.findings.length;
    assert.deepEqual(JSON.parse(JSON.stringify(bundled.analyzeText(text, settings))), JSON.parse(JSON.stringify(expected)), file);
  }
  assert.ok(findings > 100, 'the files hold findings to compare');
});

test('the bundle really carries the rewritten glue', () => {
  const source = fs.readFileSync(path.join(repoRoot, 'dist', 'engine.js'), 'utf8');
  assert.ok((source.match(/littleEndianHost \?/g) ?? []).length >= 40);
});

test('the CLI bundle does not carry the language server (`ksm check` does not load it)', () => {
  const cli = fs.readFileSync(path.join(repoRoot, 'dist', 'cli.js'), 'utf8');
  assert.ok(fs.readFileSync(path.join(repoRoot, 'dist', 'server.js'), 'utf8').includes('node_modules/vscode-languageserver/'));
  assert.ok(!cli.includes('node_modules/vscode-languageserver/'));
});
