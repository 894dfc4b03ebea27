import type { SyntaxNode } from '../analysis/syntax';
import { modelKerasName } from '../analysis/checkpoints';
import { instanceClass } from '../analysis/data-sources';
import { appendArgument, removeArgument, replaceNode } from '../analysis/edits';
import { callArguments, ownNodes, type TrainingCall } from '../analysis/facts';
import { capitalised, nodeRange, sentence } from '../analysis/text';
import { kerasTrainingCalls } from '../analysis/training-calls';
import type { Fix, KerasVersionInfo, RelatedLocation, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

const replacements: Record<string, string> = {
  fit_generator: 'fit',
  evaluate_generator: 'evaluate',
  predict_generator: 'predict',
};

/** `fit` arguments that Keras 3 moved to `PyDataset`'s constructor. */
const keras3Rejects = ['workers', 'use_multiprocessing', 'max_queue_size'];

/** The Keras 2 signatures of the removed methods, by position. */
const generatorSignatures: Record<string, readonly string[]> = {
  fit_generator: [
    'generator', 'steps_per_epoch', 'epochs', 'verbose', 'callbacks', 'validation_data', 'validation_steps',
    'validation_freq', 'class_weight', 'max_queue_size', 'workers', 'use_multiprocessing', 'shuffle', 'initial_epoch',
  ],
  evaluate_generator: ['generator', 'steps', 'callbacks', 'max_queue_size', 'workers', 'use_multiprocessing', 'verbose'],
  predict_generator: ['generator', 'steps', 'callbacks', 'max_queue_size', 'workers', 'use_multiprocessing', 'verbose'],
};
const callTypes: ReadonlySet<string> = new Set(['call']);

export const fitGeneratorRemoved: Rule = {
  code: 'KSM402',
  name: 'fit-generator-removed',
  summary: '`fit_generator` and its siblings, removed in Keras 3, and `fit`/`evaluate`/`predict` arguments Keras 3 rejects',
  severity: 'error under Keras 3; warning under Keras 2 (removed methods) or when the version is unknown',
  fixSafety: 'safe or unsafe by case',
  check: 'data-pipeline',
  docs: {
    what:
      '(a) Flags calls of `fit_generator`, `evaluate_generator` and `predict_generator` on a model, or on any ' +
      'receiver in a file that uses Keras, unless a class of the file defines a method of that name: an **error** ' +
      'under Keras 3, a **warning** under Keras 2 or an unknown version. Anchor: the method name.\n\n' +
      '(b) Flags `fit`, `evaluate` and `predict` called with `workers=`, `use_multiprocessing=` or ' +
      '`max_queue_size=`: an **error** under Keras 3, a **warning** naming both behaviours when the version is ' +
      'unknown, nothing under Keras 2, where they are valid. Anchor: the first of those arguments. The version is ' +
      'that of the Keras the trained model belongs to (its constructor\'s or base class\'s import).',
    why:
      'Keras 2 warns "`Model.fit_generator` is deprecated and will be removed in a future version. Please ' +
      'use `Model.fit`, which supports generators." Keras 3, which TensorFlow 2.16 and later install, removed ' +
      "them: the script stops with `AttributeError: 'Sequential' object has no attribute 'fit_generator'` " +
      'before training, so no model is ever saved. Keras 3 `fit` and `predict` also have no `workers`, ' +
      "`use_multiprocessing` or `max_queue_size` (`TypeError: TensorFlowTrainer.fit() got an unexpected keyword " +
      "argument 'workers'`), and its `evaluate` raises `ValueError: Arguments not recognized: {...}`: the options " +
      'moved to the `PyDataset` constructor.',
    notFlagged:
      'Methods of the same name defined by a class of the file; files that do not use Keras; (b) under Keras 2; ' +
      'the options passed to a `PyDataset` constructor.',
    example: 'model.fit_generator(train_batches, 100, 5, workers=4)',
    fixed: 'model.fit(train_batches, steps_per_epoch=100, epochs=5)',
    fix:
      '(a) *Rename* to `fit`/`evaluate`/`predict` (safe): `generator=` becomes `x=`, positional arguments after ' +
      'the data become keywords of the old signature (`fit_generator(gen, 100, 10)` becomes ' +
      '`fit(gen, steps_per_epoch=100, epochs=10)`, since `fit`\'s second positional is `y`), and a renamed ' +
      '`evaluate_generator`/`predict_generator` without `verbose` gets `verbose=0`, their old default. Under ' +
      'Keras 3 the same fix removes `workers`, `use_multiprocessing` and `max_queue_size`; otherwise it keeps ' +
      'them, and with the version unknown (b) reports them, on the `*_generator` call as on the renamed one.\n\n' +
      '(b) *Remove* the three arguments: safe under Keras 3, where the call cannot run with them; unsafe with the ' +
      'version unknown, where Keras 2 would lose its parallel loading. When the data is an instance of a ' +
      '`PyDataset`/`keras.utils.Sequence` subclass of the file whose `__init__` calls `super().__init__(...)`, a ' +
      'second fix passes the (literal) values there instead (unsafe: it changes how data is loaded, and the ' +
      'class\'s `__init__` must accept and forward them).',
    references: [
      'https://keras.io/api/models/model_training_apis/#fit-method',
      'https://keras.io/api/utils/python_utils/#pydataset-class',
      'https://github.com/keras-team/keras/issues/19225',
    ],
  },
  run(context) {
    for (const call of kerasTrainingCalls(context.facts)) {
      if (call.method in replacements) reportRemovedMethod(context, call);
      reportRemovedArguments(context, call);
    }
  },
};

/** The Keras of the trained model (its constructor's or base class's import), else the file's. */
function versionOf(context: RuleContext, training: TrainingCall): KerasVersionInfo {
  return context.versions.at(training.model ? modelKerasName(context.facts, training.model) : undefined);
}

function definedHere(training: TrainingCall): RelatedLocation[] {
  const model = training.model;
  return model ? [{ range: nodeRange(model.definition), message: `${capitalised(model.label)} is defined here` }] : [];
}

/**
 * The arguments Keras 3 rejects, as written in a call: keywords, and with `positional`, those of
 * a `*_generator` signature (removable only where the rename writes the others as keywords).
 */
function rejectedArguments(training: TrainingCall, positional = false): Array<{ name: string; node: SyntaxNode; value: SyntaxNode }> {
  const args = callArguments(training.call);
  const { keywordNodes, keywords } = args;
  const found: Array<{ name: string; node: SyntaxNode; value: SyntaxNode }> = [];
  const signature = positional ? generatorSignatures[training.method] : undefined;
  args.positional.forEach((arg, i) => {
    const name = signature?.[i];
    if (name && keras3Rejects.includes(name)) found.push({ name, node: arg, value: arg });
  });
  for (const name of keras3Rejects) {
    const node = keywordNodes.get(name);
    if (node) found.push({ name, node, value: keywords.get(name)! });
  }
  return found.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/** (a) `fit_generator` and its siblings. */
function reportRemovedMethod(context: RuleContext, training: TrainingCall): void {
  const major = versionOf(context, training).major;
  const method = training.method;
  const replacement = replacements[method]!;
  const message =
    major === 3
      ? `\`${method}\` was removed in Keras 3`
      : major === 2
        ? `\`${method}\` is deprecated in Keras 2 and removed in Keras 3`
        : `\`${method}\` fails under Keras 3, which removed it; deprecated but working under Keras 2`;
  const takes = `\`${replacement}\` takes generators directly.`;
  const detail =
    major === 3
      ? `The call raises AttributeError; ${takes}`
      : major === 2
        ? sentence(takes)
        : `TensorFlow 2.16 and later install Keras 3. ${sentence(takes)}`;
  const rejected = major === 3 ? rejectedArguments(training, true) : [];
  const edits = [...renameEdits(training, replacement, rejected.map((r) => r.node)), ...rejected.map((r) => removeArgument(r.node))];
  const title = `Rename to \`${replacement}\`${rejected.length > 0 ? ' and drop arguments Keras 3 rejects' : ''}`;
  context.report({
    node: training.methodNode,
    severity: major === 3 ? 'error' : 'warning',
    message,
    detail,
    related: definedHere(training),
    fixes: [{ title, applicability: 'safe', preferred: true, edits }],
    models: training.model ? [training.model] : [],
  });
}

/**
 * The rename: the method, `generator=` to `x=`, positional arguments after the data as keywords
 * of the old signature (`fit`'s second positional is `y`), and `verbose=0`, the old default of
 * `evaluate_generator`/`predict_generator`, where none is given. `removed` are left to their removal.
 */
function renameEdits(training: TrainingCall, replacement: string, removed: readonly SyntaxNode[]): TextEdit[] {
  const { positional, keywordNodes } = callArguments(training.call);
  const edits: TextEdit[] = [replaceNode(training.methodNode, replacement)];
  const generatorKeyword = keywordNodes.get('generator')?.childForFieldName('name');
  if (generatorKeyword) edits.push(replaceNode(generatorKeyword, 'x'));
  // `*args` hides which parameter each value fills.
  if (positional.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat')) return edits;
  const signature = generatorSignatures[training.method]!;
  positional.forEach((arg, i) => {
    const name = signature[i];
    if (i > 0 && name && !removed.includes(arg)) edits.push(replaceNode(arg, `${name}=${arg.text}`));
  });
  const verbose = keywordNodes.has('verbose') || positional.length > signature.indexOf('verbose');
  const data = positional[0] ?? keywordNodes.get('generator');
  if (training.method !== 'fit_generator' && !verbose && data) {
    edits.push({ range: { start: nodeRange(data).end, end: nodeRange(data).end }, newText: ', verbose=0' });
  }
  return edits;
}

/**
 * (b) `fit`/`evaluate`/`predict` with `workers`, `use_multiprocessing` or `max_queue_size`: Keras 3
 * rejects them. With the version unknown, a `*_generator` call's are reported too, since its
 * rename to `fit` keeps them (Keras 2's `fit` accepts them); under Keras 3 the rename removes them.
 */
function reportRemovedArguments(context: RuleContext, training: TrainingCall): void {
  const major = versionOf(context, training).major;
  if (major === 2 || (major === 3 && training.method in replacements)) return;
  const rejected = rejectedArguments(training);
  const [first] = rejected;
  if (!first) return;
  const names = rejected.map((r) => `\`${r.name}\``).join(', ');
  const method = replacements[training.method] ?? training.method;
  const raised = method === 'evaluate'
    ? `\`ValueError: Arguments not recognized: {'${first.name}': …}\``
    : `\`TypeError: … got an unexpected keyword argument '${first.name}'\``;
  const message = major === 3
    ? `Keras 3's \`${method}\` has no ${names}`
    : `${capitalised(names)} ${rejected.length > 1 ? 'fail' : 'fails'} under Keras 3; valid under Keras 2`;
  const detail = major === 3
    ? `The call raises ${raised}. They moved to the \`PyDataset\` constructor.`
    : `Under Keras 3, which TensorFlow 2.16 and later install, \`${method}\` raises ${raised} (the options moved to the \`PyDataset\` constructor).`;
  const removal = rejected.map((r) => removeArgument(r.node));
  const fixes: Fix[] = [{
    title: major === 3 ? `Remove ${names}` : `Remove ${names} (Keras 2 then loses its parallel loading)`,
    applicability: major === 3 ? 'safe' : 'unsafe',
    preferred: true,
    edits: removal,
  }];
  const moved = moveToDataset(context, training, rejected);
  if (moved) fixes.push({ ...moved, edits: [...removal, ...moved.edits] });
  context.report({
    node: first.node,
    severity: major === 3 ? 'error' : 'warning',
    message,
    detail,
    related: definedHere(training),
    fixes,
    models: training.model ? [training.model] : [],
  });
}

/**
 * When the data is an instance of the file's `PyDataset`/`Sequence` subclass: the values passed
 * to its `super().__init__(...)` instead, where Keras 3 reads them. Only literal values move,
 * since a name of the training scope may not exist in the class.
 */
function moveToDataset(
  context: RuleContext, training: TrainingCall, rejected: ReadonlyArray<{ name: string; value: SyntaxNode }>,
): Pick<Fix, 'title' | 'applicability' | 'edits'> | undefined {
  const { positional, keywords } = callArguments(training.call);
  const data = keywords.get('x') ?? positional[0];
  const cls = data && instanceClass(context.facts, training.scope, data);
  if (!cls || !(cls.kerasBases.has('PyDataset') || cls.kerasBases.has('Sequence'))) return undefined;
  if (!rejected.every((r) => /^(\d+|True|False)$/.test(r.value.text))) return undefined;
  const init = cls.methods.get('__init__');
  const superInit = init && ownNodes(init, callTypes).find((call) => {
    const fn = call.childForFieldName('function');
    const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
    return fn?.childForFieldName('attribute')?.text === '__init__' && object?.type === 'call' && object.childForFieldName('function')?.text === 'super';
  });
  if (!superInit || rejected.some((r) => callArguments(superInit).keywords.has(r.name))) return undefined;
  const passed = rejected.map((r) => `${r.name}=${r.value.text}`).join(', ');
  const append = appendArgument(superInit, passed);
  if (!append) return undefined;
  return {
    title: `Pass ${passed} to \`${cls.name}\`'s \`super().__init__()\` instead (check that its \`__init__\` forwards them)`,
    applicability: 'unsafe',
    edits: [append],
  };
}
