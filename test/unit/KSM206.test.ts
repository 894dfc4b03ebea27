import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM206');

before(() => initParser());

function only(text: string, settings?: Partial<AnalysisSettings>): Finding {
  const found = analyze(text, settings).filter((f) => f.code === 'KSM206');
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const scale = (getConfig: string[], init = ['    def __init__(self, factor=2.0, **kwargs):', '        super().__init__(**kwargs)', '        self.factor = factor']) =>
  ['import keras', 'class Scale(keras.layers.Layer):', ...init, '    def get_config(self):', ...getConfig, ''].join('\n');

test('KSM206 anchors on the get_config name; the message says what is lost, by version', () => {
  const text = scale(['        return {"factor": self.factor}']);
  const finding = only(text, { kerasVersion: '3' });
  assert.equal(finding.severity, 'information');
  assert.deepEqual(finding.range, { start: { line: 5, character: 8 }, end: { line: 5, character: 18 } });
  assert.equal(finding.message, '`Scale.get_config` builds its config without `super().get_config()`');
  assert.equal(
    finding.detail,
    'Nothing warns: the saved config lacks `name`, `trainable`, ' +
    '`dtype` and `activity_regularizer`, so the reloaded layer gets a new name, is trainable even if it was frozen, ' +
    'and falls back to the global dtype policy.',
  );
  assert.match(only(text, { kerasVersion: '2' }).detail ?? '', /lacks `name`, `trainable` and `dtype`, so/);
  assert.match(only(text, {}).detail ?? '', /lacks `name`, `trainable` and `dtype` \(and `activity_regularizer` under Keras 3\), so/);
  const loss = 'import keras\nclass L(keras.losses.Loss):\n    def get_config(self):\n        return {"w": 1}\n';
  assert.match(only(loss).detail ?? '', /lacks `name` and `reduction`, so the reloaded loss gets its default name and reduction \(a `reduction="sum"` reloads as the default\)\.$/);
});

test('KSM206 fix merges the base config into each returned value', () => {
  const text = scale(['        config = {"factor": self.factor}', '        if self.factor:', '            return config', '        return {}']);
  const [fix] = only(text).fixes;
  assert.equal(fix!.title, 'Start the config from `super().get_config()`');
  assert.equal(fix!.applicability, 'safe');
  assert.equal(applyEdits(text, fix!.edits), scale([
    '        config = {"factor": self.factor}', '        if self.factor:', '            return {**super().get_config(), **config}',
    '        return {**super().get_config()}',
  ]));
  const conditional = scale(['        return self.a if self.b else {}']);
  assert.equal(applyEdits(conditional, only(conditional).fixes[0]!.edits),
    scale(['        return {**super().get_config(), **(self.a if self.b else {})}']));
});

test('KSM206 fix also lets __init__ take the base keys that now come back', () => {
  const noKwargs = scale(['        return {"factor": self.factor}'], ['    def __init__(self, factor=2.0):', '        super().__init__(name="scale")', '        self.factor = factor']);
  const [fix] = only(noKwargs).fixes;
  assert.equal(fix!.title, 'Start the config from `super().get_config()` and let `__init__` take the base keys');
  assert.equal(fix!.applicability, 'safe');
  assert.equal(applyEdits(noKwargs, fix!.edits), scale(['        return {**super().get_config(), "factor": self.factor}'], [
    '    def __init__(self, factor=2.0, **kwargs):', '        kwargs.setdefault("name", "scale")', '        super().__init__(**kwargs)', '        self.factor = factor',
  ]));
  const duplicate = scale(['        return {"factor": self.factor}'], ['    def __init__(self, factor=2.0, **kwargs):', '        super().__init__(name="scale", trainable=False, **kwargs)']);
  assert.equal(applyEdits(duplicate, only(duplicate).fixes[0]!.edits), scale(['        return {**super().get_config(), "factor": self.factor}'], [
    '    def __init__(self, factor=2.0, **kwargs):', '        kwargs.setdefault("name", "scale")', '        kwargs.setdefault("trainable", False)', '        super().__init__(**kwargs)',
  ]));
  // No base call to forward to: the fix needs a check.
  const noBase = scale(['        return {}'], ['    def __init__(self):', '        self.factor = 1']);
  assert.equal(only(noBase).fixes[0]!.applicability, 'unsafe');
});

test('KSM206 is silent when any super() result is merged, and for bases with nothing to merge', () => {
  const cases = [
    scale(['        base = super(Scale, self).get_config()', '        return dict(list(base.items()) + [("f", 1)])']),
    scale(['        config = {"f": 1}', '        config.update(super().get_config())', '        return config']),
    scale(['        return keras.layers.Layer.get_config(self) | {"f": 1}']),
    'import keras\nclass R(keras.regularizers.Regularizer):\n    def get_config(self):\n        return {"l1": 1}\n',
    'import keras\nclass I(keras.initializers.Initializer):\n    def get_config(self):\n        return {}\n',
  ];
  for (const text of cases) assert.deepEqual(analyze(text).filter((f) => f.code === 'KSM206'), [], text);
});
