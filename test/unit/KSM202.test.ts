import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { Finding } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM202');

before(() => initParser());

function only(text: string): Finding {
  const findings = analyze(text).filter((f) => f.code === 'KSM202');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  return findings[0]!;
}

test('KSM202 adds **kwargs to the signature and the base call, on the __init__ name', () => {
  const text = [
    'import keras',
    'class Scale(keras.layers.Layer):',
    '    def __init__(',
    '        self,',
    '        factor,',
    '    ):',
    '        super().__init__(dtype="float32")',
    '        self.factor = factor',
    '',
  ].join('\n');
  const finding = only(text);
  assert.deepEqual(finding.range, { start: { line: 2, character: 8 }, end: { line: 2, character: 16 } });
  assert.equal(finding.severity, 'warning');
  assert.match(finding.detail ?? '', /unexpected keyword argument 'name'/);
  assert.deepEqual(finding.related.map((r) => r.range.start.line), [6]);
  const fix = finding.fixes[0]!;
  assert.equal(fix.applicability, 'safe');
  assert.equal(applyEdits(text, fix.edits), [
    'import keras',
    'class Scale(keras.layers.Layer):',
    '    def __init__(',
    '        self,',
    '        factor, **kwargs,',
    '    ):',
    '        kwargs.setdefault("dtype", "float32")',
    '        super().__init__(**kwargs)',
    '        self.factor = factor',
    '',
  ].join('\n'));
});

test('KSM202 keeps the arguments the class passes itself', () => {
  const text = 'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, name=None, units=2, **kw):\n        super().__init__(name=name, dynamic=True)\n';
  const finding = only(text);
  assert.match(finding.message, /does not pass `\*\*kw` to `super\(\).__init__`/);
  assert.equal(finding.fixes[0]!.title, 'Pass `**kw` to `super().__init__`');
  assert.equal(applyEdits(text, finding.fixes[0]!.edits),
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, name=None, units=2, **kw):\n        super().__init__(name=name, dynamic=True, **kw)\n');
});

test('KSM202 names the first base key the signature lacks', () => {
  const text = 'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, name=None):\n        super().__init__(name=name)\n';
  assert.match(only(text).detail ?? '', /unexpected keyword argument 'trainable'/);
});

test('KSM202 fix is unsafe when there is no base call, or kwargs go elsewhere too', () => {
  const noBase = 'import keras\nclass L(keras.layers.Layer):\n    def __init__(self):\n        self.n = 1\n';
  const first = only(noBase);
  assert.equal(first.fixes[0]!.applicability, 'unsafe');
  assert.equal(applyEdits(noBase, first.fixes[0]!.edits),
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n        self.n = 1\n');
  const elsewhere = 'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, **kwargs):\n        super().__init__()\n        self.d = keras.layers.Dense(2, **kwargs)\n';
  const second = only(elsewhere);
  assert.equal(second.fixes[0]!.applicability, 'unsafe');
  assert.match(second.fixes[0]!.title, /also passed elsewhere/);
});

test('KSM202 is silent when the base keys never reach __init__, or are taken by name', () => {
  const cases = [
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, n=1):\n        super().__init__()\n    def get_config(self):\n        return {"n": 1}\n',
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, n=1):\n        super().__init__()\n    @classmethod\n    def from_config(cls, config):\n        return cls(config["n"])\n',
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, name=None, trainable=True, dtype=None):\n        super().__init__(name=name, trainable=trainable, dtype=dtype)\n',
    'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n',
    'class L:\n    def __init__(self):\n        pass\n',
  ];
  for (const text of cases) assert.deepEqual(analyze(text).filter((f) => f.code === 'KSM202'), [], text);
  // A from_config that passes the config whole still needs **kwargs.
  only('import keras\nclass L(keras.layers.Layer):\n    def __init__(self, n=1):\n        super().__init__()\n    @classmethod\n    def from_config(cls, config):\n        return cls(**config)\n');
});

test('KSM202 ties the finding to the models that use the class', () => {
  const text = [
    'import keras',
    'class Block(keras.layers.Layer):',
    '    def __init__(self):',
    '        super().__init__()',
    'used = keras.Sequential([keras.Input(shape=(2,)), Block()])',
    'other = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])',
    '',
  ].join('\n');
  const models = analyzeText(text, { kerasVersion: 'auto', rules: {} }).models;
  const used = models.find((m) => m.name === 'used')!;
  assert.deepEqual(only(text).modelIds, [used.id]);
  const check = used.checks.find((c) => c.id === 'custom-objects')!;
  assert.equal(check.status, 'fail');
  assert.equal(models.find((m) => m.name === 'other')!.checks.find((c) => c.id === 'custom-objects')!.status, 'pass');
});

test('KSM202 turns fixed base keys into kwargs defaults, so that KSM207 has nothing to report', () => {
  const text = 'import keras\nclass T(keras.Model):\n    def __init__(self, depth=2):\n        super().__init__(name="tagged", dtype="float32")\n';
  const fixed = applyEdits(text, only(text).fixes[0]!.edits);
  assert.equal(fixed, 'import keras\nclass T(keras.Model):\n    def __init__(self, depth=2, **kwargs):\n' +
    '        kwargs.setdefault("name", "tagged")\n        kwargs.setdefault("dtype", "float32")\n        super().__init__(**kwargs)\n');
  assert.deepEqual(analyze(fixed).filter((f) => f.code === 'KSM202' || f.code === 'KSM207'), []);
});

test('KSM202 is silent when the own get_config does not start from super().get_config(), unless it writes a base key', () => {
  const init = 'import keras\nclass L(keras.layers.Layer):\n    def __init__(self, n=1):\n        super().__init__()\n    def get_config(self):\n';
  assert.deepEqual(analyze(`${init}        super().get_config()\n        return {"n": 1}\n`).filter((f) => f.code === 'KSM202'), []);
  assert.match(only(`${init}        return {"n": 1, "dtype": self.dtype}\n`).detail ?? '', /unexpected keyword argument 'dtype'/);
});
