import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { Finding } from '../../server/src/engine/analysis/types';
import { fixAll } from '../../server/src/engine/fix-all';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM604');

before(() => initParser());

function findings(text: string): Finding[] {
  return analyze(text).filter((f) => f.code === 'KSM604');
}

function only(text: string): Finding {
  const found = findings(text);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

test('KSM604 anchors on the late setting, with the import that loaded TensorFlow', () => {
  const text = 'import tensorflow as tf\nimport os\n\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n';
  const finding = only(text);
  assert.equal(finding.severity, 'warning');
  assert.deepEqual(finding.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 39 } });
  assert.equal(finding.message, '`TF_USE_LEGACY_KERAS` is set after `import tensorflow as tf` (line 1) has loaded TensorFlow');
  assert.equal(
    finding.detail,
    '`from tensorflow.keras ' +
    'import …` stays on Keras 3 while `tf.keras.X` may switch to tf_keras at its first use, mixing the two.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [[0, 'TensorFlow is loaded here']]);
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [['Move the setting above `import tensorflow as tf`', 'unsafe']]);
  // `import os` comes after TensorFlow, so the move brings one along.
  assert.equal(applyEdits(text, finding.fixes[0]!.edits), 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\nimport os\n\n');
  assert.equal(fixAll(text, { kerasVersion: 'auto', rules: {} }).text, text);
});

test('KSM604 moves `from os import environ` settings with their import', () => {
  const text = 'import tensorflow_hub as hub\nfrom os import environ\nenviron["TF_USE_LEGACY_KERAS"] = "1"\n';
  assert.equal(applyEdits(text, only(text).fixes[0]!.edits), 'from os import environ\nenviron["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow_hub as hub\nfrom os import environ\n');
});

test('KSM604 reports os.putenv wherever it is, and rewrites it into os.environ', () => {
  const text = 'import os\nos.putenv("TF_USE_LEGACY_KERAS", "1")\nimport tensorflow as tf\n';
  const finding = only(text);
  assert.equal(finding.message, '`os.putenv` does not change `os.environ`, which is what TensorFlow reads');
  assert.equal(finding.detail, 'The setting has no effect.');
  assert.deepEqual(finding.fixes.map((f) => [f.title, f.applicability]), [['Set it in `os.environ`: `os.environ["TF_USE_LEGACY_KERAS"] = "1"`', 'unsafe']]);
  assert.equal(applyEdits(text, finding.fixes[0]!.edits), 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\n');
  // A late putenv is moved and rewritten at once.
  const late = 'import os\nimport tensorflow as tf\nos.putenv("TF_USE_LEGACY_KERAS", "1")\n';
  assert.equal(applyEdits(late, only(late).fixes[0]!.edits), 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\n');
});

test('KSM604 values TensorFlow ignores are information, off values are silent', () => {
  const finding = only('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "yes"\n');
  assert.equal(finding.severity, 'information');
  assert.equal(finding.message, 'TensorFlow ignores `TF_USE_LEGACY_KERAS` set to "yes"');
  assert.equal(finding.detail, 'It reads the variable as on only for "1", "true" or "True", so `tf.keras` stays Keras 3 under TensorFlow 2.16 and later.');
  assert.deepEqual(finding.fixes, []);
  for (const value of ['"0"', '"false"', '"False"', '""']) {
    assert.deepEqual(findings(`import tensorflow as tf\nimport os\nos.environ["TF_USE_LEGACY_KERAS"] = ${value}\n`), [], value);
  }
});

test('KSM604 counts libraries that import TensorFlow, not others', () => {
  assert.equal(findings('import keras_nlp\nimport os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n').length, 1);
  assert.deepEqual(findings('import numpy\nimport torch\nimport os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n'), []);
});
