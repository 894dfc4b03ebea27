import type { SyntaxNode } from '../analysis/syntax';
import { allEvents, type FileFacts, type ModelEvent } from '../analysis/facts';
import { modelKerasName } from '../analysis/checkpoints';
import {
  configMethodLines, customObjectUses, isDecoratedWithRegister, namesPassedAsCustomObjects, registerModule, registerName,
  type CustomObjectUse, type UseSite, type UsedValue,
} from '../analysis/custom-objects';
import { insertAfter, insertBefore, replaceNode, statementOf } from '../analysis/edits';
import { kerasSymbolOf } from '../analysis/keras-names';
import { loadCalls, reloadsOf, supplies, type LoadCall } from '../analysis/load-calls';
import { saveFormatOf, type SaveFormat } from '../analysis/save-formats';
import { type FunctionInfo } from '../analysis/semantic';
import { capitalised, indentOf, nodeRange, sentence } from '../analysis/text';
import type { Fix, KerasVersionInfo, RelatedLocation, Severity, TextEdit } from '../analysis/types';
import { lambdaReplacementFixes } from '../analysis/lambda-replacement';
import type { Rule, RuleContext } from './rule';

export const unregisteredCustomFunction: Rule = {
  code: 'KSM205',
  name: 'unregistered-custom-function',
  summary: 'A function of the file (a loss, metric, activation …) in a saved model is neither registered nor passed in `custom_objects`',
  severity: 'warning; error when the same file reloads the saved path without it; information for a closure the file re-supplies',
  fixSafety: 'safe or unsafe by case',
  check: 'custom-objects',
  docs: {
    what:
      'Flags a function defined in the file with `def` (a Python `lambda` is KSM503\'s), or the closure that a ' +
      'file function returns (`create_huber(2.0)`, whose `def huber_fn` is nested in it), where a model that gets ' +
      'a full-model save (`model.save`, `save_model`, a full-model `ModelCheckpoint` passed to `fit`) stores it:\n\n' +
      '- `compile(loss=…, metrics=…, weighted_metrics=…)`, the loss also as the second positional argument, ' +
      'inside lists and dicts too;\n' +
      '- `activation=` of any Keras layer, and `layers.Activation(fn)`;\n' +
      '- any `*_regularizer`, `*_initializer` or `*_constraint` argument of a Keras layer;\n' +
      '- `Lambda(fn)` and `Lambda(…, output_shape=fn)`, when the `Lambda` is Keras 3 or of an unknown version;\n' +
      '- `TextVectorization(standardize=fn, split=fn)`, when that layer is part of the saved model.\n\n' +
      'A name bound to the function, or to a list holding it, is followed. It is a **warning**, since the reload ' +
      'may happen in another program that passes `custom_objects`; an **error** when the same file calls ' +
      '`load_model` on the path the model was saved to without supplying the function (KSM506 reports that ' +
      'call too). A closure is reported even when registered; it is **information** when a `custom_objects` ' +
      'dict of the file\'s loads supplies its inner name again.',
    why:
      'Keras 3, and Keras 2 `.keras` files, store a plain function as its name only (not its module), and ' +
      'look the name up at load in `custom_objects`, the `custom_object_scope` and the registry: without it ' +
      'loading raises "Could not locate function \'f\'", even in the script that defines it. Keras 2.13–2.15 ' +
      '`.h5`/SavedModel files load, and then `fit`/`evaluate` raise "Unknown loss function: \'f\'" for a loss or ' +
      'metric (Keras 2.12 and earlier raise it at load), or loading raises "Unknown activation function \'f\' ' +
      'cannot be deserialized." for an activation. A closure is stored as its inner name alone, never with the ' +
      'value it captured: the loading program has to rebuild it with the same value by hand.',
    notFlagged:
      'Functions decorated with `register_keras_serializable` (any spelling, with or without arguments), or ' +
      'registered through `get_custom_objects()[…] = fn`; functions that the file passes in a `custom_objects` ' +
      'dict (to `load_model`, `model_from_json`, `custom_object_scope`/`CustomObjectScope`); Keras\'s own ' +
      'functions (`keras.activations.*`, `keras.losses.*`) and string names; methods; models only saved with ' +
      '`save_weights`, `export` or `tf.saved_model.save`, or never saved; `Lambda(named_fn)` under Keras 2, which ' +
      'stores the function as bytecode (KSM503). Metrics passed by position are not read, since the third ' +
      'positional argument of `compile` is `metrics` in Keras 2 and `loss_weights` in Keras 3.',
    example: [
      'def rmse(y_true, y_pred):',
      '    return keras.ops.sqrt(keras.ops.mean(keras.ops.square(y_true - y_pred)))',
      '',
      '',
      'model.compile(optimizer="adam", loss=rmse)',
      'model.save("regressor.keras")',
    ].join('\n'),
    fixed: [
      '@keras.saving.register_keras_serializable()',
      'def rmse(y_true, y_pred):',
      '    return keras.ops.sqrt(keras.ops.mean(keras.ops.square(y_true - y_pred)))',
      '',
      '',
      'model.compile(optimizer="adam", loss=rmse)',
      'model.save("regressor.keras")',
    ].join('\n'),
    fix:
      '*Register the function* (safe): adds `@keras.saving.register_keras_serializable()` above the `def` and its ' +
      'other decorators, spelled through the file\'s imports; `keras.utils.register_keras_serializable()` with ' +
      'Keras 2.11 or older or an unknown version, as KSM203\'s fix does. For the function of a `Lambda` layer, also ' +
      '*replace the `Lambda`* (unsafe: the model\'s layers change) with a built-in layer when the function is one ' +
      '(`Activation`), else a registered custom layer generated above the model whose `call` applies it, as KSM503\'s ' +
      'fix does. For a closure: *turn it into ' +
      'a class* (unsafe: a new class, and the use site changes). A registered class is generated after the factory ' +
      'function, whose `__init__` takes the factory\'s parameters and whose `get_config` records them; the use site ' +
      'creates it with the same arguments. Used as a loss, it is a `Loss` subclass whose `call` is the inner ' +
      'function\'s body; used as a metric, a `keras.metrics.Mean` subclass whose `update_state` averages the inner ' +
      'function (kept as a method) and whose default `name` is the function\'s, so the logged metric keeps its key. ' +
      'It is offered when the factory holds nothing but a docstring, the inner `def` (undecorated or registered) and ' +
      'its `return`, and none of its parameters is one the base class takes itself (`name`, `dtype`, `reduction`).',
    references: [
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
      'https://keras.io/api/models/model_saving_apis/serialization_utils/#registerkerasserializable-function',
      'https://github.com/keras-team/keras/issues/20806',
    ],
  },
  run(context) {
    const { facts } = context;
    const passed = namesPassedAsCustomObjects(facts);
    const reported = new Set<number>();
    for (const model of facts.models) {
      const saves = allEvents(model).filter((e) => e.kind === 'save' || e.kind === 'checkpoint');
      if (saves.length === 0) continue;
      for (const use of customObjectUses(facts, model)) {
        if (use.value.kind === 'instance' || reported.has(use.node.id)) continue;
        if (use.site === 'learning-rate' || (use.site === 'lambda' && context.versions.at(use.call.childForFieldName('function')).major === 2)) continue;
        if (use.value.kind === 'function') {
          const { fn } = use.value;
          if (passed.has(fn.name) || isDecoratedWithRegister(facts, fn.node)) continue;
        }
        reported.add(use.node.id);
        report(context, use, saves);
      }
    }
  },
};

