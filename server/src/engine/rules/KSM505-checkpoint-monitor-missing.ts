import type { SyntaxNode } from '../analysis/syntax';
import { checkpoints, weightRestoringCallbacks, type CheckpointTraining, type WeightRestoringCallback } from '../analysis/checkpoints';
import { replaceNode } from '../analysis/edits';
import { allEvents, callArguments } from '../analysis/facts';
import { lastBinding, unparen } from '../analysis/semantic';
import { nodeRange, stringValue } from '../analysis/text';
import type { Fix, KerasVersionInfo, RelatedLocation, Severity } from '../analysis/types';
import { versionIn } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

export const checkpointMonitorMissing: Rule = {
  code: 'KSM505',
  name: 'checkpoint-monitor-missing',
  summary: '`ModelCheckpoint(save_best_only=True)` monitoring a metric that its training never logs',
  severity: 'warning; information for an `EarlyStopping` that restores the best weights of a saved model',
  fixSafety: 'safe',
  check: 'save-api',
  docs: {
    what:
      'Flags `ModelCheckpoint(..., save_best_only=True)` when the metric it monitors (a string literal; ' +
      '`"val_loss"` by default) is not one the training that receives the callback logs:\n\n' +
      '- the monitor is `acc`/`val_acc` while every `compile` of the trained model asks for `"accuracy"` and ' +
      'never `"acc"`, or the reverse. A string metric is logged under exactly the string given, with `val_` in ' +
      'front for validation;\n' +
      '- the monitor starts with `val_` and the `fit` that receives the callback (directly, or in a list bound in ' +
      'the same scope) has neither `validation_data` nor `validation_split`.\n\n' +
      'The anchor is the `monitor` argument, or the call when the default is monitored; the `compile` and `fit` ' +
      'calls are related information.\n\n' +
      'The same check runs, at **information** level, on `EarlyStopping(..., restore_best_weights=True)` passed to the `fit` of ' +
      'a model that gets a full-model save: that callback decides which weights the saved model holds.',
    why:
      'The callback looks the monitored value up in the epoch\'s logs. When it is missing, Keras 2 and Keras ' +
      '3.0–3.9 warn "Can save best model only with val_acc available, skipping." at every epoch and never write ' +
      'the file, so a long training ends without its checkpoint; Keras 3.10 and later warn "Can save best model ' +
      'only with val_acc available." and save at every epoch, so the file holds the last epoch, not the best. ' +
      'Since Keras 2.3 `metrics=["accuracy"]` is logged as `accuracy`/`val_accuracy`, not `acc`/`val_acc` as in ' +
      'older tutorials. `EarlyStopping` warns "Early stopping conditioned on metric `val_acc` which is not available. ' +
      'Available metrics are: …" at every epoch, never stops early and never restores the best weights, so the saved model ' +
      'holds the last epoch\'s weights.',
    notFlagged:
      'Metric objects and custom metric functions in `compile` (their logged names are not resolved); a monitor ' +
      'held in a variable; `save_best_only` false, absent or computed (the monitor then decides nothing); a ' +
      'checkpoint whose training call is not visible; the `acc`/`accuracy` check with evidence of Keras 2.2 or ' +
      'older, which logged `"accuracy"` as `acc`; an `EarlyStopping` that does not restore the best weights, or that trains a model ' +
      'never fully saved; `ReduceLROnPlateau`, which only changes the learning rate and not what is saved.',
    example: [
      'model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])',
      'best = keras.callbacks.ModelCheckpoint("best.keras", monitor="val_acc", save_best_only=True)',
      'model.fit(x_train, y_train, validation_split=0.2, callbacks=[best])',
    ].join('\n'),
    fixed: [
      'model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])',
      'best = keras.callbacks.ModelCheckpoint("best.keras", monitor="val_accuracy", save_best_only=True)',
      'model.fit(x_train, y_train, validation_split=0.2, callbacks=[best])',
    ].join('\n'),
    fix:
      '*Monitor the logged name* (`val_acc` → `val_accuracy`, or the reverse), safe: the checkpoint then watches ' +
      'the metric the author meant. A monitored `val_` metric without validation data has no fix; the explanation ' +
      'suggests `validation_split=`/`validation_data=` on `fit`, or `monitor="loss"`.',
    references: [
      'https://keras.io/api/callbacks/model_checkpoint/',
      'https://keras.io/api/models/model_training_apis/#fit-method',
    ],
  },
  run(context) {
    const watchers: Array<[WeightRestoringCallback, Watcher]> = [
      ...checkpoints(context.facts).filter((c) => c.saveBestOnly === true).map((c): [WeightRestoringCallback, Watcher] => [c, checkpointWatcher]),
      ...weightRestoringCallbacks(context.facts).map((c): [WeightRestoringCallback, Watcher] => [c, earlyStoppingWatcher]),
    ];
    for (const [callback, watcher] of watchers) {
      if (callback.trainings.length === 0) continue;
      const value = callback.monitor?.type === 'keyword_argument' ? callback.monitor.childForFieldName('value') : callback.monitor;
      const monitor = value ? stringValue(value) : 'val_loss';
      if (monitor === undefined) continue;
      check(context, callback, watcher, monitor, value ?? undefined);
    }
  },
};

