import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM101');

before(() => initParser());

test('KSM101 moves a later compile above the save, keeping indentation', () => {
  const text = [
    'from tensorflow import keras',
    'def main():',
    '    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
    '    model.save("m.keras")',
    '    model.compile(',
    '        optimizer="adam",',
    '        loss="mse",',
    '    )',
    '    return model',
    '',
  ].join('\n');
  const [finding] = analyze(text).filter((f) => f.code === 'KSM101');
  assert.ok(finding);
  assert.deepEqual(finding.range.start, { line: 3, character: 4 });
  assert.equal(finding.fixes.length, 1);
  assert.equal(finding.fixes[0]!.applicability, 'unsafe');
  assert.equal(applyEdits(text, finding.fixes[0]!.edits), [
    'from tensorflow import keras',
    'def main():',
    '    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
    '    model.compile(',
    '        optimizer="adam",',
    '        loss="mse",',
    '    )',
    '    model.save("m.keras")',
    '    return model',
    '',
  ].join('\n'));
});

test('KSM101 inserts a compile whose loss follows the output layer', () => {
  const cases: Array<[string, string]> = [
    ['keras.layers.Dense(1)', 'mse'],
    ['keras.layers.Dense(1, activation="sigmoid")', 'binary_crossentropy'],
    ['keras.layers.Dense(10, activation="softmax")', 'categorical_crossentropy'],
  ];
  for (const [layer, loss] of cases) {
    const text = `from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(3,)), ${layer}])\nm.save("m.keras")\n`;
    const [finding] = analyze(text).filter((f) => f.code === 'KSM101');
    assert.ok(finding, layer);
    const fixed = applyEdits(text, finding.fixes[0]!.edits);
    assert.match(fixed, new RegExp(`m\\.compile\\(optimizer="adam", loss="${loss}"\\)\\nm\\.save`), layer);
  }
});

test('KSM101 says when the loss could not be seen', () => {
  const text = 'import keras\nm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu")])\nm.save("m.keras")\n';
  const [finding] = analyze(text).filter((f) => f.code === 'KSM101');
  assert.match(finding!.fixes[0]!.title, /check the loss/);
  assert.equal(finding!.related[0]!.message, '`m` is defined here');
});

test('KSM101 related information points at the model and the later compile', () => {
  const text = 'import keras\nm = keras.Sequential()\nm.save("m.keras")\nm.compile(loss="mse")\n';
  const [finding] = analyze(text).filter((f) => f.code === 'KSM101');
  assert.deepEqual(finding!.related.map((r) => r.range.start.line), [1, 3]);
});

test('KSM101 says what the file lacks and what reloading then needs', () => {
  const text = 'from tensorflow import keras\nm = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\nm.save("m.keras")\n';
  const [finding] = analyze(text).filter((f) => f.code === 'KSM101');
  assert.equal(finding?.message, '`m` is saved before `compile()`');
  assert.equal(finding.detail, 'The file keeps no optimizer, loss or metrics, so the reloaded model cannot train until it is compiled again.');
  assert.deepEqual(finding.related.map((r) => r.message), ['`m` is defined here']);
});