/** The loads of the file that read one of these saves without supplying `name`. */
function uncoveredReloads(context: RuleContext, saves: readonly ModelEvent[], name: string): LoadCall[] {
  return saves.flatMap((save) => reloadsOf(context.facts, save.call)).filter((load) => !supplies(load, name));
}

function report(context: RuleContext, use: CustomObjectUse, saves: ModelEvent[]): void {
  const { facts } = context;
  if (use.value.kind === 'instance') return;
  const version = context.versions.at(modelKerasName(facts, use.model));
  const [save] = saves;
  const format = saveFormatOf(facts, save!);
  const closure = use.value.kind === 'closure' ? use.value : undefined;
  const fn: FunctionInfo = closure ? closure.inner : (use.value as { fn: FunctionInfo }).fn;
  const reloads = uncoveredReloads(context, saves, fn.name);
  const resupplied = closure !== undefined && loadCalls(facts).some((load) => load.supplied.keys.has(fn.name));
  const severity: Severity = reloads.length > 0 ? 'error' : resupplied ? 'information' : 'warning';
  const where = `${siteName(use)} of ${use.model.label}`;
  const saved = `${capitalised(use.model.label)} ${saves.length > 1 ? 'gets full-model saves' : 'gets a full-model save'}.`;
  let message: string;
  let detail: string;
  if (closure) {
    const made = use.node.type === 'call' ? `\`${use.node.text}\`` : `\`${use.node.text}\` (made by \`${closure.factory.name}()\`)`;
    message = `${made}, ${where}, is a closure whose captured values are not saved`;
    detail =
      `${saved} The file keeps only the name of the closure \`${fn.name}\`, never the values it captured, so ` +
      `reloading needs \`custom_objects={"${fn.name}": …}\` rebuilt with the same values by hand (registration keeps only ` +
      `the last closure created, in the process that created it).`;
    if (resupplied && reloads.length === 0) detail += ' The `custom_objects` of this file supply it: check that its values match.';
  } else {
    message = `\`${fn.name}\`, ${where}, is not registered`;
    detail = `${saved} ${sentence(consequence(fn.name, use.site, format, version))}`;
  }
  if (reloads.length > 0) detail += ` This file reloads it at line ${reloads[0]!.call.startPosition.row + 1} without supplying it.`;
  const related: RelatedLocation[] = [
    { range: nodeRange(fn.node.childForFieldName('name') ?? fn.node), message: `\`${fn.name}\` is defined here` },
    ...saves.map((s) => ({ range: nodeRange(s.viaCall ?? s.call), message: `${capitalised(use.model.label)} is saved here` })),
    ...reloads.map((load) => ({ range: nodeRange(load.call), message: 'The saved file is reloaded here' })),
  ];
  const fixes: Fix[] = [];
  if (closure) {
    const converted = use.site === 'loss' || use.site === 'metric' ? closureClass(facts, closure, use.site, registerModule(version)) : undefined;
    if (converted) fixes.push({ title: `Turn \`${closure.factory.name}\` into the \`${converted.base}\` subclass \`${converted.className}\``, applicability: 'unsafe', edits: converted.edits });
  } else {
    const fix = registerFunctionFix(facts, fn, registerModule(version));
    if (fix) fixes.push(fix);
    // Under Keras 3 a `Lambda(fn)` can also become a layer that saves by name.
    if (use.site === 'lambda' && keywordOf(use.node, use.call) !== 'output_shape') fixes.push(...lambdaReplacementFixes(facts, context.versions, use.call));
  }
  context.report({ node: use.node, severity, message, detail, related, fixes, models: [use.model] });
}

