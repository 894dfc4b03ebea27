import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM207');

before(() => initParser());

function findings(text: string): Finding[] {
  return analyze(text).filter((f) => f.code === 'KSM207');
}

function only(text: string): Finding {
  const found = findings(text);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const pyramid = [
  'import keras',
  'class FeaturePyramid(keras.layers.Layer):',
  '    def __init__(self, backbone, **kwargs):',
  '        super().__init__(name="FeaturePyramid", **kwargs)',
  '        self.backbone = backbone',
  '',
].join('\n');

test('KSM207 anchors on the keyword, relates the class, and names the TypeError', () => {
  const finding = only(pyramid);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 3, character: 25 }, end: { line: 3, character: 46 } });
  assert.equal(finding.message, '`FeaturePyramid.__init__` passes `name="FeaturePyramid"` and `**kwargs` to the base `__init__`');
  assert.equal(
    finding.detail,
    'The saved config of a layer always holds `name`: reloading calls `FeaturePyramid(**config)`, `name` arrives in `kwargs` ' +
    'too, and Python raises "TypeError: …__init__() got multiple values for keyword argument \'name\'" (Keras 3 wraps ' +
    'it in "Error when deserializing class \'FeaturePyramid\' …"); `clone_model` and `FeaturePyramid(name=…)` fail the same way.',
  );
  assert.deepEqual(finding.related.map((r) => [r.range.start.line, r.range.start.character, r.message]), [
    [1, 6, '`FeaturePyramid` is defined here'],
  ]);
});

test('KSM207 fix makes the keyword a default of kwargs', () => {
  const [fix] = only(pyramid).fixes;
  assert.equal(fix!.title, 'Make `name` a default: `kwargs.setdefault("name", "FeaturePyramid")`');
  assert.equal(fix!.applicability, 'safe');
  assert.equal(applyEdits(pyramid, fix!.edits), pyramid.replace(
    '        super().__init__(name="FeaturePyramid", **kwargs)',
    '        kwargs.setdefault("name", "FeaturePyramid")\n        super().__init__(**kwargs)',
  ));
});

test('KSM207 names the keyword: reduction for a loss, dtype for a metric, in the compiled model reload', () => {
  const loss = 'import keras\nclass L(keras.losses.Loss):\n    def __init__(self, **kw):\n        super().__init__(reduction="sum", **kw)\n';
  const found = only(loss);
  assert.match(found.detail ?? '', /saved config of a loss always holds `reduction`: reloading a model compiled with it calls `L\(\*\*config\)`, `reduction` arrives in `kw`/);
  assert.equal(applyEdits(loss, found.fixes[0]!.edits),
    'import keras\nclass L(keras.losses.Loss):\n    def __init__(self, **kw):\n        kw.setdefault("reduction", "sum")\n        super().__init__(**kw)\n');
  const metric = 'import keras\nclass M(keras.metrics.Metric):\n    def __init__(self, **kw):\n        super().__init__(dtype="float16", name="m", **kw)\n';
  assert.deepEqual(findings(metric).map((f) => f.detail?.match(/argument '(\w+)'/)![1]), ['dtype', 'name']);
});

test('KSM207 is silent for a parameter, a pop, a del on every path, and configs without the key', () => {
  const cls = (init: string[], more: string[] = []) =>
    ['import keras', 'class B(keras.layers.Layer):', '    def __init__(self, **kwargs):', ...init, ...more, ''].join('\n');
  const cases = [
    'import keras\nclass B(keras.layers.Layer):\n    def __init__(self, name=None, **kwargs):\n        super().__init__(name=name or "b", **kwargs)\n',
    cls(['        super().__init__(name=kwargs.pop("name", "b"), **kwargs)']),
    cls(['        kwargs.pop("name", None)', '        super().__init__(name="b", **kwargs)']),
    cls(['        del kwargs["name"]', '        if True:', '            super().__init__(name="b", **kwargs)']),
    cls(['        super().__init__(name="b", **kwargs)'], ['    def get_config(self):', '        return {"units": 1}']),
    cls(['        super().__init__(name="b")']),
  ];
  for (const text of cases) assert.deepEqual(findings(text), [], text);
  // A pop only in a branch does not cover the call.
  only(cls(['        if kwargs:', '            kwargs.pop("name")', '        super().__init__(name="b", **kwargs)']));
});
