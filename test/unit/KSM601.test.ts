import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM601');

before(() => initParser());

function findings(text: string, settings: Partial<AnalysisSettings> = {}): Finding[] {
  return analyze(text, settings).filter((f) => f.code === 'KSM601');
}

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = findings(text, settings);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const hubModel = [
  'import tensorflow as tf',
  'import tensorflow_hub as hub',
  '',
  'model = tf.keras.Sequential([',
  '    hub.KerasLayer("https://tfhub.dev/google/nnlm-en-dim50/2", input_shape=[], dtype=tf.string),',
  '    tf.keras.layers.Dense(1),',
  '])',
  '',
].join('\n');

test('KSM601 (C) anchors on the hub layer, names both imports and quotes Keras 3', () => {
  const finding = only(hubModel, { kerasVersion: '3' });
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 4, character: 4 }, end: { line: 4, character: 95 } });
  assert.equal(finding.message, '`model` mixes Keras class hierarchies: `hub.KerasLayer` in `tf.keras.Sequential`');
  assert.equal(
    finding.detail,
    '`hub.KerasLayer` is a tf_keras layer (tensorflow_hub 0.16 and later subclass ' +
    'tf_keras when `tf.keras` is Keras 3), while the model\'s `tf.keras.Sequential` is Keras 3; Keras 3\'s `Sequential` raises ' +
    '"Only instances of `keras.Layer` can be added to a Sequential model. Received: <tf_keras… object at …>".',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [
    [0, 'The model\'s `tf.keras.Sequential` comes from this import'],
    [1, '`hub.KerasLayer` comes from this import'],
  ]);
  assert.equal(finding.modelIds.length, 1);
});

test('KSM601 (C) offers tf_keras and the legacy variable, both unsafe', () => {
  const finding = only(hubModel, { kerasVersion: '3' });
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability, f.preferred === true]), [
    ['Build the model with tf_keras (`import tf_keras`)', 'unsafe', true],
    ['Set `TF_USE_LEGACY_KERAS` before TensorFlow is imported and use `tf.keras` throughout', 'unsafe', false],
  ]);
  assert.equal(applyEdits(hubModel, finding.fixes[0]!.edits), [
    'import tensorflow as tf',
    'import tensorflow_hub as hub',
    'import tf_keras',
    '',
    'model = tf_keras.Sequential([',
    '    hub.KerasLayer("https://tfhub.dev/google/nnlm-en-dim50/2", input_shape=[], dtype=tf.string),',
    '    tf_keras.layers.Dense(1),',
    '])',
    '',
  ].join('\n'));
  assert.equal(applyEdits(hubModel, finding.fixes[1]!.edits), `import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n${hubModel}`);
});

test('KSM601 (C) with `import keras`: the legacy fix writes keras objects with tf.keras', () => {
  const text = 'import os\nimport keras\nimport tensorflow as tf\nimport tensorflow_hub as hub\n\nmodel = keras.Sequential([hub.KerasLayer("h"), keras.layers.Dense(1)])\n';
  const finding = only(text, { kerasVersion: '3' });
  assert.equal(
    applyEdits(text, finding.fixes[1]!.edits),
    'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport keras\nimport tensorflow as tf\nimport tensorflow_hub as hub\n\n' +
    'model = tf.keras.Sequential([hub.KerasLayer("h"), tf.keras.layers.Dense(1)])\n',
  );
});

test('KSM601 (C) is a warning naming both behaviours when the version is unknown, silent under Keras 2', () => {
  const finding = only(hubModel);
  assert.equal(finding.severity, 'warning');
  assert.match(finding.detail ?? '', /under TensorFlow 2\.16 and later `Sequential` raises "Only instances of `keras\.Layer`.*"; fine under Keras 2 \(TensorFlow 2\.15 and older\)\.$/);
  assert.deepEqual(findings(hubModel, { kerasVersion: '2' }), []);
  // Keras 3 evidence from the project settles it.
  assert.equal(only(hubModel, { projectVersion: { major: 3, source: '`tensorflow>=2.16` in requirements.txt (line 1)' } }).severity, 'error');
});

