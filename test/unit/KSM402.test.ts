import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM402');

before(() => initParser());

const source = 'import keras\nm = keras.Sequential()\nm.fit_generator(gen, epochs=2, workers=4, use_multiprocessing=True)\n';

test('KSM402 under Keras 3 renames and drops the arguments Keras 3 rejects', () => {
  const [finding] = analyze(source, { kerasVersion: '3' });
  assert.equal(finding?.code, 'KSM402');
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 15 } });
  assert.equal(finding.fixes.length, 1);
  assert.equal(applyEdits(source, finding.fixes[0]!.edits), 'import keras\nm = keras.Sequential()\nm.fit(gen, epochs=2)\n');
});

test('KSM402 under Keras 2 only renames', () => {
  const [finding] = analyze(source, { kerasVersion: '2' });
  assert.equal(finding?.severity, 'warning');
  assert.equal(finding.fixes.length, 1);
  assert.equal(applyEdits(source, finding.fixes[0]!.edits), source.replace('fit_generator', 'fit'));
});

test('KSM402 with an unknown version names both behaviours and renames, keeping the arguments for (b)', () => {
  const [finding, rejected] = analyze(source);
  // (b) reports the arguments the renamed call would pass to Keras 3's fit.
  assert.equal(rejected?.message, '`workers`, `use_multiprocessing` fail under Keras 3; valid under Keras 2');
  assert.equal(rejected.detail?.startsWith('Under Keras 3, which TensorFlow 2.16 and later install, `fit` raises'), true);
  assert.deepEqual(rejected.fixes.map((f) => [f.title, f.applicability]), [['Remove `workers`, `use_multiprocessing` (Keras 2 then loses its parallel loading)', 'unsafe']]);
  assert.equal(finding?.severity, 'warning');
  assert.match(finding.message, /fails under Keras 3.*working under Keras 2/);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [['Rename to `fit`', 'safe']]);
  const renamed = applyEdits(source, finding.fixes[0]!.edits);
  assert.equal(renamed, source.replace('fit_generator', 'fit'));
  // The renamed call is then reported for the arguments Keras 3 rejects.
  const [next] = analyze(renamed);
  assert.equal(next?.severity, 'warning');
  assert.deepEqual(next.range.start, { line: 2, character: 21 });
});

test('KSM402 renames the generator= keyword to x=', () => {
  const text = 'import keras\nm = keras.Sequential()\nm.predict_generator(generator=gen, steps=3)\n';
  const [finding] = analyze(text);
  assert.equal(applyEdits(text, finding!.fixes[0]!.edits), 'import keras\nm = keras.Sequential()\nm.predict(x=gen, verbose=0, steps=3)\n');
});

test('KSM402 writes positional arguments after the data as keywords of the old signature', () => {
  const text = 'import keras\nm = keras.Sequential()\nm.fit_generator(gen, 100, 10)\nm.evaluate_generator(gen, 5)\nm.predict_generator(gen, 5, None, 10, 1, False, 1)\n';
  const findings = analyze(text, { kerasVersion: '2' });
  assert.deepEqual(findings.map((f) => applyEdits(text, f.fixes[0]!.edits).split('\n')[2 + findings.indexOf(f)]), [
    'm.fit(gen, steps_per_epoch=100, epochs=10)',
    'm.evaluate(gen, verbose=0, steps=5)',
    'm.predict(gen, steps=5, callbacks=None, max_queue_size=10, workers=1, use_multiprocessing=False, verbose=1)',
  ]);
  // Under Keras 3 the positional workers and the like go too.
  const [predict] = analyze(text, { kerasVersion: '3' }).slice(2);
  assert.equal(applyEdits(text, predict!.fixes[0]!.edits).split('\n')[4], 'm.predict(gen, steps=5, callbacks=None, verbose=1)');
});

const fitWith = 'import keras\nm = keras.Sequential()\nm.fit(x, y, epochs=2, workers=4, use_multiprocessing=True)\nm.evaluate(x, y, max_queue_size=8)\n';

test('KSM402 (b) under Keras 3: error on the first rejected argument, removal safe', () => {
  const [fit, evaluate] = analyze(fitWith, { kerasVersion: '3' });
  assert.equal(fit?.severity, 'error');
  assert.deepEqual(fit.range, { start: { line: 2, character: 22 }, end: { line: 2, character: 31 } });
  assert.equal(fit.message, "Keras 3's `fit` has no `workers`, `use_multiprocessing`");
  assert.equal(
    fit.detail,
    "The call raises `TypeError: … got an unexpected keyword " +
      "argument 'workers'`. They moved to the `PyDataset` constructor.",
  );
  assert.deepEqual(fit.fixes.map((f) => [f.title, f.applicability]), [['Remove `workers`, `use_multiprocessing`', 'safe']]);
  assert.equal(applyEdits(fitWith, fit.fixes[0]!.edits).split('\n')[2], 'm.fit(x, y, epochs=2)');
  assert.equal(evaluate?.message, "Keras 3's `evaluate` has no `max_queue_size`");
  assert.equal(
    evaluate.detail,
    "The call raises `ValueError: Arguments not recognized: " +
      "{'max_queue_size': …}`. They moved to the `PyDataset` constructor.",
  );
});

test('KSM402 (b) with an unknown version: a warning naming both, removal unsafe; silent under Keras 2', () => {
  const text = fitWith.replace('import keras', 'from tensorflow import keras');
  const [fit] = analyze(text);
  assert.equal(fit?.severity, 'warning');
  assert.equal(fit.message, '`workers`, `use_multiprocessing` fail under Keras 3; valid under Keras 2');
  assert.equal(
    fit.detail,
    'Under Keras 3, which TensorFlow 2.16 and later install, `fit` raises ' +
      "`TypeError: … got an unexpected keyword argument 'workers'` (the options moved to the `PyDataset` " +
      'constructor).',
  );
  assert.deepEqual(fit.fixes.map((f) => f.applicability), ['unsafe']);
  assert.deepEqual(analyze(text, { kerasVersion: '2' }), []);
});

test('KSM402 (b) passes the values to the PyDataset subclass instead', () => {
  const text = [
    'import keras',
    'class Batches(keras.utils.PyDataset):',
    '    def __init__(self, x, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.x = x',
    'm = keras.Sequential()',
    'm.fit(Batches(data), epochs=2, workers=4, use_multiprocessing=True)',
    '',
  ].join('\n');
  const [finding] = analyze(text).filter((f) => f.code === 'KSM402');
  assert.equal(finding?.severity, 'error');
  const moved = finding.fixes[1]!;
  assert.equal(moved.title, "Pass workers=4, use_multiprocessing=True to `Batches`'s `super().__init__()` instead (check that its `__init__` forwards them)");
  assert.equal(moved.applicability, 'unsafe');
  const out = applyEdits(text, moved.edits).split('\n');
  assert.equal(out[3], '        super().__init__(**kwargs, workers=4, use_multiprocessing=True)');
  assert.equal(out[6], 'm.fit(Batches(data), epochs=2)');
});
