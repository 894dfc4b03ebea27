import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { SyntaxNode } from '../../server/src/engine/analysis/syntax';
import { ImportTable } from '../../server/src/engine/analysis/imports';
import { initParser, parseSyntax } from '../../server/src/engine/analysis/parser';

before(() => initParser());

/** The canonical Keras name of the callee of the last line's call. */
function resolveLastCall(source: string): string | undefined {
  const tree = parseSyntax(source);
  const table = new ImportTable(tree.root);
  const calls = tree.root.descendantsOfType('call');
  const last = calls[calls.length - 1] as SyntaxNode;
  return table.keras(last.childForFieldName('function'));
}

test('every spelling of Keras resolves to one canonical name', () => {
  const cases: Array<[string, string]> = [
    ['import tensorflow as tf\ntf.keras.layers.LSTM(4)', 'keras.layers.LSTM'],
    ['import tensorflow\ntensorflow.keras.layers.LSTM(4)', 'keras.layers.LSTM'],
    ['import keras\nkeras.layers.LSTM(4)', 'keras.layers.LSTM'],
    ['import tf_keras as keras\nkeras.layers.LSTM(4)', 'keras.layers.LSTM'],
    ['from tensorflow import keras\nkeras.layers.LSTM(4)', 'keras.layers.LSTM'],
    ['from keras import layers as L\nL.LSTM(4)', 'keras.layers.LSTM'],
    ['from tensorflow.keras.layers import LSTM as Lstm\nLstm(4)', 'keras.layers.LSTM'],
    ['import tensorflow.keras as K\nK.layers.LSTM(4)', 'keras.layers.LSTM'],
    ['import tensorflow.keras.layers\ntensorflow.keras.layers.LSTM(4)', 'keras.layers.LSTM'],
    ['from tensorflow.keras.layers import *\nLSTM(4)', 'keras.layers.LSTM'],
    ['from keras.src.layers import Dense\nDense(1)', 'keras.layers.Dense'],
    ['from tensorflow.python.keras.models import Sequential\nSequential()', 'keras.models.Sequential'],
  ];
  for (const [source, expected] of cases) assert.equal(resolveLastCall(source), expected, source);
});

test('names that are not Keras do not resolve', () => {
  const cases = [
    'import torch\ntorch.nn.LSTM(4, 8)',
    'LSTM(4)',
    'from keras.layers import LSTM\nclass LSTM:\n    pass\nLSTM(4)',
    'from mylib.layers import *\nLSTM(4)',
    'from .layers import LSTM\nLSTM(4)',
  ];
  for (const source of cases) assert.equal(resolveLastCall(source), undefined, source);
});

test('spell finds the shortest spelling the file allows, or extends a from-import', () => {
  const spell = (source: string, name: string) => {
    const tree = parseSyntax(source);
    return new ImportTable(tree.root).spell(name, ['keras.layers.Input']);
  };
  assert.equal(spell('import tensorflow as tf\n', 'keras.Input')?.text, 'tf.keras.Input');
  assert.equal(spell('from tensorflow import keras\nimport tensorflow as tf\n', 'keras.Input')?.text, 'keras.Input');
  assert.equal(spell('from keras import layers\n', 'keras.Input')?.text, 'layers.Input');
  assert.equal(spell('from keras.layers import Input\n', 'keras.Input')?.text, 'Input');
  const extended = spell('from tensorflow.keras.layers import (\n    LSTM,\n    Dense,\n)\n', 'keras.Input');
  assert.equal(extended?.text, 'Input');
  assert.deepEqual(extended?.edits.map((e) => [e.range.start, e.newText]), [[{ line: 2, character: 9 }, ', Input']]);
  assert.equal(spell('import numpy as np\n', 'keras.Input'), undefined);
});
