import type { SyntaxNode } from '../analysis/syntax';
import { modelKerasName } from '../analysis/checkpoints';
import { argumentSites, baseMethodCalls, holdsKerasObject, initSignature, selfAttributes, storedAttribute, type InitParameter, type InitSignature } from '../analysis/custom-classes';
import { forwardingEdits, initForwarding } from '../analysis/config-methods';
import {
  configMethodLines, customObjectBase, fromConfigLines, customObjectUses, type ConfigEntry, type CustomObjectBase, type CustomObjectUse,
} from '../analysis/custom-objects';
import { insertAfter, insertAtBodyStart, joinInsertions, statementOf } from '../analysis/edits';
import { allEvents, callArguments, type FileFacts, type ModelEvent, type ModelFact } from '../analysis/facts';
import { saveCallOf } from '../analysis/save-calls';
import { saveFormatOf } from '../analysis/save-formats';
import { ancestry, methodOf, type ClassInfo } from '../analysis/semantic';
import { capitalised, indentOf, nodeRange } from '../analysis/text';
import type { Fix, RelatedLocation, Severity, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const customObjectMissingGetConfig: Rule = {
  code: 'KSM204',
  name: 'custom-object-missing-get-config',
  summary: 'A custom loss, metric, schedule, regularizer, constraint or initializer in a saved model defines no `get_config()`',
  severity: 'error for a learning-rate schedule or regularizer (warning for a regularizer in a Keras 2 SavedModel); warning or error by `__init__` for the others',
  fixSafety: 'safe',
  check: 'custom-objects',
  docs: {
    what:
      'Flags a class of the file that subclasses `keras.losses.Loss`, `keras.metrics.Metric`, ' +
      '`keras.optimizers.schedules.LearningRateSchedule`, `keras.regularizers.Regularizer`, ' +
      '`keras.constraints.Constraint` or `keras.initializers.Initializer` (directly or through classes of the ' +
      'file), defines no `get_config` in itself or an in-file base, and has an instance that reaches a model that ' +
      'gets a full-model save (`model.save`, `save_model`, a full-model `ModelCheckpoint` passed to `fit`):\n\n' +
      '- a loss or metric in `compile(loss=…, metrics=…, weighted_metrics=…)` (the loss also by position, in ' +
      'lists and dicts too);\n' +
      '- a schedule as the `learning_rate` (keyword or first argument) of the optimizer passed to that `compile`;\n' +
      '- a regularizer, constraint or initializer as a `*_regularizer`, `activity_regularizer`, `*_constraint` ' +
      'or `*_initializer` argument of a Keras layer of that model.\n\n' +
      'Names bound to the instance are followed. By base class:\n\n' +
      '- **LearningRateSchedule: error**, whatever `__init__` takes: the base `get_config` raises, so the save fails.\n' +
      '- **Regularizer: error** for a `.keras` or `.h5` save, or any save under Keras 3; **warning** for a Keras 2 ' +
      'SavedModel (or a path whose format cannot be seen, with the version unknown).\n' +
      '- **Loss, Metric, Constraint, Initializer: warning** when `__init__` takes parameters beyond `self`, ' +
      '`*args`, `**kwargs` and those the base records (Loss: `name`, `reduction`; Metric: `name`, `dtype`); ' +
      '**error** when one of them has no default. A Loss or Metric is an **error** too when its `__init__` accepts ' +
      'neither `**kwargs` nor the recorded names and the class defines no `from_config`.',
    why:
      'A `LearningRateSchedule` subclass without `get_config` stops the save (or a `ModelCheckpoint` at the end of ' +
      'the first epoch) with "NotImplementedError: Learning rate schedule \'X\' must override `get_config()` in ' +
      'order to be serializable." (Keras 2.11 says "Learning rate schedule must override get_config"). A ' +
      '`Regularizer` subclass raises "NotImplementedError: <X object> does not implement get_config()"; a Keras 2 ' +
      'SavedModel swallows it, and the reloaded layer then holds a generic revived object. The other bases save ' +
      'a config with only their own keys, and reload calls `cls(**config)`: extra arguments silently take their ' +
      'defaults, a required one raises `TypeError` (which Keras 3 wraps in "… could not be deserialized properly …"), ' +
      'and an `__init__` without `**kwargs` or `name` raises "TypeError: … got an unexpected keyword argument \'name\'".',
    notFlagged:
      'Classes that define `get_config` in themselves or an in-file base; a Loss or Metric whose only parameters ' +
      'are the recorded ones; subclasses of concrete built-ins (`MeanSquaredError`, `Huber`, `Mean`, ' +
      '`ExponentialDecay`, `L2` …), which inherit a real `get_config`; models never fully saved (only ' +
      '`save_weights`, `export`, `tf.saved_model.save`, or no save); for losses, metrics and schedules, an ' +
      '`.h5`/`.hdf5` save with `include_optimizer=False`, which writes no training configuration. Registration is ' +
      'KSM203\'s business.',
    example: [
      'class WarmUp(keras.optimizers.schedules.LearningRateSchedule):',
      '    def __init__(self, peak, steps):',
      '        self.peak = peak',
      '        self.steps = steps',
      '',
      '    def __call__(self, step):',
      '        return self.peak * keras.ops.minimum(1.0, step / self.steps)',
      '',
      '',
      'model.compile(optimizer=keras.optimizers.Adam(WarmUp(1e-3, 1000)), loss="mse")',
      'model.save("model.keras")',
    ].join('\n'),
    fixed: [
      'class WarmUp(keras.optimizers.schedules.LearningRateSchedule):',
      '    def __init__(self, peak, steps):',
      '        self.peak = peak',
      '        self.steps = steps',
      '',
      '    def get_config(self):',
      '        return {',
      '            "peak": self.peak,',
      '            "steps": self.steps,',
      '        }',
      '',
      '    def __call__(self, step):',
      '        return self.peak * keras.ops.minimum(1.0, step / self.steps)',
    ].join('\n'),
    fix:
      '*Add `get_config()`* (safe), right after `__init__` (at the end of the class when it has none), returning ' +
      'each parameter to record under its own name, read from the attribute `__init__` stores it in; a parameter ' +
      'never stored is stored first. For a Loss or Metric it starts from `super().get_config()` and records the ' +
      'parameters beyond the base\'s; when `__init__` takes no `**kwargs` the fix also adds and forwards them, ' +
      'turning a fixed `name=`/`reduction=`/`dtype=` of the base call into `kwargs.setdefault(…)`. For a schedule ' +
      'or regularizer it returns a plain dict and never calls `super().get_config()`, which raises; for a ' +
      'constraint or initializer a plain dict too (the base gives `{}`). A parameter that receives a Keras object ' +
      'is written with `keras.saving.serialize_keras_object`, and a matching `from_config` is generated.',
    references: [
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
      'https://keras.io/api/optimizers/learning_rate_schedules/',
      'https://keras.io/api/layers/regularizers/#creating-custom-regularizers',
    ],
  },
  run(context) {
    const { facts } = context;
    const usesByClass = new Map<ClassInfo, SavedUse[]>();
    for (const model of facts.models) {
      const saves = allEvents(model).filter((e) => e.kind === 'save' || e.kind === 'checkpoint');
      if (saves.length === 0) continue;
      for (const use of customObjectUses(facts, model)) {
        if (use.value.kind !== 'instance') continue;
        const { cls } = use.value;
        const base = customObjectBase(cls);
        if (!base || !sites[base].includes(use.site) || methodOf(cls, 'get_config')) continue;
        const kept = saves.filter((save) => !writesNoTrainingConfig(facts, save) || !trainingSite(base));
        if (kept.length === 0) continue;
        const list = usesByClass.get(cls) ?? [];
        list.push({ use, saves: kept });
        usesByClass.set(cls, list);
      }
    }
    for (const [cls, uses] of usesByClass) check(context, cls, customObjectBase(cls)!, uses);
  },
};

interface SavedUse {
  use: CustomObjectUse;
  saves: ModelEvent[];
}

/** Where each base's instances are stored in a saved model. */
const sites: Record<CustomObjectBase, readonly string[]> = {
  Loss: ['loss', 'metric'],
  Metric: ['loss', 'metric'],
  LearningRateSchedule: ['learning-rate'],
  Regularizer: ['layer-argument'],
  Constraint: ['layer-argument'],
  Initializer: ['layer-argument'],
};

/** The keys each base's `get_config` records, which reload passes back to `__init__`. */
const recordedKeys: Record<CustomObjectBase, readonly string[]> = {
  Loss: ['name', 'reduction'],
  Metric: ['name', 'dtype'],
  LearningRateSchedule: [],
  Regularizer: [],
  Constraint: [],
  Initializer: [],
};

const kinds: Record<CustomObjectBase, string> = {
  Loss: 'loss',
  Metric: 'metric',
  LearningRateSchedule: 'learning-rate schedule',
  Regularizer: 'regularizer',
  Constraint: 'constraint',
  Initializer: 'initializer',
};

/** Losses, metrics and schedules live in the training configuration (the compile config and the optimizer). */
function trainingSite(base: CustomObjectBase): boolean {
  return base === 'Loss' || base === 'Metric' || base === 'LearningRateSchedule';
}

/** An `.h5` save with `include_optimizer=False`, which writes no training configuration under any version. */
function writesNoTrainingConfig(facts: FileFacts, save: ModelEvent): boolean {
  if (save.kind !== 'save' || saveFormatOf(facts, save) !== 'h5') return false;
  const call = saveCallOf(facts, save)?.call;
  return call !== undefined && callArguments(call).keywords.get('include_optimizer')?.text === 'False';
}

/** The nearest `__init__` of the class or its in-file bases, and the class that defines it. */
function nearestInit(cls: ClassInfo): { owner: ClassInfo; signature: InitSignature } | undefined {
  for (const c of ancestry(cls)) {
    const signature = initSignature(c);
    if (signature) return { owner: c, signature };
    if (c.methods.has('__init__')) return undefined;
  }
  return undefined;
}

function check(context: RuleContext, cls: ClassInfo, base: CustomObjectBase, uses: SavedUse[]): void {
  const { facts } = context;
  const init = nearestInit(cls);
  const params = init?.signature.params ?? [];
  const recorded = recordedKeys[base];
  const extras = params.filter((p) => !recorded.includes(p.name));
  const kind = kinds[base];
  const message = `\`${cls.name}\`, a custom ${kind} of ${uses[0]!.use.model.label}, defines no \`get_config()\``;
  const saved = `${capitalised(uses[0]!.use.model.label)} gets a full-model save`;
  let severity: Severity;
  let detail: string;
  if (base === 'LearningRateSchedule') {
    severity = 'error';
    detail = `${saved}. The base \`get_config\` raises, so the save${checkpointed(uses) ? ' (here at the end of the first epoch)' : ''} fails with ` +
      `"NotImplementedError: Learning rate schedule '${cls.name}' must override \`get_config()\` in order to be serializable."`;
  } else if (base === 'Regularizer') {
    const failing = uses.some(({ use, saves }) => saves.some((s) => saveFormatOf(facts, s) !== undefined ||
      context.versions.at(modelKerasName(facts, use.model)).major === 3));
    severity = failing ? 'error' : 'warning';
    const raised = `"NotImplementedError: <${cls.name} object> does not implement get_config()"`;
    detail = failing
      ? `${saved}. The base \`get_config\` raises, so saving fails with ${raised}.`
      : `${saved}. A Keras 2 SavedModel save swallows ${raised}, and the reloaded layer holds a generic revived object, ` +
        'not this class; a `.keras` or `.h5` save, and any save under Keras 3, fails with that error.';
  } else {
    const recordedText = recorded.length > 0 ? `only ${recorded.map((k) => `\`${k}\``).join(' and ')}` : 'nothing';
    const rejectsKeys = (base === 'Loss' || base === 'Metric') && init !== undefined && init.signature.varKwargs === undefined &&
      recorded.some((k) => !params.some((p) => p.name === k)) && !methodOf(cls, 'from_config');
    const required = extras.filter((p) => !p.defaultValue);
    if (rejectsKeys) {
      severity = 'error';
      const missing = recorded.find((k) => !params.some((p) => p.name === k))!;
      detail = `${saved}, and the \`__init__\` of \`${cls.name}\` accepts neither \`**kwargs\` nor ${recorded.map((k) => `\`${k}\``).join(' and ')}: ` +
        `reloading calls \`${cls.name}(**config)\` with \`${missing}\` in the config and raises "TypeError: … got an unexpected keyword argument '${missing}'".`;
    } else if (required.length > 0) {
      severity = 'error';
      detail = `${saved}, and the base config records ${recordedText}: reloading calls \`${cls.name}(**config)\` without ` +
        `${names(required)} and raises \`TypeError\` (a missing argument), which Keras 3 wraps in "… could not be deserialized properly …".`;
    } else if (extras.length > 0) {
      severity = 'warning';
      detail = `${saved}, and the base config records ${recordedText}: the reloaded ${kind} silently uses the defaults of ${names(extras)}.`;
    } else {
      return;
    }
  }
  const related: RelatedLocation[] = [];
  for (const { use, saves } of uses) {
    related.push({ range: nodeRange(use.node), message: `\`${cls.name}\` is used here in ${use.model.label}` });
    for (const save of saves) related.push({ range: nodeRange(save.viaCall ?? save.call), message: `${capitalised(use.model.label)} is saved here` });
  }
  const fix = getConfigFix(facts, cls, base, init);
  context.report({
    node: cls.nameNode,
    severity,
    message,
    detail,
    related,
    fixes: fix ? [fix] : [],
    models: [...new Set<ModelFact>(uses.map((u) => u.use.model))],
  });
}

