import type { SyntaxNode } from '../analysis/syntax';
import {
  annotatesKerasClass, argumentSites, baseConfigKeys, baseMethodCalls, configuredBase, hasForeignBase,
  holdsKerasObject, importBesideKerasBase, initSignature, modelsUsing, selfAttributes, storedAttribute, valueKind,
  type InitParameter, type InitSignature,
} from '../analysis/custom-classes';
import { fromConfigLines } from '../analysis/custom-objects';
import { methodOf, type ClassInfo } from '../analysis/semantic';
import { insertAfter, insertAtBodyStart, joinInsertions, statementOf } from '../analysis/edits';
import { callArguments, isKerasLayerClass, type FileFacts } from '../analysis/facts';
import { indentOf, nodeRange } from '../analysis/text';
import type { Fix, RelatedLocation, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const layerMissingGetConfig: Rule = {
  code: 'KSM201',
  name: 'layer-missing-get-config',
  summary: 'A custom layer or model takes `__init__` arguments but defines no `get_config()`',
  severity: 'error when an argument can receive a non-literal value or the base layer has a config of its own; warning otherwise',
  fixSafety: 'safe',
  check: 'custom-objects',
  docs: {
    what:
      'Flags a class that derives from a Keras `Layer` or `Model` (directly, through a built-in layer such as ' +
      '`Dense`, or through another class of the same file) whose `__init__` takes parameters other than ' +
      '`self`, `*args` and `**kwargs`, when neither the class nor any in-file base defines `get_config`.\n\n' +
      'It is an **error** when some parameter can receive a value that is not a plain Python literal: its ' +
      'default is a call, an object, a comprehension or a lambda; an instantiation in the file passes such a ' +
      'value (names are followed to what they are bound to); or an instantiation passes more positional values ' +
      'than there are named parameters, which `*args` swallows and the automatic config loses. It is an error ' +
      'too when the class derives from a built-in layer such as `Dense` or from `Sequential`: those define ' +
      '`get_config` themselves, so Keras never builds an automatic config and the extra arguments are simply ' +
      'missing from the saved file. It is a **warning** when every value is a plain literal: Keras 2.11 and ' +
      'later, and Keras 3, rebuild those automatically, but saving fails as soon as one non-literal value is ' +
      'passed, and always under Keras 2.10 and earlier.\n\n' +
      'The `kerasVersion` setting does not change the level: "Keras 2" covers 2.0 to 2.15, and neither the ' +
      'setting nor the code tells 2.10 from 2.15, so a literal-only class stays a warning whose explanation names ' +
      'both behaviours.',
    why:
      'A layer without `get_config` cannot be written to `.keras` or `.h5` once one of its arguments is not a ' +
      'plain literal. Keras 3 raises "Object X was created by passing non-serializable argument values in ' +
      '`__init__()`, and therefore the object must override `get_config()` in order to be serializable. Please ' +
      'implement `get_config()`." (Keras 2.11 to 2.15: "Layer X was created by passing ..."); Keras 2.7 to ' +
      '2.10 raise for any argument: "Layer X has arguments [\'self\', \'units\'] in `__init__` and therefore ' +
      'must override `get_config()`." Keras 2\'s SavedModel format swallows the error and reloads a generic ' +
      'object rebuilt from traced functions instead of your class, so the class is lost without a word.',
    notFlagged:
      'Classes whose `__init__` takes nothing beyond `self`, `*args` and `**kwargs` (the base `get_config` ' +
      'is enough); classes with `get_config` anywhere in their in-file ancestry; parameters passed on to ' +
      '`super().__init__` under their own name when the base records them (`name`, `trainable`, `dtype`, or ' +
      'any argument of a built-in base layer); classes that do not derive from Keras (a `torch.nn.Module`, a ' +
      'class of your own named `Layer`); classes that also derive from a class imported from another library, ' +
      'which may supply `get_config`.',
    example: [
      'class Scale(keras.layers.Layer):',
      '    def __init__(self, factor, inner=None, **kwargs):',
      '        super().__init__(**kwargs)',
      '        self.factor = factor',
      '        self.inner = inner or keras.layers.Dense(4)',
      '',
      '    def call(self, x):',
      '        return self.inner(x) * self.factor',
      '',
      '',
      'layer = Scale(2.0, inner=keras.layers.Dense(8))',
    ].join('\n'),
    fixed: [
      'class Scale(keras.layers.Layer):',
      '    def __init__(self, factor, inner=None, **kwargs):',
      '        super().__init__(**kwargs)',
      '        self._inner = inner',
      '        self.factor = factor',
      '        self.inner = inner or keras.layers.Dense(4)',
      '',
      '    def get_config(self):',
      '        config = super().get_config()',
      '        config.update({',
      '            "factor": self.factor,',
      '            "inner": keras.saving.serialize_keras_object(self._inner),',
      '        })',
      '        return config',
      '',
      '    @classmethod',
      '    def from_config(cls, config):',
      '        config["inner"] = keras.saving.deserialize_keras_object(config["inner"])',
      '        return cls(**config)',
      '',
      '    def call(self, x):',
      '        return self.inner(x) * self.factor',
      '',
      '',
      'layer = Scale(2.0, inner=keras.layers.Dense(8))',
    ].join('\n'),
    fix:
      '*Add `get_config()`* (safe). The method starts from `super().get_config()` and adds each `__init__` ' +
      'parameter under its own name, read from the attribute `__init__` stores it in (`self.units = units` ' +
      'gives `"units": self.units`; `self._n = n` gives `"n": self._n`). A parameter that `__init__` never ' +
      'stores as it was passed is stored first, right after the `super().__init__(...)` call, in an attribute ' +
      'the class does not use yet. A parameter that holds a layer or another Keras object (by its default, ' +
      'its annotation or a value passed in the file) is written with `keras.saving.serialize_keras_object`, ' +
      'and a `from_config` classmethod that deserializes it is added unless the class has one. Both names are ' +
      'spelled through the file\'s own Keras import, or imported from the package the class\'s base comes ' +
      'from. The methods go right after `__init__`, so that each parameter and its config entry can be read ' +
      'together, at the class\'s indentation and with the file\'s line endings.',
    references: [
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
      'https://keras.io/api/models/model_saving_apis/serialization_utils/',
      'https://github.com/keras-team/keras-io/issues/894',
      'https://github.com/tensorflow/tensorflow/issues/33947',
    ],
  },
  run(context) {
    for (const cls of context.facts.classes.values()) checkClass(context, cls);
  },
};

interface ConfigParameter {
  param: InitParameter;
  /** Written with `serialize_keras_object`. */
  kerasObject: boolean;
}

interface Reason {
  node: SyntaxNode;
  message: string;
  /** What the diagnostic says about it. */
  summary: string;
  nonLiteral: boolean;
}

function checkClass(context: RuleContext, cls: ClassInfo): void {
  const { facts } = context;
  if (!isKerasLayerClass(cls)) return;
  const signature = initSignature(cls);
  if (!signature || methodOf(cls, 'get_config') || hasForeignBase(facts, cls)) return;
  const builtIn = configuredBase(cls);
  const baseCalls = baseMethodCalls(signature.definition, '__init__', signature.selfName);
  const params = signature.params.filter((p) => !recordedByBase(baseCalls, p, builtIn !== undefined));
  if (params.length === 0) return;

  const reasons: Reason[] = [];
  const kerasObjects = new Set<string>();
  for (const param of params) {
    if (param.defaultValue && valueKind(facts, param.defaultValue) === 'non-literal') {
      reasons.push({
        node: param.defaultValue,
        message: `\`${param.name}\` defaults to a non-literal value`,
        summary: `\`${param.name}\` defaults to a non-literal value`,
        nonLiteral: true,
      });
    }
    if ((param.defaultValue && holdsKerasObject(facts, param.defaultValue)) || (param.annotation && annotatesKerasClass(facts, param.annotation))) {
      kerasObjects.add(param.name);
    }
  }
  const positionalParams = signature.params.filter((p) => p.positional);
  for (const site of argumentSites(facts, cls)) {
    const passed: Array<[InitParameter, SyntaxNode]> = [];
    site.positional.forEach((value, i) => {
      const param = positionalParams[i];
      if (param) passed.push([param, value]);
    });
    for (const [key, value] of site.keywords) {
      const param = signature.params.find((p) => p.name === key);
      if (param) passed.push([param, value]);
    }
    for (const [param, value] of passed) {
      if (!params.includes(param)) continue;
      if (holdsKerasObject(facts, value)) kerasObjects.add(param.name);
      if (valueKind(facts, value) !== 'non-literal') continue;
      reasons.push({
        node: value,
        message: `a non-literal value is passed for \`${param.name}\` here`,
        summary: `\`${param.name}\` receives a non-literal value`,
        nonLiteral: true,
      });
    }
    const extra = site.positional[positionalParams.length];
    if (signature.varArgs && !site.hasListSplat && extra) {
      reasons.push({
        node: extra,
        message: `more positional values than named parameters: \`*${signature.varArgs}\` takes this one, and the automatic config loses it`,
        summary: `an instantiation passes values to \`*${signature.varArgs}\``,
        nonLiteral: false,
      });
    }
  }

  const names = params.map((p) => `\`${p.name}\``).join(', ');
  const nonLiteral = reasons.find((r) => r.nonLiteral);
  let message: string;
  let detail: string;
  if (builtIn) {
    message = `\`${cls.name}\` adds \`__init__\` arguments that its inherited \`get_config()\` does not record`;
    detail =
      `The \`get_config()\` inherited from \`${builtIn}\` does not record ${names}: the reloaded object is rebuilt ` +
      'without them, which fails or silently uses the defaults.';
  } else {
    message = `\`${cls.name}\` has no \`get_config()\` to record its \`__init__\` arguments`;
    const takes = `It takes ${names}`;
    if (nonLiteral) {
      detail = `${takes}, and ${nonLiteral.summary}: saving raises "... must override \`get_config()\` in order to be serializable".`;
    } else if (reasons[0]) {
      detail = `${takes}, and ${reasons[0].summary}: the automatic config loses those values, so the reloaded object is built differently.`;
    } else {
      detail =
        `${takes}. Keras 3 and Keras 2.11 or later rebuild plain literal arguments by themselves, but saving fails ` +
        'as soon as one non-literal value is passed, and always under Keras 2.10 or earlier.';
    }
  }
  const related: RelatedLocation[] = [
    ...params.map((p) => ({ range: nodeRange(p.node), message: `\`${p.name}\` must be in the config` })),
    ...reasons.map((r) => ({ range: nodeRange(r.node), message: r.message })),
  ];
  const fix = getConfigFix(facts, cls, signature, params.map((param) => ({ param, kerasObject: kerasObjects.has(param.name) })));
  context.report({
    node: cls.nameNode,
    severity: builtIn || reasons.length > 0 ? 'error' : 'warning',
    message,
    detail,
    related,
    fixes: fix ? [fix] : [],
    models: modelsUsing(facts, cls),
  });
}

/**
 * A parameter passed on to the base `__init__` under its own name is in the base's config
 * already: for any base, when it is one of the base keys; for a built-in layer, any of its
 * arguments (given by keyword or, for want of its signature, by position).
 */
function recordedByBase(baseCalls: SyntaxNode[], param: InitParameter, builtIn: boolean): boolean {
  for (const call of baseCalls) {
    const { positional, keywords } = callArguments(call);
    if (keywords.get(param.name)?.text === param.name && (builtIn || baseConfigKeys.includes(param.name))) return true;
    if (builtIn && positional.some((v) => v.type === 'identifier' && v.text === param.name)) return true;
  }
  return false;
}

/** Attributes a Keras layer or model defines itself, which a stored parameter must not replace. */
const reservedAttributes = new Set([
  'name', 'dtype', 'trainable', 'built', 'weights', 'trainable_weights', 'non_trainable_weights', 'variables',
  'trainable_variables', 'non_trainable_variables', 'losses', 'metrics', 'input', 'output', 'input_shape',
  'output_shape', 'input_spec', 'dtype_policy', 'compute_dtype', 'variable_dtype', 'supports_masking', 'stateful',
  'activity_regularizer', 'layers', 'optimizer', 'loss', 'updates', 'dynamic', 'path', 'submodules',
]);

function freeAttribute(param: string, taken: Set<string>): string {
  const candidates = [param, `_${param}`, `${param}_config`, `_${param}_config`];
  const free = candidates.find((c) => !taken.has(c) && !reservedAttributes.has(c));
  if (free) return free;
  let n = 2;
  while (taken.has(`_${param}_${n}`)) n++;
  return `_${param}_${n}`;
}

/** The generated `get_config` (and `from_config`), and the statements that store unstored parameters. */
function getConfigFix(facts: FileFacts, cls: ClassInfo, signature: InitSignature, params: ConfigParameter[]): Fix | undefined {
  const text = facts.text;
  const body = signature.definition.childForFieldName('body');
  // Code that does not parse gives no sure place to write; nor does a one-line `__init__`.
  if (cls.node.hasError || !body || body.startPosition.row === signature.definition.startPosition.row) return undefined;
  const classIndent = indentOf(cls.node, text);
  const methodIndent = indentOf(signature.definition, text);
  const unit = methodIndent.startsWith(classIndent) && methodIndent.length > classIndent.length
    ? methodIndent.slice(classIndent.length)
    : '    ';

  const taken = selfAttributes(cls);
  const stores: string[] = [];
  const entries = params.map(({ param, kerasObject }) => {
    let attribute = storedAttribute(signature, param.name);
    if (!attribute) {
      attribute = freeAttribute(param.name, taken);
      taken.add(attribute);
      stores.push(`${signature.selfName}.${attribute} = ${param.name}`);
    }
    return { key: param.name, attribute, kerasObject };
  });

  const edits: TextEdit[] = [];
  const serialized = entries.filter((e) => e.kerasObject);
  let names = { serialize: '', deserialize: '' };
  if (serialized.length > 0) {
    const spelled = savingNames(facts, cls);
    if (!spelled) return undefined;
    names = spelled;
    edits.push(...spelled.edits);
  }
  if (stores.length > 0) {
    const store = storeEdit(signature, body, stores, text);
    if (!store) return undefined;
    edits.push(store);
  }

  const lines = [
    'def get_config(self):',
    `${unit}config = super().get_config()`,
    `${unit}config.update({`,
    ...entries.map((e) => {
      const value = e.kerasObject ? `${names.serialize}(self.${e.attribute})` : `self.${e.attribute}`;
      return `${unit}${unit}"${e.key}": ${value},`;
    }),
    `${unit}})`,
    `${unit}return config`,
  ];
  const fromConfig = fromConfigLines(cls, serialized.map((e) => e.key), names.deserialize, unit);
  lines.push(...fromConfig);
  const withFromConfig = fromConfig.length > 0;
  // Right after `__init__`, so that the parameters and their config entries can be read together.
  edits.push(insertAfter(signature.definition, lines, methodIndent, text, true));
  return {
    title: withFromConfig ? `Add \`get_config()\` and \`from_config()\` to \`${cls.name}\`` : `Add \`get_config()\` to \`${cls.name}\``,
    applicability: 'safe',
    edits: joinInsertions(edits),
    preferred: true,
  };
}

/**
 * Stores parameters right after the `super().__init__(...)` call, where a Keras layer accepts
 * new attributes; without one, at the start of the body.
 */
function storeEdit(signature: InitSignature, body: SyntaxNode, stores: string[], text: string): TextEdit | undefined {
  const superStatement = baseMethodCalls(signature.definition, '__init__', signature.selfName)
    .map(statementOf)
    .find((s) => s.parent?.id === body.id);
  return superStatement
    ? insertAfter(superStatement, stores, indentOf(superStatement, text), text)
    : insertAtBodyStart(signature.definition, stores, text);
}

/**
 * `serialize_keras_object` and `deserialize_keras_object` as this file can write them, with
 * any import they need: through the file's own Keras import, else imported from the package
 * that the class's Keras base comes from.
 */
function savingNames(facts: FileFacts, cls: ClassInfo): { serialize: string; deserialize: string; edits: TextEdit[] } | undefined {
  const serialize = facts.imports.spell('keras.saving.serialize_keras_object');
  const deserialize = facts.imports.spell('keras.saving.deserialize_keras_object');
  if (serialize && deserialize) {
    return { serialize: serialize.text, deserialize: deserialize.text, edits: [...serialize.edits, ...deserialize.edits] };
  }
  const edit = importBesideKerasBase(facts, cls, 'keras.saving', ['deserialize_keras_object', 'serialize_keras_object']);
  if (!edit) return undefined;
  return { serialize: 'serialize_keras_object', deserialize: 'deserialize_keras_object', edits: [edit] };
}

