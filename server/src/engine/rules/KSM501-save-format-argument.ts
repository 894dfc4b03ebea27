import type { SyntaxNode } from '../analysis/syntax';
import { removeArgument } from '../analysis/edits';
import {
  exportCall, h5Extensions, kerasExtension, pathTail, pathWithSuffix, saveCalls, type PathTail, type SaveCall,
} from '../analysis/save-calls';
import { capitalised, nodeRange, sentence, stringValue } from '../analysis/text';
import { exportSince, saveVersion } from '../analysis/save-formats';
import type { Fix, KerasVersionInfo } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const saveFormatArgument: Rule = {
  code: 'KSM501',
  name: 'save-format-argument',
  summary: '`save(path, save_format=...)`, which Keras 3 rejects unless the path ends in `.keras` or `.h5`',
  severity: 'error under Keras 3; warning when the version is unknown or the path already ends in `.keras`/`.h5`; silent under Keras 2',
  fixSafety: 'safe or unsafe by case',
  check: 'save-api',
  docs: {
    what:
      'Flags the `save_format=` argument of a full-model save: `model.save(path, save_format=...)` or ' +
      '`keras.models.save_model(model, path, save_format=...)`, on a model of the file or on any receiver in ' +
      'a file that uses Keras (no other library\'s `save` takes `save_format`).\n\n' +
      'Under Keras 3 it is an **error**, unless the path visibly ends in `.keras`, `.h5` or `.hdf5`: then ' +
      'Keras 3 only warns and ignores the argument, and so does this rule (**warning**). When the Keras version ' +
      'is unknown the finding is a **warning** whose explanation names both behaviours. Under Keras 2 (set, or ' +
      'known from the file) `save_format` is a valid argument (`"tf"` writes a SavedModel directory) and ' +
      'nothing is reported.',
    why:
      'Keras 3, which TensorFlow 2.16 and later install, removed the argument: `model.save("model", ' +
      'save_format="tf")` stops with "ValueError: The `save_format` argument is deprecated in Keras 3. Please ' +
      'remove this argument and pass a file path with either `.keras` or `.h5` extension." Nothing is saved, ' +
      'and a training script ends after its training without a model. A SavedModel for serving is now written by ' +
      '`model.export(path)`.',
    notFlagged:
      'Files under Keras 2; `save` calls on objects of other libraries in files that do not use Keras; ' +
      '`model.export(...)`, `save_weights` and `tf.saved_model.save`.',
    example: [
      'model.fit(x_train, y_train, epochs=5)',
      'model.save("exported/classifier", save_format="tf")',
    ].join('\n'),
    fixed: [
      'model.fit(x_train, y_train, epochs=5)',
      'model.export("exported/classifier")',
    ].join('\n'),
    fix:
      'For `save_format="tf"`: *Export a SavedModel with `model.export(path)`* (preferred), or *save in the ' +
      'Keras format* at the path with `.keras` added (a literal path gets it inside its quotes, ' +
      '`"model.keras"`; a name gets `path + ".keras"`; an unknown expression `f"{path}.keras"`). For `"h5"`: ' +
      'add `.h5` to the path and drop the argument; for `"keras"`: add `.keras` and drop it. All of these are ' +
      'unsafe: the file written changes (its name, or, with `export`, an inference-only SavedModel that ' +
      '`load_model` cannot read back), so whatever reads it must follow.\n\n' +
      'When the path already ends in `.keras`, `.h5` or `.hdf5`: *Remove `save_format`*. It is safe when the ' +
      'argument names the format of the extension, and under Keras 3, which ignores it there; otherwise it is ' +
      'unsafe, since Keras 2 honours `save_format` over the extension. `model.export` exists from Keras 2.12 on: ' +
      'unless Keras 3 or keras 2.12 or later is in evidence, the explanation and the export fix say so. The version ' +
      'is that of the Keras the saved model belongs to.',
    references: [
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/',
      'https://keras.io/api/models/model_saving_apis/export/',
      'https://keras.io/guides/migrating_to_keras_3/',
    ],
  },
  run(context) {
    for (const save of saveCalls(context.facts)) {
      if (!save.saveFormat || !(save.keras || context.facts.imports.usesKeras)) continue;
      const version = saveVersion(context.facts, context.versions, save);
      if (version.major !== 2) check(context, save, save.saveFormat, version);
    }
  },
};

