import type { SyntaxNode } from '../analysis/syntax';
import { kerasBaseOf } from '../analysis/checkpoints';
import { insertBefore, statementOf } from '../analysis/edits';
import { allEvents, type ModelEvent, type ModelFact } from '../analysis/facts';
import { h5Extensions, kerasExtension, pathTail, saveCallOf } from '../analysis/save-calls';
import { trainingInputShape } from '../analysis/model-shapes';
import { insideTryCatching, methodOf } from '../analysis/semantic';
import { shapeText } from '../analysis/shapes';
import { nodeRange, sentence } from '../analysis/text';
import type { Fix, KerasVersionInfo, Severity } from '../analysis/types';
import { versionIn } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

export const subclassedModelUnbuiltSave: Rule = {
  code: 'KSM302',
  name: 'subclassed-model-unbuilt-save',
  summary: 'An instance of a subclassed Keras model saved or exported before anything builds it',
  severity: 'error for a SavedModel save under Keras 2 and an export under Keras 3; warning for a `.keras` save; error for any `.h5` save under Keras 2',
  fixSafety: 'unsafe',
  check: 'input-shape',
  docs: {
    what:
      'Flags the save of an instance of a class of the file that subclasses `keras.Model` and defines `call`, ' +
      'when the model is saved (`model.save`, `save_model`) or exported (`model.export`) before any build step: ' +
      '`model(x)`, `build(shape)`, `fit`, `predict`, `evaluate`, `train_on_batch`. Such a model creates its ' +
      'weights the first time it sees data. The level follows the format and the Keras that runs the class (its ' +
      'Keras base class):\n\n' +
      '- **error**: a SavedModel save (a path without `.keras`/`.h5`) under Keras 2, and `export` under Keras 3;\n' +
      '- **warning**: a `.keras` save, whatever the version, and any case whose version or path is unknown (the ' +
      'explanation names the behaviours);\n' +
      '- **error**: under Keras 2, any `.h5` save of a subclassed model, built or not, since HDF5 cannot hold one.',
    why:
      'Keras 2 refuses the SavedModel: "Model … cannot be saved either because the input shape is not available or ' +
      'because the forward pass of the model is not defined." Keras 3 refuses the export: "The model provided has ' +
      'not yet been built. It must be built before export." (3.0–3.7 say "The layer provided …"). A `.keras` save ' +
      'only warns, "You are saving a model that has not yet been built. It might not contain any weights yet.", and ' +
      'writes a file without weights. Keras 2 stops any HDF5 save of a subclassed model: "Saving the model to HDF5 ' +
      'format requires the model to be a Functional model or a Sequential model. It does not work for subclassed ' +
      'models…"',
    notFlagged:
      'A model built first by a call, `build(shape)`, `fit`, `predict`, `evaluate` or `train_on_batch`; a ' +
      '`ModelCheckpoint`, which saves inside `fit`; a save inside a `try` whose handler catches `ValueError`, ' +
      '`NotImplementedError` or `Exception` (tutorials show the error that way); a class without `call`; a model ' +
      'whose build happens in a function whose order is not visible; `tf.saved_model.save`; an extensionless path ' +
      'under Keras 3, which KSM502 reports.',
    example: [
      'class Classifier(keras.Model):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.dense = keras.layers.Dense(10)',
      '',
      '    def call(self, inputs):',
      '        return self.dense(inputs)',
      '',
      'model = Classifier()',
      'model.export("serving/classifier")',
    ].join('\n'),
    fixed: [
      'model = Classifier()',
      'model.build((None, 784))',
      'model.export("serving/classifier")',
    ].join('\n'),
    fix:
      '*Build the model before saving*: inserts `model.build((None, …))` before the save. The shape comes from the ' +
      'data the model is trained or called on in the same scope (`np.random.rand(N, 28, 28)` gives `(None, 28, 28)`, ' +
      'as KSM301 reads it); otherwise it is `(None, 1)`, a snippet placeholder where the editor takes snippets, and ' +
      'the title says to check it. Unsafe either way: the shape must match what `call` expects. Not offered ' +
      'for the `.h5` case under Keras 2, which building does not fix.',
    references: [
      'https://keras.io/guides/making_new_layers_and_models_via_subclassing/',
      'https://keras.io/api/models/model_saving_apis/export/',
      'https://www.tensorflow.org/guide/keras/serialization_and_saving',
    ],
  },
  run(context) {
    for (const model of context.facts.models) {
      const cls = model.subclass;
      if (model.kind !== 'subclass' || !cls || !methodOf(cls, 'call')) continue;
      if (model.unordered.has('build-step') || model.unordered.has('build-with-shape')) continue;
      const version = context.versions.at(kerasBaseOf(context.facts, cls));
      const events = allEvents(model);
      const built = events.filter((e) => e.kind === 'build-step' || e.kind === 'build-with-shape').map((e) => e.offset);
      for (const event of events) {
        if (event.kind !== 'save' && (event.kind !== 'export' || event.method !== 'export')) continue;
        if (failedSaveCaught(event.call) || (event.viaCall && failedSaveCaught(event.viaCall))) continue;
        const verdict = judge(context, event, built.some((offset) => offset < event.offset), version);
        if (verdict) report(context, model, event, verdict);
      }
    }
  },
};

type Format = 'keras' | 'h5' | 'savedmodel' | 'unknown';

