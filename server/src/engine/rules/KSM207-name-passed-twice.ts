import {
  baseConfigKeysOf, baseKeysReachingInit, configFamily, duplicateKeywords, initForwarding, setdefaultEdits,
  type DuplicateKeyword,
} from '../analysis/config-methods';
import { modelsUsing } from '../analysis/custom-classes';
import type { ClassInfo } from '../analysis/semantic';
import { nodeRange } from '../analysis/text';
import type { Fix } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const namePassedTwice: Rule = {
  code: 'KSM207',
  name: 'name-passed-twice',
  summary: 'A base `__init__` call passes both `**kwargs` and a fixed `name=` (or another key the saved config holds)',
  severity: 'error',
  fixSafety: 'safe',
  check: 'custom-objects',
  docs: {
    what:
      'Flags a keyword of a base `__init__` call (`super().__init__(…)`, `super(Cls, self).__init__(…)`, ' +
      '`Base.__init__(self, …)`) in the `__init__` of a custom layer or model, or of a `Loss` or `Metric` ' +
      'subclass, when that `__init__` takes `**kwargs`, the call also unpacks them, and the keyword is one the ' +
      'base config always holds: `name`, `trainable` or `dtype` for layers and models, `name` or `reduction` for ' +
      'losses, `name` or `dtype` for metrics. A string literal, an f-string or any other value counts ' +
      '(`super().__init__(name="FeaturePyramid", **kwargs)`).',
    why:
      'The saved config always holds the key, and reloading calls `cls(**config)`: the key arrives in `kwargs` ' +
      'and the base call receives it twice. Python raises "TypeError: …__init__() got multiple values for ' +
      'keyword argument \'name\'", which Keras 3 wraps in "Error when deserializing class \'FeaturePyramid\' …" ' +
      'and "<class \'FeaturePyramid\'> could not be deserialized properly …". `clone_model` fails the same way, ' +
      'and so does any construction that passes the key (`FeaturePyramid(name="fp")`). For a loss or metric it ' +
      'is the reload of the compiled model that fails.',
    notFlagged:
      'A key that is a parameter of the `__init__` itself (`name=name`: the config\'s `name` then goes to the ' +
      'parameter, never into `kwargs`); `name=kwargs.pop("name", …)`; a `kwargs.pop("name", …)` or ' +
      '`del kwargs["name"]` before the call on every path to it; a class whose own `get_config` returns a ' +
      'config without the key (built without `super().get_config()`, which KSM206 reports) or whose own ' +
      '`from_config` does not pass it to the constructor; an `__init__` that does not unpack `**kwargs` into ' +
      'the call (KSM202\'s case); classes of other bases.',
    example: [
      'class FeaturePyramid(keras.layers.Layer):',
      '    def __init__(self, backbone, **kwargs):',
      '        super().__init__(name="FeaturePyramid", **kwargs)',
      '        self.backbone = backbone',
    ].join('\n'),
    fixed: [
      'class FeaturePyramid(keras.layers.Layer):',
      '    def __init__(self, backbone, **kwargs):',
      '        kwargs.setdefault("name", "FeaturePyramid")',
      '        super().__init__(**kwargs)',
      '        self.backbone = backbone',
    ].join('\n'),
    fix:
      '*Make the keyword a default of `kwargs`* (safe): removes it from the call and inserts ' +
      '`kwargs.setdefault("name", <value>)` before the call, leaving `super().__init__(**kwargs)`. Without a ' +
      'caller\'s `name` the object gets the same name as before; a caller\'s `name`, which raised before, now wins.',
    references: [
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
      'https://docs.python.org/3/reference/expressions.html#calls',
    ],
  },
  run(context) {
    for (const cls of context.facts.classes.values()) checkClass(context, cls);
  },
};

const familyNouns = { layer: 'layer', loss: 'loss', metric: 'metric' } as const;

function checkClass(context: RuleContext, cls: ClassInfo): void {
  const { facts } = context;
  const family = configFamily(facts, cls);
  if (family !== 'layer' && family !== 'loss' && family !== 'metric') return;
  const forwarding = initForwarding(cls);
  const kwargs = forwarding?.signature.varKwargs;
  if (!forwarding || kwargs === undefined) return;
  const reaching = baseKeysReachingInit(facts, cls);
  const keys = baseConfigKeysOf(family).filter((k) => reaching.has(k));
  for (const duplicate of duplicateKeywords(forwarding, keys)) {
    const { keyword, key } = duplicate;
    const shown = keyword.text.length <= 30 && !keyword.text.includes('\n') ? `\`${keyword.text}\`` : `\`${key}=…\``;
    const reload = family === 'layer'
      ? `reloading calls \`${cls.name}(**config)\``
      : `reloading a model compiled with it calls \`${cls.name}(**config)\``;
    context.report({
      node: keyword,
      severity: 'error',
      message: `\`${cls.name}.__init__\` passes ${shown} and \`**${kwargs}\` to the base \`__init__\``,
      detail:
        `The saved config of a ${familyNouns[family]} always holds \`${key}\`: ${reload}, \`${key}\` arrives in \`${kwargs}\` too, and ` +
        `Python raises "TypeError: …__init__() got multiple values for keyword argument '${key}'" (Keras 3 wraps it ` +
        `in "Error when deserializing class '${cls.name}' …"); \`clone_model\` and \`${cls.name}(${key}=…)\` fail the same way.`,
      related: [{ range: nodeRange(cls.nameNode), message: `\`${cls.name}\` is defined here` }],
      fixes: fixFor(context, duplicate, kwargs),
      models: modelsUsing(facts, cls),
    });
  }
}

function fixFor(context: RuleContext, duplicate: DuplicateKeyword, kwargs: string): Fix[] {
  const { call, keyword, key } = duplicate;
  const edits = setdefaultEdits(call, [keyword], kwargs, context.facts.text);
  const value = keyword.childForFieldName('value')!.text;
  const shown = value.length <= 40 && !value.includes('\n') ? value : '…';
  return edits
    ? [{ title: `Make \`${key}\` a default: \`${kwargs}.setdefault("${key}", ${shown})\``, applicability: 'safe', edits, preferred: true }]
    : [];
}
