import type { SyntaxNode } from '../analysis/syntax';
import {
  assignmentTypes, baseConfigKeys, baseMethodCalls, callTypes, configuredBase, initSignature, modelsUsing,
  type InitSignature,
} from '../analysis/custom-classes';
import { mentionsName, methodOf, nodesWithin, type ClassInfo } from '../analysis/semantic';
import { appendArgument, appendParameter, insertAtBodyStart, insertBefore, replaceNode, statementOf } from '../analysis/edits';
import { isKerasLayerClass, isKerasModelClass, ownNodes, type FileFacts } from '../analysis/facts';
import { nodeRange, stringValue } from '../analysis/text';
import type { Fix, TextEdit } from '../analysis/types';
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
      '`trainable` and `dtype` as parameters; classes whose `get_config` builds the config without ' +
      '`super().get_config()` and without those keys, or whose `from_config` never calls `cls(**config)` or the ' +
      'base `from_config`, since then the keys never reach `__init__`; classes that do not derive from Keras.',
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
      'becomes a default instead: `kwargs.setdefault("name", "encoder")` before the call. The fix is unsafe ' +
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
  const signature = initSignature(cls);
  if (!signature || !configReachesInit(cls)) return;
  const named = new Set(signature.params.map((p) => p.name));
  const missingKey = baseConfigKeys.find((k) => !named.has(k));
  const kwargs = signature.varKwargs;
  const baseCalls = baseMethodCalls(signature.definition, '__init__', signature.selfName);
  const unforwarded = kwargs === undefined ? baseCalls : baseCalls.filter((call) => !forwardsKwargs(call, kwargs, signature));
  if (kwargs === undefined ? missingKey === undefined : baseCalls.length > 0 && unforwarded.length === 0) return;

  const noun = isKerasModelClass(cls) ? 'model' : 'layer';
  const callsBase = baseCalls.length > 0 ? '' : ` (and it never calls \`super().__init__\`, which Keras needs)`;
  const message = kwargs === undefined
    ? `\`${cls.name}.__init__\` does not accept \`**kwargs\`, but the saved config always holds \`name\`, \`trainable\` ` +
      `and \`dtype\`: reloading calls \`${cls.name}(**config)\`, which raises "TypeError: ${cls.name}.__init__() got an ` +
      `unexpected keyword argument '${missingKey}'"${callsBase}`
    : baseCalls.length > 0
      ? `\`${cls.name}.__init__\` accepts \`**${kwargs}\` but does not pass them to \`super().__init__\`: the reloaded ` +
        `${noun} loses its saved \`name\`, \`trainable\` and \`dtype\``
      : `\`${cls.name}.__init__\` accepts \`**${kwargs}\` but never calls \`super().__init__(**${kwargs})\`: Keras needs ` +
        `the base set up, and the reloaded ${noun} loses its saved \`name\`, \`trainable\` and \`dtype\``;
  const fix = forwardFix(facts, cls, signature, unforwarded, baseCalls.length === 0);
  context.report({
    node: signature.nameNode,
    severity: 'warning',
    message,
    related: unforwarded.map((call) => ({ range: nodeRange(call), message: `the base \`__init__\` is called here without \`**${kwargs ?? 'kwargs'}\`` })),
    fixes: fix ? [fix] : [],
    models: modelsUsing(facts, cls),
  });
}

/**
 * Whether the saved config's base keys reach `__init__` on reload. They do not when the class's
 * own `get_config` neither starts from the base config nor writes those keys, or when its own
 * `from_config` builds the object without `cls(**config)` or the base `from_config`.
 */
function configReachesInit(cls: ClassInfo): boolean {
  const getConfig = methodOf(cls, 'get_config');
  if (getConfig) {
    const callsBase = baseMethodCalls(getConfig, 'get_config', firstParameter(getConfig) ?? 'self').length > 0;
    const writesKeys = nodesWithin(getConfig, 'string').some((s) => baseConfigKeys.includes(stringValue(s) ?? ''));
    if (!callsBase && !writesKeys) return false;
  }
  const fromConfig = methodOf(cls, 'from_config');
  if (fromConfig) {
    const passesWhole = ownNodes(fromConfig, callTypes).some((node) => {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'from_config') return true;
      const splats = node.childForFieldName('arguments')?.namedChildren.some((a) => a.type === 'dictionary_splat');
      return (fn?.text === 'cls' || fn?.text === cls.name) && splats === true;
    });
    if (!passesWhole) return false;
  }
  return true;
}