test('KSM601 (A) rewrites every foreign object with the model\'s implementation', () => {
  const text = 'import keras\nimport tf_keras\n\nmodel = keras.Sequential([keras.Input(shape=(4,)), tf_keras.layers.Dense(8), tf_keras.layers.Dense(1)])\n';
  const finding = only(text, { kerasVersion: '3' });
  assert.equal(finding.range.start.character, 51);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [
    ['Write the 2 foreign objects with the model\'s implementation (`keras.layers.Dense`, …)', 'unsafe'],
  ]);
  assert.equal(
    applyEdits(text, finding.fixes[0]!.edits),
    'import keras\nimport tf_keras\n\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8), keras.layers.Dense(1)])\n',
  );
});

test('KSM601 (A) in a functional model: the Keras 3 Input into a tf_keras layer', () => {
  const text = 'import keras\nimport tf_keras\n\ninputs = keras.Input(shape=(4,))\nx = tf_keras.layers.Dense(8)(inputs)\nmodel = tf_keras.Model(inputs, x)\n';
  const finding = only(text, { kerasVersion: '3' });
  assert.equal(finding.range.start.line, 3);
  assert.equal(finding.message, '`model` mixes Keras class hierarchies: `keras.Input` in `tf_keras.Model`');
  assert.match(finding.detail ?? '', /^`keras\.Input` is Keras 3, while the model's `tf_keras\.Model` is tf_keras \(Keras 2\); building the graph raises "A KerasTensor cannot be used as input to a TensorFlow function…"\.$/);
  assert.equal(applyEdits(text, finding.fixes[0]!.edits).split('\n')[3], 'inputs = tf_keras.Input(shape=(4,))');
});

test('KSM601 (B): the legacy variable with `import keras` is an error, with the setting as related information', () => {
  const text = 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport keras\nimport tensorflow as tf\n\nmodel = tf.keras.Sequential([keras.layers.Dense(1)])\n';
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [
    [3, 'The model\'s `tf.keras.Sequential` comes from this import'],
    [2, '`keras.layers.Dense` comes from this import'],
    [1, '`TF_USE_LEGACY_KERAS` reroutes `tf.keras` to tf_keras here'],
  ]);
  assert.match(finding.detail ?? '', /tf_keras's `Sequential` raises "The added layer must be an instance of class Layer\. Received: layer=… of type …"\.$/);
  assert.equal(applyEdits(text, finding.fixes[0]!.edits).split('\n')[5], 'model = tf.keras.Sequential([tf.keras.layers.Dense(1)])');
  // Set too late, the variable does not reroute tf.keras: the mix is harmless (KSM604 reports the setting).
  assert.deepEqual(findings('import os\nimport keras\nimport tensorflow as tf\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nmodel = tf.keras.Sequential([keras.layers.Dense(1)])\n'), []);
});

test('KSM601 (D): a keras<2.4 pin makes standalone keras foreign to tf.keras; no fix', () => {
  const text = 'import keras\nimport tensorflow as tf\n\nmodel = tf.keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])\n';
  assert.deepEqual(findings(text), []);
  const finding = only(text, { projectVersion: { major: 2, source: '`keras==2.3.1` in requirements.txt (line 1)', range: { low: [2, 3], high: [2, 4] } } });
  assert.equal(finding.severity, 'error');
  assert.match(finding.detail ?? '', /`keras\.layers\.Dense` is multi-backend keras \(2\.3 or older\), while the model's `tf\.keras\.Sequential` is TensorFlow's own `tf\.keras`; TensorFlow raises "The added layer must be an instance of class Layer\. Found: <keras\.layers\.core\.Dense object at …>"\.$/);
  assert.deepEqual(finding.fixes, []);
  // `keras.engine.topology` is not that evidence: keras 2.4 still ships it.
  assert.deepEqual(findings(`from keras.engine.topology import Layer\n${text}`), []);
});

test('KSM601 names a model without a name of its own by the function that returns it', () => {
  const text = 'import keras\nimport tf_keras\n\ndef build():\n    return keras.Sequential([tf_keras.layers.Dense(1)])\n';
  assert.match(only(text, { kerasVersion: '3' }).message, /^The model returned by `build\(\)` mixes Keras class hierarchies/);
});
