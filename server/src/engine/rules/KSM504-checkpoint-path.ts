import type { SyntaxNode } from '../analysis/syntax';
import { checkpoints, modelKerasName, renamePath, type Checkpoint } from '../analysis/checkpoints';
import { removeArgument, replaceNode } from '../analysis/edits';
import { callArguments, type ModelFact } from '../analysis/facts';
import { pathTail, type PathTail } from '../analysis/save-calls';
import { nodeRange } from '../analysis/text';
import type { Fix, KerasVersionInfo, Severity } from '../analysis/types';
import { versionIn } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

export const checkpointPath: Rule = {
  code: 'KSM504',
  name: 'checkpoint-path',
  summary: 'A `ModelCheckpoint`, `save_weights` or `load_weights` path, or a `ModelCheckpoint` keyword, that Keras 3 rejects',
  severity: 'error under Keras 3; warning when the version is unknown; information for a `.h5` checkpoint under an unknown Keras 3 minor; silent under Keras 2',
  fixSafety: 'safe or unsafe by case',
  check: 'save-api',
  docs: {
    what:
      'Flags, when Keras 3 runs the call (the implementation its name resolves to, see "Which Keras a name means"):\n\n' +
      '- the path of `ModelCheckpoint(path)` saving the full model (`save_weights_only` false or absent) when it does ' +
      'not end in `.keras`. A `.h5` path is accepted from Keras 3.8 on, so it is an **error** only with evidence of ' +
      'Keras 3.0–3.7, **information** when the 3.x minor is unknown, and silent with 3.8 or later;\n' +
      '- the path of `ModelCheckpoint(path, save_weights_only=True)` when it does not end in `.weights.h5`;\n' +
      '- the keywords `period=`, `options=` and `load_weights_on_restart=` of `ModelCheckpoint`;\n' +
      '- the path of `model.save_weights(path)` when it does not end in `.weights.h5` (`.weights.json` is accepted ' +
      'with `max_shard_size=`);\n' +
      '- the path of `model.load_weights(path)` when it is a TensorFlow checkpoint prefix (no `.keras`, ' +
      '`.weights.h5`, `.h5` or `.hdf5`).\n\n' +
      'A path is judged when its end is visible: a literal, an f-string whose last part is literal, `a + "lit"`, ' +
      '`os.path.join(..., "lit")`, or a name bound once in the same scope to one of these. Under Keras 3 the finding ' +
      'is an **error**; with the version unknown, a **warning** whose explanation names both behaviours.',
    why:
      'Keras 3, which TensorFlow 2.16 and later install, checks these paths when the callback is created or the ' +
      'call is made, before anything is written: "The filepath provided must end in `.keras` (Keras model ' +
      'format)."; "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in ' +
      '`.weights.h5` (Keras weights format)."; "The filename must end in `.weights.h5`."; "File format not ' +
      'supported: filepath=…". Its `ModelCheckpoint` takes no `**kwargs`, so `period=`, `options=` and ' +
      '`load_weights_on_restart=` are a `TypeError`. Keras 2 wrote a SavedModel or a TensorFlow checkpoint for the ' +
      'same paths and only warned about `period`.',
    notFlagged:
      'Files and names under Keras 2 (set, known from the file, or `tf.keras` rerouted to tf_keras by ' +
      '`TF_USE_LEGACY_KERAS`); paths whose end is not visible (a parameter, `f"{prefix}"`); a `save_weights_only` ' +
      'value the file computes; `save_weights`/`load_weights` on objects that are not models of the file.',
    example: [
      'checkpoint = keras.callbacks.ModelCheckpoint("checkpoints/best_model", save_best_only=True)',
      'model.fit(x_train, y_train, validation_split=0.2, callbacks=[checkpoint])',
      'model.save_weights("weights/final")',
    ].join('\n'),
    fixed: [
      'checkpoint = keras.callbacks.ModelCheckpoint("checkpoints/best_model.keras", save_best_only=True)',
      'model.fit(x_train, y_train, validation_split=0.2, callbacks=[checkpoint])',
      'model.save_weights("weights/final.weights.h5")',
    ].join('\n'),
    fix:
      '*Use the `.keras` (or `.weights.h5`) extension*: the extension goes at the end of the literal (`.h5`, ' +
      '`.hdf5`, `.ckpt` or `.keras` there is replaced); an `{epoch}` pattern stays before it ' +
      '(`"ckpt/model-{epoch:02d}.keras"`). For a name bound to a literal, the literal is edited, so every read of ' +
      'the name follows; other literals of the same text in the file (a later `load_model("best.h5")`) are renamed ' +
      'with it. Safe under Keras 3 when the path has no other use in the file; unsafe when it has (they change ' +
      'too), when the version is unknown (Keras 2.12 and older do not know the `.keras` format), and for ' +
      '`load_weights`, whose file was written elsewhere. For `period=N`: *use `save_freq=N * steps_per_epoch`* or ' +
      '*remove `period`*, both unsafe (the step count must be checked, or the frequency changes). For `options=`: ' +
      '*remove it*, unsafe. `load_weights_on_restart=` has no fix: restore the weights before `fit` instead.',
    references: [
      'https://keras.io/api/callbacks/model_checkpoint/',
      'https://keras.io/api/models/model_saving_apis/weights_saving_and_loading/',
      'https://keras.io/guides/migrating_to_keras_3/',
    ],
  },
  run(context) {
    for (const checkpoint of checkpoints(context.facts)) {
      const version = context.versions.at(checkpoint.callee);
      if (version.major === 2) continue;
      checkKeywords(context, checkpoint, version);
      checkCheckpointPath(context, checkpoint, version);
    }
    const seen = new Set<number>();
    for (const model of context.facts.models) {
      for (const event of model.events) {
        const method = event.kind === 'save-weights' ? 'save_weights' : event.method === 'load_weights' ? 'load_weights' : undefined;
        if (!method || seen.has(event.call.id)) continue;
        seen.add(event.call.id);
        const version = context.versions.at(modelKerasName(context.facts, model));
        if (version.major !== 2) checkWeightsCall(context, event.call, method, model, version);
      }
    }
  },
};

