import type { SyntaxNode } from '../analysis/syntax';
import {
  baseConfigKeysOf, configFamily, dropsBaseKeys, duplicateKeywords, forwardingEdits, initForwarding, kerasBaseNode,
  ownGetConfig, setdefaultEdits, type GetConfigMethod,
} from '../analysis/config-methods';
import { modelsUsing } from '../analysis/custom-classes';
import type { FileFacts } from '../analysis/facts';
import type { ClassInfo } from '../analysis/semantic';
import { unparen } from '../analysis/semantic';
import { eolOf, indentOf, positionOf } from '../analysis/text';
import type { Fix, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const getConfigWithoutSuper: Rule = {
  code: 'KSM206',
  name: 'get-config-without-super',
  summary: 'A `get_config` builds its dict without `super().get_config()`, so the base keys are lost on reload',
  severity: 'information',
  fixSafety: 'safe or unsafe by case',
  check: 'custom-objects',
  docs: {
    what:
      'Flags the `get_config` of a custom layer or model, or of a `Loss` or `Metric` subclass, that returns a ' +
      'dict built without `super().get_config()`: it never calls it, or calls it and drops the result. A ' +
      'config merged from any `super()` call counts (`{**super().get_config(), …}`, ' +
      '`config.update(super(Cls, self).get_config())`, `dict(list(base.items()) + …)` of a `base` obtained so).',
    why:
      'Reloading builds the object from the saved config alone. A layer\'s base config holds `name`, ' +
      '`trainable` and `dtype` (and `activity_regularizer` under Keras 3): without them a frozen layer reloads ' +
      'trainable, and a mixed-precision policy falls back to the global one, silently. A loss loses `name` and ' +
      '`reduction` (a `reduction="sum"` reloads as the default), a metric `name` and `dtype`. Nothing raises: ' +
      'the reloaded model just behaves differently.',
    notFlagged:
      'Subclasses of `LearningRateSchedule`, `Regularizer`, `Constraint` and `Initializer` (their base ' +
      '`get_config` raises or returns `{}`, so there is nothing to merge); a `get_config` that merges a dict ' +
      'obtained from any `super()` call; a `get_config` that returns nothing (KSM208 reports it) or is abstract ' +
      '(`@abstractmethod`, or a body that ends in `raise`).',
    example: [
      'class Scale(keras.layers.Layer):',
      '    def __init__(self, factor=2.0, **kwargs):',
      '        super().__init__(**kwargs)',
      '        self.factor = factor',
      '',
      '    def get_config(self):',
      '        return {"factor": self.factor}',
    ].join('\n'),
    fixed: [
      'class Scale(keras.layers.Layer):',
      '    def __init__(self, factor=2.0, **kwargs):',
      '        super().__init__(**kwargs)',
      '        self.factor = factor',
      '',
      '    def get_config(self):',
      '        return {**super().get_config(), "factor": self.factor}',
    ].join('\n'),
    fix:
      '*Start the config from `super().get_config()`* (safe): each returned dict literal gets ' +
      '`**super().get_config()` as its first item, and any other returned value becomes ' +
      '`{**super().get_config(), **value}`. The base keys then reach `__init__` on reload, so the same fix makes ' +
      '`__init__` take them where it does not: it accepts and forwards `**kwargs` as KSM202\'s fix does, and ' +
      'turns a fixed `name=` (or another base key) next to `**kwargs` into `kwargs.setdefault(…)` as KSM207\'s ' +
      'does. When that cannot be done safely (`__init__` never calls its base, or hands `**kwargs` elsewhere ' +
      'too) the fix is unsafe.',
    references: [
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
      'https://keras.io/guides/making_new_layers_and_models_via_subclassing/',
    ],
  },
  run(context) {
    for (const cls of context.facts.classes.values()) checkClass(context, cls);
  },
};

function checkClass(context: RuleContext, cls: ClassInfo): void {
  const { facts } = context;
  const family = configFamily(facts, cls);
  if (family !== 'layer' && family !== 'loss' && family !== 'metric') return;
  const method = ownGetConfig(cls);
  // A method returning nothing is KSM208's.
  if (!method || method.abstract || method.valueReturns.length === 0 || method.mergesBase) return;
  const major = context.versions.at(kerasBaseNode(facts, cls)).major;
  const lost = family === 'loss'
    ? '`name` and `reduction`, so the reloaded loss gets its default name and reduction (a `reduction="sum"` reloads as the default)'
    : family === 'metric'
      ? '`name` and `dtype`, so the reloaded metric gets its default name and dtype'
      : `${major === 3 ? '`name`, `trainable`, `dtype` and `activity_regularizer`' : major === 2 ? '`name`, `trainable` and `dtype`' : '`name`, `trainable` and `dtype` (and `activity_regularizer` under Keras 3)'}, ` +
        'so the reloaded layer gets a new name, is trainable even if it was frozen, and falls back to the global dtype policy';
  const fix = mergeFix(facts, cls, method, baseConfigKeysOf(family));
  context.report({
    node: method.nameNode,
    severity: 'information',
    message: `\`${cls.name}.get_config\` builds its config without \`super().get_config()\``,
    detail: `Nothing warns: the saved config lacks ${lost}.`,
    fixes: fix ? [fix] : [],
    models: modelsUsing(facts, cls),
  });
}

const mergedBase = '**super().get_config()';

/** Values that can follow `**` in a dict display as they are. */
const unpackable = new Set(['identifier', 'call', 'attribute', 'subscript', 'dictionary', 'parenthesized_expression', 'dictionary_comprehension']);

function mergeFix(facts: FileFacts, cls: ClassInfo, method: GetConfigMethod, keys: readonly string[]): Fix | undefined {
  const edits: TextEdit[] = [];
  for (const ret of method.valueReturns) {
    const value = ret.namedChildren.find((c) => c.type !== 'comment')!;
    edits.push(mergedInto(value, facts.text));
  }
  // The base keys now reach `__init__` on reload: it must take them, and not twice.
  let safe = true;
  let alsoInit = false;
  const forwarding = initForwarding(cls);
  if (forwarding && dropsBaseKeys(forwarding, keys)) {
    const forward = forwardingEdits(facts, cls, forwarding);
    if (forward) edits.push(...forward.edits);
    safe = forward !== undefined && !forward.addsBaseCall && !forward.usedElsewhere;
    alsoInit = true;
  } else if (forwarding) {
    const kwargs = forwarding.signature.varKwargs!;
    const byCall = new Map<SyntaxNode, SyntaxNode[]>();
    for (const d of duplicateKeywords(forwarding, keys)) byCall.set(d.call, [...(byCall.get(d.call) ?? []), d.keyword]);
    for (const [call, keywords] of byCall) {
      const defaults = setdefaultEdits(call, keywords, kwargs, facts.text);
      if (defaults) edits.push(...defaults);
      else safe = false;
      alsoInit = true;
    }
  }
  const title = `Start the config from \`super().get_config()\`${alsoInit ? ' and let `__init__` take the base keys' : ''}` +
    (safe ? '' : ' (check `__init__`: it must accept and forward `**kwargs`)');
  return { title, applicability: safe ? 'safe' : 'unsafe', edits, preferred: true };
}

/** `{"a": 1}` → `{**super().get_config(), "a": 1}`; any other value `v` → `{**super().get_config(), **v}`. */
function mergedInto(value: SyntaxNode, text: string): TextEdit {
  const inner = unparen(value);
  if (inner.type === 'dictionary') {
    const first = inner.namedChildren.find((c) => c.type !== 'comment');
    if (!first) return { range: { start: positionOf(inner.startPosition), end: positionOf(inner.endPosition) }, newText: `{${mergedBase}}` };
    const at = positionOf(first.startPosition);
    const separator = first.startPosition.row === inner.startPosition.row ? ' ' : eolOf(text) + indentOf(first, text);
    return { range: { start: at, end: at }, newText: `${mergedBase},${separator}` };
  }
  const unpacked = unpackable.has(value.type) ? value.text : `(${value.text})`;
  return { range: { start: positionOf(value.startPosition), end: positionOf(value.endPosition) }, newText: `{${mergedBase}, **${unpacked}}` };
}
