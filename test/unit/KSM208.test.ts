import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { Finding } from '../../server/src/engine/analysis/types';
import { analyze, describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM208');

before(() => initParser());

function only(text: string): Finding {
  const found = analyze(text).filter((f) => f.code === 'KSM208');
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
  return found[0]!;
}

const layer = (body: string[]) => ['import keras', 'class Scale(keras.layers.Layer):', '    def get_config(self):', ...body, ''].join('\n');

test('KSM208 anchors on the get_config name and names both save errors', () => {
  const text = layer(['        config = super().get_config()', '        config["factor"] = 2']);
  const finding = only(text);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.range, { start: { line: 2, character: 8 }, end: { line: 2, character: 18 } });
  assert.equal(finding.message, '`Scale.get_config` returns nothing, so every full-model save that uses it fails');
  assert.equal(
    finding.detail,
    '`.keras` saves ' +
    'raise "TypeError: The `get_config()` method of <obj> should return a dict. It returned: None", `.h5` and ' +
    'SavedModel saves that error or "AttributeError: \'NoneType\' object has no attribute \'items\'".',
  );
});

test('KSM208 appends `return config` at the body indentation, after a trailing block', () => {
  const text = layer(['        config = {"width": 3}', '        if self.trainable:', '            config["frozen"] = False']);
  const [fix] = only(text).fixes;
  assert.equal(fix!.title, 'Return `config` at the end of `get_config`');
  assert.equal(fix!.applicability, 'safe');
  assert.equal(applyEdits(text, fix!.edits), layer([
    '        config = {"width": 3}', '        if self.trainable:', '            config["frozen"] = False', '        return config',
  ]));
});

test('KSM208 replaces a final bare return or `return None`', () => {
  for (const last of ['return', 'return None']) {
    const text = layer(['        cfg = dict(size=1)', `        ${last}`]);
    assert.equal(applyEdits(text, only(text).fixes[0]!.edits), layer(['        cfg = dict(size=1)', '        return cfg']), last);
  }
});

test('KSM208 gives no fix when the config cannot be told, and shows the expected shape by base', () => {
  const two = only(layer(['        base = super().get_config()', '        extra = {}', '        base.update(extra)']));
  assert.deepEqual(two.fixes, []);
  assert.match(two.detail ?? '', / End it with `return \{\*\*super\(\)\.get_config\(\), …\}`\.$/);
  const schedule = [
    'import keras',
    'class WarmUp(keras.optimizers.schedules.LearningRateSchedule):',
    '    def get_config(self):',
    '        print("warm")',
    '',
  ].join('\n');
  assert.match(only(schedule).detail ?? '', / End it with a plain `return \{…\}`\.$/);
});

test('KSM208 is silent on abstract and raising methods and with any return value', () => {
  const cases = [
    layer(['        raise NotImplementedError']),
    layer(['        config = {}', '        if self.built:', '            return config']),
    'import abc\nimport keras\nclass S(keras.layers.Layer):\n    @abc.abstractmethod\n    def get_config(self):\n        pass\n',
    'class S:\n    def get_config(self):\n        pass\n',
  ];
  for (const text of cases) assert.deepEqual(analyze(text).filter((f) => f.code === 'KSM208'), [], text);
});

test('KSM206 is never reported on the method KSM208 reports', () => {
  const codes = analyze(layer(['        config = {"a": 1}'])).map((f) => f.code);
  assert.ok(codes.includes('KSM208'));
  assert.ok(!codes.includes('KSM206'));
});
