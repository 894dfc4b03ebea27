import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildFacts } from '../../server/src/engine/analysis/facts';
import { legacySettings } from '../../server/src/engine/analysis/legacy-keras';
import { initParser, parsePython } from '../../server/src/engine/analysis/parser';
import { SyntaxTree, type SyntaxNode } from '../../server/src/engine/analysis/syntax';
import type { KerasVersionInfo, KerasVersionSetting } from '../../server/src/engine/analysis/types';
import { detectKerasVersions, implementationOf, versionIn, type KerasVersions } from '../../server/src/engine/analysis/version';

before(() => initParser());

function versionsOf(text: string, setting: KerasVersionSetting = 'auto', project?: KerasVersionInfo): { versions: KerasVersions; node: (source: string) => SyntaxNode } {
  const tree = parsePython(text);
  const facts = buildFacts(new SyntaxTree(text, tree));
  const versions = detectKerasVersions(facts.root, facts.imports, setting, project);
  const node = (source: string) => facts.root.descendantsOfType('attribute').find((n) => n.text === source)!;
  return { versions, node };
}

describe('which Keras a name means', () => {
  test('qualified names belong to one implementation', () => {
    assert.equal(implementationOf('tf_keras.layers.Dense'), 'tf_keras');
    assert.equal(implementationOf('tensorflow.keras.layers.Dense'), 'tf.keras');
    assert.equal(implementationOf('keras.layers.Dense'), 'keras');
    assert.equal(implementationOf('keras.src.engine.base_layer'), 'keras');
    assert.equal(implementationOf('tensorflow_hub.KerasLayer'), 'hub');
    assert.equal(implementationOf('tensorflow.data.Dataset'), undefined);
    assert.equal(implementationOf('kerastuner.Hyperband'), undefined);
  });

  test('per name: tf_keras is Keras 2, keras the package, tf.keras the package unless the variable reroutes it', () => {
    const text = 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\nimport keras\nimport tf_keras\n' +
      'a = tf.keras.layers.Dense(1)\nb = keras.layers.Dense(1)\nc = tf_keras.layers.Dense(1)\n';
    const { versions, node } = versionsOf(text, '3');
    assert.equal(versions.at(node('tf.keras.layers.Dense')).major, 2);
    assert.equal(versions.at(node('keras.layers.Dense')).major, 3);
    assert.equal(versions.at(node('tf_keras.layers.Dense')).major, 2);
    assert.equal(versions.legacySwitch?.range.start.line, 1);
    // Mixed names: the file's default is the keras package.
    assert.equal(versions.file.major, 3);
  });

  test('without the variable in time, tf.keras is the keras package', () => {
    for (const text of [
      'import tensorflow as tf\nimport os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\na = tf.keras.layers.Dense(1)\n',
      'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "TRUE"\nimport tensorflow as tf\na = tf.keras.layers.Dense(1)\n',
      'import os\nos.putenv("TF_USE_LEGACY_KERAS", "1")\nimport tensorflow as tf\na = tf.keras.layers.Dense(1)\n',
      'import os\ndef setup():\n    os.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\na = tf.keras.layers.Dense(1)\n',
    ]) {
      const { versions, node } = versionsOf(text, '3');
      assert.equal(versions.at(node('tf.keras.layers.Dense')).major, 3, text);
      assert.equal(versions.legacySwitch, undefined, text);
    }
    // setdefault and update before the import do reroute it.
    for (const text of [
      'import os\nos.environ.setdefault("TF_USE_LEGACY_KERAS", "true")\nimport tensorflow as tf\na = tf.keras.layers.Dense(1)\n',
      'import os\nos.environ.update({"TF_USE_LEGACY_KERAS": "True"})\nimport tensorflow as tf\na = tf.keras.layers.Dense(1)\n',
      'from os import environ\nenviron["TF_USE_LEGACY_KERAS"] = "1"\nfrom tensorflow import keras\na = keras.layers.Dense(1)\n',
    ]) {
      const { versions } = versionsOf(text, '3');
      assert.equal(versions.of('tf.keras').major, 2, text);
      assert.equal(versions.file.major, 2, text);
    }
  });

  test('every setting of the variable is listed, with its value and whether it is in time', () => {
    const text = 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport keras\nos.putenv("TF_USE_LEGACY_KERAS", "yes")\n';
    const tree = parsePython(text);
    const facts = buildFacts(new SyntaxTree(text, tree));
    assert.deepEqual(legacySettings(facts.root, facts.imports).map((s) => [s.how, s.value, s.beforeTensorflow]), [
      ['assignment', '1', true],
      ['putenv', 'yes', false],
    ]);
  });
});

describe('minor ranges', () => {
  test('versionIn says yes, no or unknown', () => {
    const v = (major: 2 | 3 | undefined, range?: KerasVersionInfo['range']): KerasVersionInfo => ({ major, source: 'test', ...(range ? { range } : {}) });
    assert.equal(versionIn(v(3, { low: [3, 9] }), [3, 9]), true);
    assert.equal(versionIn(v(3, { low: [3, 9] }), [3, 0], [3, 9]), false);
    assert.equal(versionIn(v(3), [3, 9]), undefined);
    assert.equal(versionIn(v(3), [3, 0], [4, 0]), true);
    assert.equal(versionIn(v(2), [3, 0]), false);
    assert.equal(versionIn(v(undefined), [3, 0]), undefined);
    assert.equal(versionIn(v(2, { low: [2, 13], high: [2, 16] }), [2, 13], [2, 16]), true);
    assert.equal(versionIn(v(undefined, { low: [2, 12] }), [2, 0], [2, 12]), false);
  });

  test('old-module imports bound the release; keras.saving.register_keras_serializable says 2.12 or later, not Keras 3', () => {
    assert.deepEqual(versionsOf('from keras.engine import Layer\n').versions.keras, {
      major: 2, source: 'Keras 2 module import (`keras.engine`, keras 2.12 or older) (line 1)', range: { high: [2, 13] },
    });
    const registered = versionsOf('import keras\n@keras.saving.register_keras_serializable()\nclass A(keras.layers.Layer):\n    pass\n').versions.keras;
    assert.equal(registered.major, undefined);
    assert.deepEqual(registered.range, { low: [2, 12] });
    // Evidence that contradicts the project's major does not narrow it.
    const project: KerasVersionInfo = { major: 3, source: '`keras>=3.9` in requirements.txt (line 1)', range: { low: [3, 9] } };
    assert.deepEqual(versionsOf('from keras.engine import Layer\n', 'auto', project).versions.keras, project);
  });
});