const ofKeras3 = 'Keras 3, which TensorFlow 2.16 and later install,';
const removedKeywords = ['period', 'options', 'load_weights_on_restart'];

function checkKeywords(context: RuleContext, checkpoint: Checkpoint, version: KerasVersionInfo): void {
  const { keywordNodes } = callArguments(checkpoint.call);
  for (const keyword of removedKeywords) {
    const argument = keywordNodes.get(keyword);
    if (!argument) continue;
    const keras2 = keyword === 'period' ? 'Keras 2 only warns that `period` is deprecated' : 'Keras 2 accepts it';
    const replacement = keyword === 'period' ? '; `save_freq` counts batches instead' : '';
    const message = version.major === 3
      ? `\`${keyword}=\` is not an argument of Keras 3's \`ModelCheckpoint\``
      : `\`${keyword}=\` fails under Keras 3's \`ModelCheckpoint\``;
    const detail = version.major === 3
      ? `It takes no \`**kwargs\`: creating the callback raises \`TypeError\`${replacement}.`
      : `The \`ModelCheckpoint\` of ${ofKeras3} takes no \`**kwargs\` and raises \`TypeError\`; ${keras2}${replacement}.`;
    context.report({
      node: argument,
      severity: version.major === 3 ? 'error' : 'warning',
      message,
      detail,
      fixes: keywordFixes(keyword, argument, keywordNodes.has('save_freq')),
      models: checkpoint.trainings.map((t) => t.model),
    });
  }
}

function keywordFixes(keyword: string, argument: SyntaxNode, hasSaveFreq: boolean): Fix[] {
  if (keyword === 'load_weights_on_restart') return [];
  const remove: Fix = { title: `Remove \`${keyword}\``, applicability: 'unsafe', edits: [removeArgument(argument)] };
  const value = argument.childForFieldName('value');
  if (keyword !== 'period' || !value || hasSaveFreq) return [remove];
  const frequency = `save_freq=${value.type === 'integer' || value.type === 'identifier' ? value.text : `(${value.text})`} * steps_per_epoch`;
  return [
    { title: `Use \`${frequency}\` (check: \`steps_per_epoch\` must hold the number of batches per epoch)`, applicability: 'unsafe', edits: [replaceNode(argument, frequency)], preferred: true },
    { ...remove, title: 'Remove `period` (saves every epoch)' },
  ];
}

const keras3Path =
  '"The filepath provided must end in `.keras` (Keras model format)."';
const keras3WeightsPath =
  '"When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` (Keras weights format)."';