/** How the message names the place: "the loss", "an activation", "the `standardize` of a `TextVectorization`". */
function siteName(use: CustomObjectUse): string {
  const keyword = keywordOf(use.node, use.call);
  const layer = use.call.childForFieldName('function');
  const layerName = layer ? kerasSymbolOf(layer.text) : 'layer';
  switch (use.site) {
    case 'loss': return 'the loss';
    case 'metric': return 'a metric';
    case 'activation': return `the activation of a \`${layerName}\` layer`;
    case 'lambda': return `the ${keyword === 'output_shape' ? '`output_shape` ' : ''}function of a \`Lambda\` layer`;
    default: return `the \`${keyword ?? 'argument'}\` of a \`${layerName}\` layer`;
  }
}

/** The keyword of the call's argument that holds the node, if it is passed by keyword. */
function keywordOf(node: SyntaxNode, call: SyntaxNode): string | undefined {
  for (let n: SyntaxNode | null = node; n && n.id !== call.id; n = n.parent) {
    if (n.type === 'keyword_argument' && n.parent?.parent?.id === call.id) return n.childForFieldName('name')?.text;
  }
  return undefined;
}

/** What reloading meets, by the loading Keras and the format; both behaviours when the version is unknown. */
function consequence(name: string, site: UseSite, format: SaveFormat | undefined, version: KerasVersionInfo): string {
  const locate = `"Could not locate function '${name}'"`;
  const unless = 'unless the loading code registers it or passes it in `custom_objects`';
  const keras3 = `Keras 3 stores only the function's name, and loading raises ${locate} ${unless}`;
  const keras2 = keras2Consequence(name, site, format);
  if (version.major === 3) return keras3;
  if (version.major === 2) return `${keras2} ${unless}`;
  return `under Keras 3, which TensorFlow 2.16 and later install, the file stores only its name and loading raises ${locate}; ` +
    `${keras2}; both ${unless}`;
}

