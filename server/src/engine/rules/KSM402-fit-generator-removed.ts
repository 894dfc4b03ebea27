import { removeArgument, replaceNode } from '../analysis/edits';
import { callArguments, type TrainingCall } from '../analysis/facts';
import { nodeRange } from '../analysis/text';
import { kerasTrainingCalls } from '../analysis/training-calls';
import type { Fix, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

const replacements: Record<string, string> = {
  fit_generator: 'fit',
  evaluate_generator: 'evaluate',
  predict_generator: 'predict',
};

/** `fit` arguments that Keras 3 moved to `PyDataset`'s constructor. */
const keras3Rejects = ['workers', 'use_multiprocessing', 'max_queue_size'];

export const fitGeneratorRemoved: Rule = {
  code: 'KSM402',
  name: 'fit-generator-removed',
  summary: '`fit_generator`, `evaluate_generator` or `predict_generator`, removed in Keras 3',
  severity: 'error under Keras 3, warning under Keras 2 or when the version is unknown',
  fixSafety: 'safe',
  check: 'data-pipeline',
  docs: {
    what:
      'Flags calls of `fit_generator`, `evaluate_generator` and `predict_generator` on a model, or on any ' +
      'receiver in a file that uses Keras, unless a class of the file defines a method of that name.',
    why:
      'Keras 2 warns "`Model.fit_generator` is deprecated and will be removed in a future version. Please ' +
      'use `Model.fit`, which supports generators." Keras 3, which TensorFlow 2.16 and later install, removed ' +
      "them: the script stops with `AttributeError: 'Sequential' object has no attribute 'fit_generator'` " +
      'before training, so no model is ever saved. Keras 3 `fit` also rejects `workers`, ' +
      '`use_multiprocessing` and `max_queue_size`, which moved to `PyDataset`.',
    notFlagged: 'Methods of the same name defined by a class of the file; files that do not use Keras.',
    example: 'model.fit_generator(train_batches, steps_per_epoch=100, epochs=5, workers=4)',
    fixed: 'model.fit(train_batches, steps_per_epoch=100, epochs=5)',
    fix:
      'Rename to `fit`/`evaluate`/`predict` (and `generator=` to `x=`), safe. Under Keras 3 the same fix also ' +
      'removes `workers`, `use_multiprocessing` and `max_queue_size`. When the version is unknown, a second ' +
      'fix does that removal too (unsafe, since Keras 2 would lose the parallel loading).',
    references: [
      'https://keras.io/api/models/model_training_apis/#fit-method',
      'https://github.com/keras-team/keras/issues/19225',
    ],
  },
  run(context) {
    for (const call of kerasTrainingCalls(context.facts)) if (call.method in replacements) report(context, call);
  },
};

function report(context: RuleContext, training: TrainingCall): void {
  const major = context.version.major;
  const method = training.method;
  const replacement = replacements[method]!;
  const message =
    major === 3
      ? `\`${method}\` was removed in Keras 3: the call raises AttributeError; \`${replacement}\` takes generators directly`
      : major === 2
        ? `\`${method}\` is deprecated in Keras 2 and removed in Keras 3; \`${replacement}\` takes generators directly`
        : `\`${method}\` fails under Keras 3, which TensorFlow 2.16 and later install (it was removed); ` +
          `deprecated but working under Keras 2. \`${replacement}\` takes generators directly`;
  const { keywordNodes } = callArguments(training.call);
  const rename: TextEdit[] = [replaceNode(training.methodNode, replacement)];
  const generatorKeyword = keywordNodes.get('generator')?.childForFieldName('name');
  if (generatorKeyword) rename.push(replaceNode(generatorKeyword, 'x'));
  const removals = keras3Rejects.flatMap((name) => {
    const node = keywordNodes.get(name);
    return node ? [removeArgument(node)] : [];
  });
  const fixes: Fix[] = [];
  if (major === 3) {
    fixes.push({ title: `Rename to \`${replacement}\`${removals.length > 0 ? ' and drop arguments Keras 3 rejects' : ''}`, applicability: 'safe', preferred: true, edits: [...rename, ...removals] });
  } else {
    fixes.push({ title: `Rename to \`${replacement}\``, applicability: 'safe', preferred: true, edits: rename });
    if (major === undefined && removals.length > 0) {
      fixes.push({ title: `Rename to \`${replacement}\` and drop ${keras3Rejects.filter((n) => keywordNodes.has(n)).join(', ')} (Keras 3)`, applicability: 'unsafe', edits: [...rename, ...removals] });
    }
  }
  context.report({
    node: training.methodNode,
    severity: major === 3 ? 'error' : 'warning',
    message,
    related: training.model ? [{ range: nodeRange(training.model.definition), message: `\`${training.model.name}\` is defined here` }] : [],
    fixes,
    models: training.model ? [training.model] : [],
  });
}
