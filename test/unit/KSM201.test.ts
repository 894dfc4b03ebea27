import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM201');

before(() => initParser());

function only(text: string, settings: Parameters<typeof analyze>[1] = {}): Finding {
  const findings = analyze(text, settings).filter((f) => f.code === 'KSM201');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  return findings[0]!;
}

function fixed(text: string, finding: Finding): string {
  assert.equal(finding.fixes.length, 1);
  assert.equal(finding.fixes[0]!.applicability, 'safe');
  return applyEdits(text, finding.fixes[0]!.edits);
}

test('KSM201 reads each parameter from the attribute it was stored in, right after __init__', () => {
  const text = [
    'import tensorflow as tf',
    '',
    'class Block(tf.keras.layers.Layer):',
    '    def __init__(self, units=8, n=2, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.units = units',
    '        self._n = n',
    '',
    '    def call(self, x):',
    '        return x',
    '',
    'block = Block()',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(finding.severity, 'warning');
  assert.deepEqual(finding.range.start, { line: 2, character: 6 });
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.message]), [
    [3, '`units` must be in the config'],
    [3, '`n` must be in the config'],
  ]);
  assert.equal(fixed(text, finding), [
    'import tensorflow as tf',
    '',
    'class Block(tf.keras.layers.Layer):',
    '    def __init__(self, units=8, n=2, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.units = units',
    '        self._n = n',
    '',
    '    def get_config(self):',
    '        config = super().get_config()',
    '        config.update({',
    '            "units": self.units,',
    '            "n": self._n,',
    '        })',
    '        return config',
    '',
    '    def call(self, x):',
    '        return x',
    '',
    'block = Block()',
    '',
  ].join('\n'));
});