function keras2Consequence(name: string, site: UseSite, format: SaveFormat | undefined): string {
  if (format === 'keras') return `Keras 2 \`.keras\` files store only its name too, and loading raises "Could not locate function '${name}'"`;
  if (site === 'loss' || site === 'metric') {
    return `Keras 2.13–2.15 load the file, then \`fit\`/\`evaluate\` raise "Unknown loss function: '${name}'" ` +
      '(Keras 2.12 and earlier raise it at load)';
  }
  if (site === 'activation') return `Keras 2 loading raises "Unknown activation function '${name}' cannot be deserialized."`;
  return `Keras 2 loading cannot find \`${name}\` either`;
}

/** Adds the register decorator above the `def` and its other decorators, in the file's spelling. */
function registerFunctionFix(facts: FileFacts, fn: FunctionInfo, module: string): Fix | undefined {
  const spelled = facts.imports.spell(`${module}.${registerName}`);
  const decorator = spelled && !fn.node.hasError ? insertBefore(statementOf(fn.node), `@${spelled.text}()`, facts.text) : undefined;
  if (!spelled || !decorator) return undefined;
  return {
    title: `Register \`${fn.name}\` with \`@${spelled.text}()\``,
    applicability: 'safe',
    edits: [...spelled.edits, decorator],
    preferred: true,
  };
}

type Closure = Extract<UsedValue, { kind: 'closure' }>;

/** Parameter names the generated class's base already uses; a factory taking one of them gets no class. */
const baseParameters = new Set(['self', 'name', 'dtype', 'reduction', 'kwargs', 'sample_weight']);

/**
 * A registered class in place of a closure: a `Loss` subclass for a loss, a `Mean` metric for a
 * metric. Its `__init__` takes the factory's parameters, the inner function's body runs with them
 * read from `self`, and `get_config` records them; the use site creates it with the factory call's
 * arguments. Only for a module-level factory that holds nothing but a docstring, the inner `def`
 * (undecorated or registered) and its `return`, and whose parameters are plain names with or
 * without defaults.
 */