type Format = 'tf' | 'h5' | 'keras';

const formats: Record<string, Format> = { tf: 'tf', tensorflow: 'tf', h5: 'h5', hdf5: 'h5', keras: 'keras' };

function check(context: RuleContext, save: SaveCall, argument: SyntaxNode, version: KerasVersionInfo): void {
  const value = argument.childForFieldName('value');
  const literal = value ? stringValue(value) : undefined;
  const format = literal === undefined ? undefined : formats[literal.trim().toLowerCase()];
  const tail = save.path ? pathTail(context.facts, save.scope, save.path, save.call.startIndex) : undefined;
  const extension = tail && [kerasExtension, ...h5Extensions].find((e) => tail.tail.endsWith(e));
  const known = version.major === 3;
  const argumentText = argument.text;

  let message: string;
  let detail: string;
  if (extension) {
    message = known ? `\`${argumentText}\` is deprecated in Keras 3, which ignores it here` : `\`${argumentText}\` is ignored under Keras 3; Keras 2 honours it`;
    detail = sentence(`${known ? '' : 'Keras 3 deprecates it: '}the path's \`${extension}\` extension decides the format`);
  } else {
    const raised = '"The `save_format` argument is deprecated in Keras 3. Please remove this argument and pass a file path ' +
      'with either `.keras` or `.h5` extension."';
    const unless = tail ? '' : ' unless the path ends in `.keras` or `.h5`';
    const serving = format === 'tf' ? ` \`model.export(path)\`${exportSince(version)} writes a SavedModel.` : '';
    message = known ? `\`${argumentText}\` makes Keras 3 raise an error` : `\`${argumentText}\` fails under Keras 3; fine under Keras 2`;
    detail = sentence(`${known ? 'Keras 3' : 'Keras 3, which TensorFlow 2.16 and later install,'} raises ${raised}${unless}`) + serving;
  }
  context.report({
    node: argument,
    severity: known && !extension ? 'error' : 'warning',
    message,
    detail,
    related: save.models.map((m) => ({ range: nodeRange(m.definition), message: `${capitalised(m.label)} is defined here` })),
    fixes: extension ? [dropFix(known, argument, format, extension)] : fixesFor(save, argument, format, tail, version),
    models: save.models,
  });
}

/** The path ends in an extension Keras 3 accepts: the argument only has to go. */
function dropFix(keras3: boolean, argument: SyntaxNode, format: Format | undefined, extension: string): Fix {
  const matches = extension === kerasExtension ? format === 'keras' : format === 'h5';
  const safe = matches || keras3;
  return {
    title: safe
      ? 'Remove `save_format` (the extension decides the format)'
      : `Remove \`save_format\` (check: Keras 2 would then write the \`${extension}\` format instead)`,
    applicability: safe ? 'safe' : 'unsafe',
    edits: [removeArgument(argument)],
    preferred: true,
  };
}

function fixesFor(save: SaveCall, argument: SyntaxNode, format: Format | undefined, tail: PathTail | undefined, version: KerasVersionInfo): Fix[] {
  const path = save.path;
  if (!path || !format) return [];
  const fixes: Fix[] = [];
  if (format === 'tf') {
    const exported = exportCall(save);
    if (exported) {
      fixes.push({ title: `Export a SavedModel with \`${exported.text}\`${exportSince(version)}`, applicability: 'unsafe', edits: [exported.edit] });
    }
  }
  const suffix = format === 'h5' ? '.h5' : kerasExtension;
  const renamed = pathWithSuffix(path, tail, suffix);
  if (renamed) {
    fixes.push({
      title: format === 'h5' ? `Save as HDF5 to \`${renamed.text}\`` : `Save in the Keras format to \`${renamed.text}\``,
      applicability: 'unsafe',
      edits: [renamed.edit, removeArgument(argument)],
    });
  }
  if (fixes[0]) fixes[0].preferred = true;
  return fixes;
}