function firstParameter(definition: SyntaxNode): string | undefined {
  const first = definition.childForFieldName('parameters')?.namedChildren.find((p) => p.type === 'identifier');
  return first?.text;
}

/** True when a base `__init__` call passes `**kwargs` on, directly or through a dict built from it in `__init__`. */
function forwardsKwargs(call: SyntaxNode, kwargs: string, signature: InitSignature): boolean {
  const mentions = (node: SyntaxNode) => mentionsName(node, kwargs);
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type !== 'dictionary_splat') continue;
    if (mentions(arg)) return true;
    const name = arg.firstNamedChild;
    if (name?.type !== 'identifier') continue;
    const derived = ownNodes(signature.definition, assignmentTypes).some((node) => {
      const value = node.childForFieldName('left')?.text === name.text ? node.childForFieldName('right') : null;
      return value ? mentions(value) : false;
    });
    if (derived) return true;
  }
  return false;
}

const splatTypes: ReadonlySet<string> = new Set(['dictionary_splat']);

function forwardFix(facts: FileFacts, cls: ClassInfo, signature: InitSignature, unforwarded: SyntaxNode[], noBaseCall: boolean): Fix | undefined {
  // Code that does not parse gives no sure place to write.
  if (cls.node.hasError) return undefined;
  const text = facts.text;
  const named = new Set(signature.params.map((p) => p.name));
  const kwargs = signature.varKwargs ?? (named.has('kwargs') || signature.varArgs === 'kwargs' ? 'base_kwargs' : 'kwargs');
  const edits: TextEdit[] = [];
  if (!signature.varKwargs) {
    const added = appendParameter(signature.definition, `**${kwargs}`);
    if (!added) return undefined;
    edits.push(added);
  }
  if (noBaseCall) {
    // First thing, since Keras needs its base set up before attributes are assigned.
    const call = insertAtBodyStart(signature.definition, [`super().__init__(**${kwargs})`], text);
    if (!call) return undefined;
    edits.push(call);
  }
  for (const call of unforwarded) {
    const forwarded = forwardEdits(call, kwargs, named, configuredBase(cls) !== undefined, text);
    if (!forwarded) return undefined;
    edits.push(...forwarded);
  }
  // `**kwargs` also handed to something else would now reach the base as well.
  const usedElsewhere = signature.varKwargs !== undefined && ownNodes(signature.definition, splatTypes).some((node) =>
    mentionsName(node, kwargs) &&
    !unforwarded.some((call) => call.startIndex <= node.startIndex && node.endIndex <= call.endIndex));
  const title = !signature.varKwargs
    ? noBaseCall
      ? `Accept \`**${kwargs}\` and call \`super().__init__(**${kwargs})\` (check that nothing else sets up the base)`
      : `Accept \`**${kwargs}\` and pass them to \`super().__init__\``
    : noBaseCall
      ? `Call \`super().__init__(**${kwargs})\` (check that nothing else sets up the base)`
      : usedElsewhere
        ? `Pass \`**${kwargs}\` to \`super().__init__\` (check: they are also passed elsewhere)`
        : `Pass \`**${kwargs}\` to \`super().__init__\``;
  return { title, applicability: noBaseCall || usedElsewhere ? 'unsafe' : 'safe', edits, preferred: true };
}

/**
 * Appends `**kwargs` to a base `__init__` call. A keyword the call sets itself that the saved
 * config may also hold would arrive twice, so it becomes a default of `kwargs` first.
 */
function forwardEdits(call: SyntaxNode, kwargs: string, named: Set<string>, builtInBase: boolean, text: string): TextEdit[] | undefined {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  const items = args.namedChildren.filter((a) => a.type !== 'comment');
  const clashes = items.filter((a) => {
    const key = a.type === 'keyword_argument' ? a.childForFieldName('name')?.text : undefined;
    return key !== undefined && !named.has(key) && (builtInBase || baseConfigKeys.includes(key));
  });
  if (clashes.length === 0) {
    const edit = appendArgument(call, `**${kwargs}`);
    return edit ? [edit] : undefined;
  }
  const defaults = clashes.map((a) => `${kwargs}.setdefault("${a.childForFieldName('name')!.text}", ${a.childForFieldName('value')!.text})`);
  const before = insertBefore(statementOf(call), defaults, text);
  if (!before) return undefined;
  const kept = items.filter((a) => !clashes.some((c) => c.id === a.id)).map((a) => a.text);
  return [before, replaceNode(args, `(${[...kept, `**${kwargs}`].join(', ')})`)];
}