interface Verdict {
  severity: Severity;
  consequence: string;
  /** Building the model first removes the problem. */
  buildFixes: boolean;
}

const unbuiltSavedModel = '"Model … cannot be saved either because the input shape is not available or because the forward pass of the model is not defined."';
const unbuiltKeras = '"You are saving a model that has not yet been built. It might not contain any weights yet."';
const subclassedH5 = '"Saving the model to HDF5 format requires the model to be a Functional model or a Sequential model. It does not work for subclassed models…"';

function judge(context: RuleContext, event: ModelEvent, built: boolean, version: KerasVersionInfo): Verdict | undefined {
  const major = version.major;
  if (event.kind === 'export') {
    if (built || major === 2) return undefined;
    const early = versionIn(version, [3, 0], [3, 8]) === true;
    const raised = `"The ${early ? 'layer' : 'model'} provided has not yet been built. It must be built before export."`;
    return major === 3
      ? { severity: 'error', consequence: `Keras 3 raises ${raised}`, buildFixes: true }
      : { severity: 'warning', consequence: `exporting fails under Keras 3, which TensorFlow 2.16 and later install, with ${raised}`, buildFixes: true };
  }
  const format = formatOf(context, event);
  if (format === 'h5') {
    if (major === 3) return undefined;
    // HDF5 cannot hold a subclassed model at all: building does not help.
    if (major === 2) return { severity: 'error', consequence: `Keras 2 raises ${subclassedH5}`, buildFixes: false };
    return { severity: 'warning', consequence: `under Keras 2 saving raises ${subclassedH5}`, buildFixes: false };
  }
  if (built) return undefined;
  if (format === 'keras') {
    return { severity: 'warning', consequence: `Keras warns ${unbuiltKeras} and the file holds no weights`, buildFixes: true };
  }
  if (format === 'savedmodel') {
    // Under Keras 3 the extensionless path itself is rejected: KSM502.
    if (major === 3) return undefined;
    return major === 2
      ? { severity: 'error', consequence: `Keras 2 raises ${unbuiltSavedModel}`, buildFixes: true }
      : { severity: 'warning', consequence: `Keras 2 raises ${unbuiltSavedModel} (Keras 3 does not write a SavedModel with \`save\`)`, buildFixes: true };
  }
  return {
    severity: 'warning',
    consequence: major === 3
      ? `a \`.keras\` file would hold no weights (Keras warns ${unbuiltKeras})`
      : `Keras 2 raises ${unbuiltSavedModel} for a SavedModel path, and a \`.keras\` file would hold no weights`,
    buildFixes: true,
  };
}

function formatOf(context: RuleContext, event: ModelEvent): Format {
  const save = saveCallOf(context.facts, event);
  const tail = save?.path && pathTail(context.facts, save.scope, save.path, save.call.startIndex);
  if (!tail) return 'unknown';
  if (tail.tail.endsWith(kerasExtension)) return 'keras';
  return h5Extensions.some((e) => tail.tail.endsWith(e)) ? 'h5' : 'savedmodel';
}

function report(context: RuleContext, model: ModelFact, event: ModelEvent, verdict: Verdict): void {
  const cls = model.subclass!;
  const anchor = event.viaCall ?? event.call;
  const name = `\`${model.name}\``;
  const verb = event.kind === 'export' ? 'exported' : 'saved';
  const instance = `${name} (subclassed model \`${cls.name}\`)`;
  const message = verdict.buildFixes ? `${instance} is ${verb} before anything builds it` : `${instance} cannot be held by HDF5`;
  const detail = verdict.buildFixes
    ? `${sentence(verdict.consequence)} Build it first with \`${model.name}.build(input_shape)\` or a call on data.`
    : `${sentence(verdict.consequence)} Save it to a \`.keras\` file.`;
  context.report({
    node: anchor,
    severity: verdict.severity,
    message,
    detail,
    related: [
      { range: nodeRange(cls.nameNode), message: `\`${cls.name}\` is defined here` },
      { range: nodeRange(model.definition), message: `${name} is created here` },
    ],
    fixes: verdict.buildFixes ? buildFix(context, model, anchor) : [],
    models: [model],
  });
}

function buildFix(context: RuleContext, model: ModelFact, anchor: SyntaxNode): Fix[] {
  if (!/^[A-Za-z_][\w.]*$/.test(model.name)) return [];
  // The data the model is trained or called on later shows the shape; otherwise a placeholder.
  const sample = trainingInputShape(context.facts, model);
  const line = `${model.name}.build(${shapeText([null, ...(sample ?? [1])])})`;
  const edit = insertBefore(statementOf(anchor), line, context.facts.text);
  if (!edit) return [];
  if (sample) return [{ title: `Build \`${model.name}\` first: \`${line}\``, applicability: 'unsafe', edits: [edit], preferred: true }];
  edit.snippet = edit.newText.replace(line, `${model.name}.build((None, \${1:1}))`);
  return [{ title: `Build \`${model.name}\` first: \`${line}\` (check the input shape)`, applicability: 'unsafe', edits: [edit], preferred: true }];
}

/** Inside the body of a `try` of the same function whose handlers catch the error a failed save raises. */
function failedSaveCaught(call: SyntaxNode): boolean {
  return insideTryCatching(call, ['ValueError', 'NotImplementedError'], true);
}
