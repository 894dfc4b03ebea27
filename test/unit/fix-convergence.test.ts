import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import { defaultSettings } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { chooseFixes } from '../../server/src/engine/fix-all';
import { countErrorNodes, fixturesDir, repoRoot } from '../helpers/fixtures';

before(() => initParser());

function pythonFilesUnder(directory: string): string[] {
  return fs.readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.py'))
    .map((name) => path.join(directory, name))
    .sort();
}

/**
 * Fixing in rounds (as `ksm check --fix` and fix-all do) settles quickly: after two rounds of
 * applying every fix that fits (the safe ones, or with `--unsafe-fixes` all), a third round finds
 * nothing left to apply, and no round adds a parse error. A fix that creates another finding's
 * fix, or two fixes that keep undoing each other, would fail here.
 */
const programs = [...pythonFilesUnder(path.join(repoRoot, 'test', 'corpus')), ...pythonFilesUnder(path.join(repoRoot, 'examples'))];
// The fixtures are close calls written to provoke each rule, so only the safe fixes are held to it there.
const fixtures = pythonFilesUnder(fixturesDir);

for (const unsafe of [false, true]) test(`${unsafe ? 'all fixes over the corpus and the examples' : 'safe fixes over the corpus, the examples and the fixtures'} converge within two rounds and never add a parse error`, () => {
  const files = unsafe ? programs : [...programs, ...fixtures];
  assert.ok(files.length > 90, `${files.length} files`);
  let fixedFiles = 0;
  for (const file of files) {
    const original = fs.readFileSync(file, 'utf8');
    const errors = countErrorNodes(original);
    let text = original;
    for (let round = 1; round <= 3; round++) {
      const { edits } = chooseFixes(analyzeText(text, defaultSettings).findings, text, { unsafe });
      if (edits.length === 0) break;
      const name = path.relative(repoRoot, file);
      assert.ok(round <= 2, `${name}: fixes still apply in round ${round}`);
      text = applyEdits(text, edits);
      assert.ok(countErrorNodes(text) <= errors, `${name}: round ${round} leaves a parse error:\n${text}`);
    }
    if (text !== original) fixedFiles++;
  }
  assert.ok(fixedFiles > 20, `only ${fixedFiles} files had fixes: the test would prove little`);
});