function checkpointed(uses: SavedUse[]): boolean {
  return uses.every(({ saves }) => saves.every((s) => s.kind === 'checkpoint'));
}

function names(params: InitParameter[]): string {
  return params.map((p) => `\`${p.name}\``).join(', ');
}

/**
 * The generated `get_config` (and `from_config` when a parameter holds a Keras object), the
 * statements that store parameters `__init__` never stores, and, for a Loss or Metric whose
 * `__init__` takes no `**kwargs`, the edits that add and forward them.
 */
function getConfigFix(facts: FileFacts, cls: ClassInfo, base: CustomObjectBase, init: { owner: ClassInfo; signature: InitSignature } | undefined): Fix | undefined {
  const text = facts.text;
  if (cls.node.hasError) return undefined;
  const body = cls.node.childForFieldName('body');
  const last = body?.namedChildren.filter((c) => c.type !== 'comment').pop();
  if (!body || !last || body.startPosition.row === cls.node.startPosition.row) return undefined;
  const methodIndent = indentOf(last, text);
  const classIndent = indentOf(cls.node, text);
  const unit = methodIndent.startsWith(classIndent) && methodIndent.length > classIndent.length ? methodIndent.slice(classIndent.length) : '    ';
  const mergesBase = base === 'Loss' || base === 'Metric';
  const params = (init?.signature.params ?? []).filter((p) => !recordedKeys[base].includes(p.name));

  const edits: TextEdit[] = [];
  const taken = selfAttributes(cls);
  const stores: string[] = [];
  const kerasObjects = kerasObjectParameters(facts, cls, init?.signature, params);
  let serialize: string | undefined;
  let deserialize: string | undefined;
  if (kerasObjects.size > 0) {
    const s = facts.imports.spell('keras.saving.serialize_keras_object');
    const d = facts.imports.spell('keras.saving.deserialize_keras_object');
    if (!s || !d || s.edits.length + d.edits.length > 0) return undefined;
    serialize = s.text;
    deserialize = d.text;
  }
  const entries: ConfigEntry[] = params.map((param) => {
    let attribute = init && storedAttribute(init.signature, param.name);
    if (!attribute) {
      attribute = [param.name, `_${param.name}`, `_${param.name}_value`].find((a) => !taken.has(a))!;
      taken.add(attribute);
      stores.push(`${init!.signature.selfName}.${attribute} = ${param.name}`);
    }
    return { key: param.name, attribute, ...(kerasObjects.has(param.name) && serialize ? { serialize } : {}) };
  });
  if (stores.length > 0 && init) {
    const definition = init.signature.definition;
    const superStatement = baseInitStatement(init.signature);
    const store = superStatement
      ? insertAfter(superStatement, stores, indentOf(superStatement, text), text)
      : insertAtBodyStart(definition, stores, text);
    if (!store) return undefined;
    edits.push(store);
  }
  if (mergesBase && init?.owner === cls && init.signature.varKwargs === undefined) {
    const forwarding = initForwarding(cls);
    const forwarded = forwarding && forwardingEdits(facts, cls, forwarding);
    if (!forwarded) return undefined;
    edits.push(...forwarded.edits);
  }
  const lines = configMethodLines(entries, mergesBase, unit);
  const serialized = entries.filter((e) => e.serialize);
  const fromConfig = deserialize ? fromConfigLines(cls, serialized.map((e) => e.key), deserialize, unit) : [];
  lines.push(...fromConfig);
  const withFromConfig = fromConfig.length > 0;
  const after = init?.owner === cls ? init.signature.definition : last;
  edits.push(insertAfter(statementOf(after), lines, methodIndent, text, true));
  return {
    title: withFromConfig ? `Add \`get_config()\` and \`from_config()\` to \`${cls.name}\`` : `Add \`get_config()\` to \`${cls.name}\``,
    applicability: 'safe',
    edits: joinInsertions(edits),
    preferred: true,
  };
}

/** The statement of `__init__`'s own body that calls the base `__init__`, after which stored attributes go. */
function baseInitStatement(signature: InitSignature): SyntaxNode | undefined {
  const body = signature.definition.childForFieldName('body');
  return baseMethodCalls(signature.definition, '__init__', signature.selfName).map(statementOf).find((s) => s.parent?.id === body?.id);
}

/** The parameters that receive a Keras object: by default, or at an instantiation of the file. */
function kerasObjectParameters(facts: FileFacts, cls: ClassInfo, signature: InitSignature | undefined, params: InitParameter[]): Set<string> {
  const found = new Set<string>();
  const sites = argumentSites(facts, cls);
  params.forEach((param) => {
    const index = signature?.params.indexOf(param) ?? -1;
    const values = [param.defaultValue, ...sites.map((s) => s.keywords.get(param.name) ?? (param.positional ? s.positional[index] : undefined))];
    if (values.some((v) => v !== undefined && holdsKerasObject(facts, v))) found.add(param.name);
  });
  return found;
}