function closureClass(
  facts: FileFacts, closure: Closure, site: 'loss' | 'metric', module: string,
): { className: string; base: string; edits: TextEdit[] } | undefined {
  const { factory, inner, creation } = closure;
  const text = facts.text;
  const factoryStatement = statementOf(factory.node);
  const innerStatement = statementOf(inner.node);
  if (factory.node.hasError || factoryStatement.parent?.type !== 'module' || innerStatement.parent?.parent?.id !== factory.node.id) return undefined;
  // The class is registered itself; any other decorator would change what the function is.
  const decorators = innerStatement.namedChildren.filter((c) => c.type === 'decorator');
  if (decorators.length > 1 || (decorators.length === 1 && !isDecoratedWithRegister(facts, inner.node))) return undefined;
  const statements = factory.node.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  const isDocstring = (s: SyntaxNode) => s.type === 'expression_statement' && s.firstNamedChild?.type === 'string';
  const others = statements.filter((s) => !isDocstring(s) && s.id !== innerStatement.id && s.type !== 'return_statement');
  if (others.length > 0 || statements.filter((s) => s.type === 'return_statement').length !== 1) return undefined;
  const params = factory.node.childForFieldName('parameters')?.namedChildren ?? [];
  if (params.some((p) => p.type !== 'identifier' && p.type !== 'default_parameter')) return undefined;
  const names = params.map((p) => (p.type === 'identifier' ? p.text : p.childForFieldName('name')!.text));
  if (names.some((n) => baseParameters.has(n))) return undefined;
  const innerParams = inner.node.childForFieldName('parameters');
  const innerBody = inner.node.childForFieldName('body');
  if (!innerParams || !innerBody || innerBody.startPosition.row === inner.node.startPosition.row) return undefined;
  // A metric's `update_state` passes `(y_true, y_pred)` on to the function: two plain parameters.
  const targets = innerParams.namedChildren.map((p) => p.text);
  if (site === 'metric' && (targets.length !== 2 || innerParams.namedChildren.some((p) => p.type !== 'identifier'))) return undefined;
  const base = facts.imports.spell(site === 'loss' ? 'keras.losses.Loss' : 'keras.metrics.Mean');
  const register = facts.imports.spell(`${module}.${registerName}`);
  const callee = creation.childForFieldName('function');
  if (!base || !register || base.edits.length > 0 || register.edits.length > 0 || !callee) return undefined;
  const className = freeClassName(facts, pascalCase(inner.name));

  const unit = '    ';
  const bodyIndent = indentOf(innerBody, text);
  const body = text.slice(innerBody.startIndex - bodyIndent.length, innerBody.endIndex).split(/\r?\n/)
    .map((line) => (line.startsWith(bodyIndent) ? unit + unit + line.slice(bodyIndent.length) : line.trim() === '' ? '' : line));
  const innerArgs = innerParams.text.replace(/^\(\s*/, '');
  const method = (header: string) => [`${unit}def ${header}`, ...names.map((n) => `${unit}${unit}${n} = self.${n}`), ...body];
  const factoryParams = params.map((p) => `, ${p.text}`).join('');
  const lines = [
    `@${register.text}()`,
    `class ${className}(${base.text}):`,
    ...(site === 'loss'
      ? [
        `${unit}def __init__(self${factoryParams}, **kwargs):`,
        `${unit}${unit}super().__init__(**kwargs)`,
        ...names.map((n) => `${unit}${unit}self.${n} = ${n}`),
        '',
        ...method(`call(self${innerArgs.startsWith(')') ? '' : ', '}${innerArgs}:`),
      ]
      : [
        // The function's name stays the metric's name, so the logged key (and any `monitor`) is unchanged.
        `${unit}def __init__(self${factoryParams}, name="${inner.name}", **kwargs):`,
        `${unit}${unit}super().__init__(name=name, **kwargs)`,
        ...names.map((n) => `${unit}${unit}self.${n} = ${n}`),
        '',
        `${unit}def update_state(self, ${targets.join(', ')}, sample_weight=None):`,
        `${unit}${unit}return super().update_state(self.${inner.name}(${targets.join(', ')}), sample_weight=sample_weight)`,
        '',
        ...method(`${inner.name}(self, ${innerArgs}:`),
      ]),
    '',
    ...configMethodLines(names.map((n) => ({ key: n, attribute: n })), true, unit).map((l) => unit + l),
  ];
  return {
    className,
    base: site === 'loss' ? 'Loss' : 'Mean',
    // Two blank lines around a top-level class, as PEP 8 has it.
    edits: [insertAfter(factoryStatement, ['', ...lines], '', text, true), replaceNode(callee, className)],
  };
}

function pascalCase(name: string): string {
  return name.split('_').filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') || 'CustomLoss';
}

function freeClassName(facts: FileFacts, name: string): string {
  const taken = (n: string) => facts.classes.has(n) || facts.functions.some((f) => f.name === n) || facts.imports.bindings().has(n);
  let candidate = name;
  for (let i = 2; taken(candidate); i++) candidate = `${name}${i}`;
  return candidate;
}