test('KSM201 serializes a layer argument and generates from_config', () => {
  const text = [
    'import keras',
    '',
    'class Wrapper(keras.layers.Layer):',
    '    def __init__(self, layer, rate=0.5, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.layer = layer',
    '        self.rate = rate',
    '',
    'w = Wrapper(keras.layers.Dense(3))',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.match(finding.detail ?? '', /`layer` receives a non-literal value/);
  assert.equal(finding.fixes[0]!.title, 'Add `get_config()` and `from_config()` to `Wrapper`');
  assert.equal(fixed(text, finding), [
    'import keras',
    '',
    'class Wrapper(keras.layers.Layer):',
    '    def __init__(self, layer, rate=0.5, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.layer = layer',
    '        self.rate = rate',
    '',
    '    def get_config(self):',
    '        config = super().get_config()',
    '        config.update({',
    '            "layer": keras.saving.serialize_keras_object(self.layer),',
    '            "rate": self.rate,',
    '        })',
    '        return config',
    '',
    '    @classmethod',
    '    def from_config(cls, config):',
    '        config["layer"] = keras.saving.deserialize_keras_object(config["layer"])',
    '        return cls(**config)',
    '',
    'w = Wrapper(keras.layers.Dense(3))',
    '',
  ].join('\n'));
});

test('KSM201 stores a parameter first, in an attribute the class does not use', () => {
  const text = [
    'from tensorflow.keras import layers',
    '',
    'def build():',
    '  class Head(layers.Layer):',
    '    """A head."""',
    '    def __init__(self, units, dropout=0.1):',
    '      super().__init__()',
    '      self.units = layers.Dense(units)',
    '      self.drop = layers.Dropout(dropout)',
    '  return Head(4)',
    '',
  ].join('\n');
  const finding = only(text);
  assert.equal(fixed(text, finding), [
    'from tensorflow.keras import layers',
    '',
    'def build():',
    '  class Head(layers.Layer):',
    '    """A head."""',
    '    def __init__(self, units, dropout=0.1):',
    '      super().__init__()',
    '      self._units = units',
    '      self.dropout = dropout',
    '      self.units = layers.Dense(units)',
    '      self.drop = layers.Dropout(dropout)',
    '',
    '    def get_config(self):',
    '      config = super().get_config()',
    '      config.update({',
    '        "units": self._units,',
    '        "dropout": self.dropout,',
    '      })',
    '      return config',
    '  return Head(4)',
    '',
  ].join('\n'));
});

test('KSM201 imports the serialization helpers when no import reaches them', () => {
  const text = [
    'import numpy as np',
    'from tensorflow.keras.layers import Layer, Dense',
    '',
    'class Wrap(Layer):',
    '    def __init__(self, inner: Layer, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.inner = inner',
    '',
  ].join('\n');
  const finding = only(text);
  // The annotation says it holds a layer; nothing passes a non-literal value in the file.
  assert.equal(finding.severity, 'warning');
  const out = fixed(text, finding);
  assert.match(out, /^from tensorflow\.keras\.layers import Layer, Dense\nfrom tensorflow\.keras\.saving import deserialize_keras_object, serialize_keras_object\n/m);
  assert.match(out, /"inner": serialize_keras_object\(self\.inner\),/);
  assert.match(out, /config\["inner"\] = deserialize_keras_object\(config\["inner"\]\)/);
});

test('KSM201 appends to an existing keras.saving import', () => {
  const text = [
    'from keras.saving import register_keras_serializable',
    'from keras.layers import Layer',
    '',
    'class Wrap(Layer):',
    '    def __init__(self, inner=None, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.inner = inner',
    '',
    'Wrap(inner=Wrap())',
    '',
  ].join('\n');
  const out = fixed(text, only(text));
  assert.match(out, /^from keras\.saving import register_keras_serializable, serialize_keras_object, deserialize_keras_object\n/);
});

test('KSM201 severity: literals warn, non-literals and built-in bases are errors, the version setting does not change it', () => {
  const layer = (init: string, after = '') =>
    `import tensorflow as tf\nclass L(tf.keras.layers.Layer):\n    def __init__(self, ${init}, **kwargs):\n        super().__init__(**kwargs)\n${after}`;
  assert.equal(only(layer('units=3')).severity, 'warning');
  assert.equal(only(layer('units=3'), { kerasVersion: '2' }).severity, 'warning');
  assert.equal(only(layer('units=3'), { kerasVersion: '3' }).severity, 'warning');
  assert.equal(only(layer('shape=(3, 4), names=["a"], cfg={"k": -1}')).severity, 'warning');
  assert.equal(only(layer('units', 'L(units=int("3"))\nL(2 ** 4)\n')).severity, 'warning');
  assert.equal(only(layer('units', 'N = 16\nL(N)\n')).severity, 'warning');
  assert.equal(only(layer('units', 'def make(n):\n    return L(n)\n')).severity, 'warning');
  assert.equal(only(layer('w=tf.zeros(3)')).severity, 'error');
  assert.equal(only(layer('values=[i for i in range(3)]')).severity, 'error');
  assert.equal(only(layer('act=tf.nn.relu')).severity, 'error');
  assert.equal(only(layer('units', 'import numpy as np\nL(np.ones(3))\n')).severity, 'error');
  assert.equal(only(layer('units', 'import numpy as np\nv = np.ones(3)\nL(units=v)\n')).severity, 'error');
  const dense = 'import tensorflow as tf\nclass D(tf.keras.layers.Dense):\n    def __init__(self, units, scale=1.0, **kwargs):\n        super().__init__(units, **kwargs)\n        self.scale = scale\n';
  const finding = only(dense);
  assert.equal(finding.severity, 'error');
  assert.match(finding.detail ?? '', /inherited from `Dense`/);
  assert.deepEqual(finding.related.map((r) => r.message), ['`scale` must be in the config']);
});

test('KSM201 ties the finding to the models that use the class', () => {
  const text = [
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    'class Block(layers.Layer):',
    '    def __init__(self, units=4, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.units = units',
    '',
    'class Net(keras.Model):',
    '    def __init__(self, **kwargs):',
    '        super().__init__(**kwargs)',
    '        self.block = Block()',
    '',
    'def make_block():',
    '    return Block(8)',
    '',
    'def build():',
    '    inputs = keras.Input(shape=(3,))',
    '    outputs = make_block()(inputs)',
    '    return keras.Model(inputs, outputs)',
    '',
    'listed = keras.Sequential([keras.Input(shape=(3,)), layers.TimeDistributed(Block())])',
    'unrelated = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])',
    'subclassed = Net()',
    'functional = build()',
    '',
  ].join('\n');
  const finding = only(text);
  const models = new Map(analyzeText(text, { kerasVersion: 'auto', rules: {} }).models.map((m) => [m.id, m.name]));
  const names = finding.modelIds.map((id) => models.get(id)).sort();
  assert.deepEqual(names, ['the model returned by build()', 'functional', 'listed', 'subclassed'].sort());
});

test('KSM201 keeps CRLF line endings in what it inserts', () => {
  const text = 'import keras\r\nclass L(keras.layers.Layer):\r\n    def __init__(self, n=1, **kwargs):\r\n        super().__init__(**kwargs)\r\n';
  const out = fixed(text, only(text));
  assert.equal(out.replace(/\r\n/g, '').includes('\n'), false, JSON.stringify(out));
  assert.match(out, /\r\n    def get_config\(self\):\r\n/);
  assert.match(out, /\r\n        self\.n = n\r\n/);
});

test('KSM201 stays silent once get_config exists, and for classes that take no arguments', () => {
  const cases = [
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)\n',
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, n=1, **kwargs):\n        super().__init__(**kwargs)\n        self.n = n\n    def get_config(self):\n        return {**super().get_config(), "n": self.n}\n',
    'import keras\nclass B(keras.layers.Layer):\n    def get_config(self):\n        return super().get_config()\nclass L(B):\n    def __init__(self, n=1):\n        super().__init__()\n',
    'import torch\nclass L(torch.nn.Module):\n    def __init__(self, n=1):\n        super().__init__()\n',
  ];
  for (const text of cases) assert.deepEqual(analyze(text).filter((f) => f.code === 'KSM201'), [], text);
});