/** What a callback that never finds its monitor does, and how loudly that is reported. */
interface Watcher {
  severity: Severity;
  consequence(monitor: string, version: KerasVersionInfo): string;
}

const checkpointWatcher: Watcher = { severity: 'warning', consequence };

/**
 * `EarlyStopping(restore_best_weights=True)` is outside saving: it only decides which weights the
 * saved model holds, so it is reported at information level.
 */
const earlyStoppingWatcher: Watcher = {
  severity: 'information',
  consequence: (monitor) =>
    `\`EarlyStopping\` warns "Early stopping conditioned on metric \`${monitor}\` which is not available. Available metrics ` +
    'are: …" at every epoch, never stops early and never restores the best weights, so the saved model holds the last epoch\'s weights',
};

const accuracyNames: Record<string, string> = { acc: 'accuracy', accuracy: 'acc' };

function check(context: RuleContext, checkpoint: WeightRestoringCallback, watcher: Watcher, monitor: string, value: SyntaxNode | undefined): void {
  const version = context.versions.at(checkpoint.callee);
  const shown = value ? `\`monitor=${value.text}\`` : `The default monitor \`${monitor}\``;
  const anchor = checkpoint.monitor ?? checkpoint.call;
  const models = checkpoint.trainings.map((t) => t.model);
  const unvalidated = monitor.startsWith('val_') ? checkpoint.trainings.filter((t) => !validates(t.call)) : [];
  const renamed = renamedMonitor(context, checkpoint.trainings, monitor, version);
  if (unvalidated.length > 0) {
    const fit = unvalidated[0]!.call;
    const also = renamed ? ` (and \`compile\` logs it as \`${renamed.name}\`)` : '';
    context.report({
      node: anchor,
      severity: watcher.severity,
      message: `${shown} needs validation data, but \`${methodText(fit)}(...)\` gets none`,
      detail: `\`${methodText(fit)}(...)\` gets neither \`validation_data\` nor \`validation_split\`${also}: ` +
        `${watcher.consequence(monitor, version)}. Pass \`validation_split=\` or \`validation_data=\`, or monitor \`"loss"\`.`,
      related: unvalidated.map((t) => ({ range: nodeRange(t.call), message: `\`${t.model.name}\` is trained here without validation data` })),
      models,
    });
    return;
  }
  if (!renamed || !value) return;
  const quote = /^[rRuU]?("""|'''|"|')/.exec(value.text)?.[1] ?? '"';
  const fix: Fix = {
    title: `Monitor \`${renamed.name}\``,
    applicability: 'safe',
    edits: [replaceNode(value, `${quote}${renamed.name}${quote}`)],
    preferred: true,
  };
  context.report({
    node: anchor,
    severity: watcher.severity,
    message: `${shown} names a metric the training never logs`,
    detail: `\`compile\` asks for \`"${renamed.metric}"\`, which Keras logs as \`${renamed.name}\`: ${watcher.consequence(monitor, version)}.`,
    related: [
      ...renamed.compiles.map((call): RelatedLocation => ({ range: nodeRange(call), message: `compiled with \`metrics\` here` })),
      ...checkpoint.trainings.map((t): RelatedLocation => ({ range: nodeRange(t.call), message: `\`${t.model.name}\` is trained here` })),
    ],
    fixes: [fix],
    models,
  });
}

/**
 * The name the training logs in place of an `acc`/`accuracy` monitor, when every `compile` of
 * every model trained asks for the other spelling only; undefined otherwise.
 */
function renamedMonitor(
  context: RuleContext, trainings: readonly CheckpointTraining[], monitor: string, version: KerasVersionInfo,
): { name: string; metric: string; compiles: SyntaxNode[] } | undefined {
  const prefix = monitor.startsWith('val_') ? 'val_' : '';
  const other = accuracyNames[monitor.slice(prefix.length)];
  // Keras 2.2 and older logged `"accuracy"` as `acc`.
  if (!other || versionIn(version, [0, 0], [2, 3]) === true) return undefined;
  const compiles: SyntaxNode[] = [];
  for (const training of trainings) {
    const calls = allEvents(training.model).filter((e) => e.kind === 'compile').map((e) => e.call);
    if (calls.length === 0) return undefined;
    for (const call of calls) {
      const metrics = metricNames(context, call);
      if (!metrics || !metrics.has(other) || metrics.has(monitor.slice(prefix.length))) return undefined;
      compiles.push(call);
    }
  }
  return { name: prefix + other, metric: other, compiles };
}

/** The string metrics of a `compile` call; undefined when one of them is not a string, or the list is not visible. */
function metricNames(context: RuleContext, call: SyntaxNode): Set<string> | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'compile') return undefined;
  const { positional, keywords } = callArguments(call);
  let list: SyntaxNode | undefined = keywords.get('metrics') ?? positional[2];
  if (!list) return undefined;
  list = unparen(list);
  if (list.type === 'identifier') list = lastBinding(context.facts.semantic.scopeAt(call), list.text, call.startIndex)?.value;
  if (!list || (list.type !== 'list' && list.type !== 'tuple')) return undefined;
  const names = new Set<string>();
  for (const element of list.namedChildren) {
    if (element.type === 'comment') continue;
    const name = stringValue(unparen(element));
    if (name === undefined) return undefined;
    names.add(name);
  }
  return names;
}

/** The training call is given validation data (`validation_data`/`validation_split`, by keyword or position). */
function validates(call: SyntaxNode): boolean {
  const { positional, keywords } = callArguments(call);
  if (positional.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat')) return true;
  const given = (name: string) => {
    const value = keywords.get(name);
    return value !== undefined && unparen(value).type !== 'none';
  };
  if (given('validation_data') || given('validation_split')) return true;
  // fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, ...);
  // fit_generator(generator, steps_per_epoch, epochs, verbose, callbacks, validation_data, ...).
  const method = call.childForFieldName('function')?.childForFieldName('attribute')?.text;
  return positional.length > (method === 'fit_generator' ? 5 : 6);
}

function methodText(call: SyntaxNode): string {
  return call.childForFieldName('function')?.text ?? 'fit';
}

function consequence(monitor: string, version: KerasVersionInfo): string {
  const skipping = `"Can save best model only with ${monitor} available, skipping."`;
  const saving = `"Can save best model only with ${monitor} available."`;
  if (version.major === 2 || (version.major === 3 && versionIn(version, [3, 0], [3, 10]) === true)) {
    return `Keras warns ${skipping} at every epoch and never writes the file`;
  }
  if (version.major === 3 && versionIn(version, [3, 10]) === true) {
    return `Keras warns ${saving} and saves at every epoch, so the file holds the last epoch, not the best`;
  }
  return `Keras 2 and Keras 3.0–3.9 warn ${skipping} at every epoch and never write the file; Keras 3.10 and later warn ` +
    `${saving} and save at every epoch (the last epoch, not the best)`;
}
