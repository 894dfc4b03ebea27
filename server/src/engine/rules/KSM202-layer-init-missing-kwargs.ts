import { modelsUsing } from '../analysis/custom-classes';
import { baseKeysReachingInit, dropsBaseKeys, forwardingEdits, initForwarding, type ForwardingEdits } from '../analysis/config-methods';
import type { ClassInfo } from '../analysis/semantic';
import { isKerasLayerClass, isKerasModelClass } from '../analysis/facts';
import { nodeRange } from '../analysis/text';
import type { Fix } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const layerInitMissingKwargs: Rule = {
  code: 'KSM202',
  name: 'layer-init-missing-kwargs',
  summary: 'A custom layer or model `__init__` does not accept `**kwargs` or does not pass them to `super().__init__`',
  severity: 'warning',
  fixSafety: 'safe or unsafe by case',
  check: 'custom-objects',
  docs: {
    what:
      'Flags the `__init__` of a class deriving from a Keras `Layer` or `Model` (directly, through a built-in ' +
      'layer, or through another class of the same file) that does not accept `**kwargs`, or accepts them but ' +
      'does not pass them to `super().__init__` (or `super(Cls, self).__init__`, or `Base.__init__(self, ...)`). ' +
      'An `__init__(self)` with no parameters at all is flagged too.',
    why:
      'The config that Keras saves for every layer and model holds `name`, `trainable` and `dtype`, whatever ' +
      '`get_config` adds, and reloading calls `cls(**config)`. Without `**kwargs` that call fails: "TypeError: ' +
      'Scale.__init__() got an unexpected keyword argument \'name\'" (Keras 3 wraps it in "<class \'Scale\'> could ' +
      'not be deserialized properly."). With `**kwargs` that never reach `super().__init__`, the reloaded object ' +
      'silently loses its saved name, dtype and trainable state.',
    notFlagged:
      'Classes without an `__init__` of their own (the base\'s is used); an `__init__` that names `name`, ' +
      '`trainable` and `dtype` as parameters; classes whose own `get_config` does not start from ' +
      '`super().get_config()` (no call to it, or its result not used), since their config then holds no `name`, ' +
      '`trainable` or `dtype` (KSM206 reports that `get_config`; only a key it writes itself, `"name": self.name`, ' +
      'still counts); classes whose `from_config` never calls `cls(**config)` or the base `from_config`, since ' +
      'then the keys never reach `__init__`; classes that do not derive from Keras.',
    example: [
      'class Scale(keras.layers.Layer):',
      '    def __init__(self, factor):',
      '        super().__init__()',
      '        self.factor = factor',
    ].join('\n'),
    fixed: [
      'class Scale(keras.layers.Layer):',
      '    def __init__(self, factor, **kwargs):',
      '        super().__init__(**kwargs)',
      '        self.factor = factor',
    ].join('\n'),
    fix:
      '*Accept `**kwargs` and pass them to `super().__init__`* (safe): adds `**kwargs` to the signature when ' +
      'it is missing and appends it to each base `__init__` call that lacks it. A keyword that such a call ' +
      'sets itself and that the saved config also holds (`name="encoder"`) would then arrive twice, so it ' +
      'becomes a default instead: `kwargs.setdefault("name", "encoder")` before the call, so that forwarding ' +
      '`**kwargs` does not pass it twice (KSM207). The fix is unsafe ' +
      'when `__init__` never calls the base `__init__` (the fix then calls `super().__init__(**kwargs)` first ' +
      'thing, after any docstring, since Keras needs the base set up before attributes are assigned; check ' +
      'that nothing else already does it) and when `**kwargs` is also passed elsewhere, which would now get ' +
      'the same values as the base.',
    references: [
      'https://keras.io/guides/making_new_layers_and_models_via_subclassing/',
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
    ],
  },
  run(context) {
    for (const cls of context.facts.classes.values()) checkClass(context, cls);
  },
};

function checkClass(context: RuleContext, cls: ClassInfo): void {
  const { facts } = context;
  if (!isKerasLayerClass(cls)) return;
  const forwarding = initForwarding(cls);
  const keys = forwarding ? baseKeysReachingInit(facts, cls) : undefined;
  if (!forwarding || !keys || keys.size === 0) return;
  const { signature, baseCalls, unforwarded } = forwarding;
  const named = new Set(signature.params.map((p) => p.name));
  const missingKey = [...keys].find((k) => !named.has(k));
  const kwargs = signature.varKwargs;
  if (!dropsBaseKeys(forwarding, keys)) return;

  const noun = isKerasModelClass(cls) ? 'model' : 'layer';
  const callsBase = baseCalls.length > 0 ? '' : ` (and it never calls \`super().__init__\`, which Keras needs)`;
  const message = kwargs === undefined
    ? `\`${cls.name}.__init__\` does not accept \`**kwargs\``
    : baseCalls.length > 0
      ? `\`${cls.name}.__init__\` does not pass \`**${kwargs}\` to \`super().__init__\``
      : `\`${cls.name}.__init__\` never calls \`super().__init__(**${kwargs})\``;
  const detail = kwargs === undefined
    ? `The saved config always holds \`name\`, \`trainable\` and \`dtype\`: reloading calls \`${cls.name}(**config)\`, ` +
      `which raises "TypeError: ${cls.name}.__init__() got an unexpected keyword argument '${missingKey}'"${callsBase}.`
    : baseCalls.length > 0
      ? `The reloaded ${noun} loses its saved \`name\`, \`trainable\` and \`dtype\`.`
      : `Keras needs the base set up, and the reloaded ${noun} loses its saved \`name\`, \`trainable\` and \`dtype\`.`;
  const edits = forwardingEdits(facts, cls, forwarding);
  context.report({
    node: signature.nameNode,
    severity: 'warning',
    message,
    detail,
    related: unforwarded.map((call) => ({ range: nodeRange(call), message: `the base \`__init__\` is called here without \`**${kwargs ?? 'kwargs'}\`` })),
    fixes: edits ? [forwardFix(edits, signature.varKwargs !== undefined)] : [],
    models: modelsUsing(facts, cls),
  });
}

function forwardFix(forward: ForwardingEdits, accepted: boolean): Fix {
  const { kwargs, addsBaseCall, usedElsewhere } = forward;
  const title = !accepted
    ? addsBaseCall
      ? `Accept \`**${kwargs}\` and call \`super().__init__(**${kwargs})\` (check that nothing else sets up the base)`
      : `Accept \`**${kwargs}\` and pass them to \`super().__init__\``
    : addsBaseCall
      ? `Call \`super().__init__(**${kwargs})\` (check that nothing else sets up the base)`
      : usedElsewhere
        ? `Pass \`**${kwargs}\` to \`super().__init__\` (check: they are also passed elsewhere)`
        : `Pass \`**${kwargs}\` to \`super().__init__\``;
  return { title, applicability: addsBaseCall || usedElsewhere ? 'unsafe' : 'safe', edits: forward.edits, preferred: true };
}