function checkCheckpointPath(context: RuleContext, checkpoint: Checkpoint, version: KerasVersionInfo): void {
  const { path, weightsOnly } = checkpoint;
  if (!path || weightsOnly === undefined) return;
  const tail = pathTail(context.facts, checkpoint.scope, path, checkpoint.call.startIndex);
  if (!tail) return;
  const shown = shownPath(path);
  const models = checkpoint.trainings.map((t) => t.model);
  let severity: Severity;
  let detail: string;
  const message = `${shown} does not end in \`${weightsOnly ? '.weights.h5' : '.keras'}\``;
  if (weightsOnly) {
    if (tail.tail.endsWith('.weights.h5')) return;
    severity = version.major === 3 ? 'error' : 'warning';
    detail = version.major === 3
      ? `Keras 3 raises ${keras3WeightsPath} when the callback is created.`
      : `Creating the callback fails under ${ofKeras3} with ${keras3WeightsPath} ` +
        'Keras 2 writes a TensorFlow checkpoint there.';
  } else if (tail.tail.endsWith('.keras')) {
    return;
  } else if (tail.tail.endsWith('.h5')) {
    const early = versionIn(version, [3, 0], [3, 8]);
    const late = versionIn(version, [3, 8]);
    if (late === true) return;
    const versions = 'Keras 3.0–3.7 raise ' + keras3Path + ' when the callback is created; 3.8 and later accept `.h5`';
    if (version.major === 3 && early === true) {
      severity = 'error';
      detail = `${versions}.`;
    } else if (version.major === 3) {
      severity = 'information';
      detail = `${versions}. Nothing says which Keras 3 release runs this.`;
    } else {
      severity = 'warning';
      detail = `${versions}, as Keras 2 does.`;
    }
  } else {
    severity = version.major === 3 ? 'error' : 'warning';
    detail = version.major === 3
      ? `Keras 3 raises ${keras3Path} when the callback is created (3.8 and later also accept \`.h5\`).`
      : `Creating the callback fails under ${ofKeras3} with ${keras3Path} ` +
        'Keras 2 writes a SavedModel directory there.';
  }
  context.report({
    node: path,
    severity,
    message,
    detail,
    related: checkpoint.trainings.map((t) => ({ range: nodeRange(t.call), message: `the checkpoint saves \`${t.model.name}\` during this training` })),
    fixes: renameFix(context, checkpoint.scope, path, checkpoint.call.startIndex, weightsOnly ? '.weights.h5' : '.keras', version, false),
    models,
  });
}

function checkWeightsCall(context: RuleContext, call: SyntaxNode, method: 'save_weights' | 'load_weights', model: ModelFact, version: KerasVersionInfo): void {
  const { positional, keywords } = callArguments(call);
  const path = positional[0] ?? keywords.get('filepath');
  if (!path || path.type === 'list_splat' || path.type === 'dictionary_splat') return;
  const scope = context.facts.semantic.scopeAt(call);
  const tail = pathTail(context.facts, scope, path, call.startIndex);
  if (!tail || accepted(method, tail, keywords.has('max_shard_size'))) return;
  const shown = shownPath(path);
  let message: string;
  let detail: string;
  if (method === 'save_weights') {
    const raised = '"The filename must end in `.weights.h5`."';
    message = `${shown} does not end in \`.weights.h5\``;
    detail = version.major === 3
      ? `Keras 3's \`save_weights\` raises ${raised}`
      : `\`save_weights\` fails under ${ofKeras3} with ${raised} Keras 2 writes a TensorFlow checkpoint there.`;
  } else {
    const raised = '"File format not supported: filepath=…" (it reads `.keras`, `.weights.h5` and legacy `.h5` files only)';
    message = `${shown} names a TensorFlow checkpoint, which Keras 3's \`load_weights\` cannot read`;
    detail = version.major === 3
      ? `Keras 3's \`load_weights\` raises ${raised}.`
      : `\`load_weights\` fails under ${ofKeras3} with ${raised}; Keras 2 reads it.`;
  }
  context.report({
    node: path,
    severity: version.major === 3 ? 'error' : 'warning',
    message,
    detail,
    related: [{ range: nodeRange(model.definition), message: `\`${model.name}\` is defined here` }],
    fixes: renameFix(context, scope, path, call.startIndex, '.weights.h5', version, method === 'load_weights'),
    models: [model],
  });
}

function accepted(method: 'save_weights' | 'load_weights', tail: PathTail, sharded: boolean): boolean {
  if (method === 'save_weights') return tail.tail.endsWith('.weights.h5') || (sharded && tail.tail.endsWith('.weights.json'));
  return ['.keras', '.weights.h5', '.h5', '.hdf5', '.weights.json'].some((e) => tail.tail.endsWith(e));
}

function renameFix(
  context: RuleContext, scope: Parameters<typeof renamePath>[1], path: SyntaxNode, before: number, suffix: string,
  version: KerasVersionInfo, writtenElsewhere: boolean,
): Fix[] {
  const renamed = renamePath(context.facts, scope, path, before, suffix);
  if (!renamed) return [];
  const safe = version.major === 3 && !renamed.shared && !writtenElsewhere;
  const check = renamed.shared
    ? ' (renames the same path elsewhere in the file too)'
    : writtenElsewhere ? ' (check: the file must have been written in that format)' : version.major === 3 ? '' : ' (check: Keras 2.12 and older do not know this format)';
  return [{ title: `Use the \`${suffix}\` extension: \`${renamed.text}\`${check}`, applicability: safe ? 'safe' : 'unsafe', edits: renamed.edits, preferred: true }];
}

function shownPath(path: SyntaxNode): string {
  return path.text.length <= 48 && !path.text.includes('\n') ? `\`${path.text}\`` : 'The path';
}
