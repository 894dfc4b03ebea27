import type { SyntaxNode } from '../analysis/syntax';
import {
  exportCall, hasSaveExtension, kerasExtension, pathTail, pathWithSuffix, saveCalls, suggestsServing, type PathTail, type SaveCall,
} from '../analysis/save-calls';
import { capitalised, nodeRange } from '../analysis/text';
import { exportSince, saveVersion } from '../analysis/save-formats';
import type { Fix, KerasVersionInfo } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const savePathWithoutExtension: Rule = {
  code: 'KSM502',
  name: 'save-path-without-extension',
  summary: '`model.save(path)` with a path that has no `.keras` or `.h5` extension, which Keras 3 rejects',
  severity: 'error under Keras 3; warning when the version is unknown; silent under Keras 2',
  fixSafety: 'unsafe',
  check: 'save-api',
  docs: {
    what:
      'Flags the path of a full-model save (`model.save(path)`, `keras.models.save_model(model, path)`) when ' +
      'its end can be read and is not `.keras`, `.h5` or `.hdf5`, and no `save_format=` is given (KSM501 covers ' +
      'that). The end can be read from a string literal, an f-string whose last part is literal ' +
      '(`f"{out_dir}/model"`), `a + "/model"`, `base / "model"`, `os.path.join(..., "model")`, or a name bound ' +
      'once, in the same scope, to one of these. A path whose end is computed (`f"models/{name}"`, a parameter, ' +
      'a command-line argument) is not flagged.\n\n' +
      'Only saves that surely save a Keras model count: a model of the file, Keras\'s `save_model`, ' +
      '`self.model` in a Keras callback, `self` in a Keras model class, or a name that is compiled or fitted in ' +
      'the same scope. `checkpoint.save("ckpt")`, a gensim model\'s `save` and the like stay silent.\n\n' +
      'Under Keras 3 it is an **error**; with the version unknown, a **warning** whose explanation names both ' +
      'behaviours. Under Keras 2 (set, or known from the file) `model.save("dir")` writes a SavedModel ' +
      'directory, which is valid there, and nothing is reported.',
    why:
      'Keras 3, which TensorFlow 2.16 and later install, picks the format from the extension alone and stops ' +
      'with "Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras ' +
      'format (recommended) or a `.h5` extension. Use `model.export(filepath)` if you want to export a ' +
      'SavedModel for use with TFLite/TFServing/etc." The classic `model.save("saved_model/my_model")` of TF 2 ' +
      'tutorials therefore saves nothing, after the whole training has run.',
    notFlagged:
      'Paths that end in `.keras`, `.h5` or `.hdf5`; paths whose end is not visible; saves with `save_format=` ' +
      '(KSM501); `save` on receivers that are not known to be Keras models; `export`, `save_weights` and ' +
      '`tf.saved_model.save`; files under Keras 2.',
    example: [
      'model.fit(x_train, y_train, epochs=5)',
      'model.save("saved_model/classifier")',
    ].join('\n'),
    fixed: [
      'model.fit(x_train, y_train, epochs=5)',
      'model.export("saved_model/classifier")',
    ].join('\n'),
    fix:
      'Two fixes: *Export a SavedModel with `model.export(path)`*, and *save in the Keras format* with `.keras` ' +
      'added to the path (inside the quotes of a literal, `"out/model.keras"`, dropping a trailing slash; ' +
      '`path + ".keras"` for a name bound to a string). The export is preferred when the path or its name ' +
      'suggests serving (`serving`, `serve`, `export`, `saved_model`, `tfserving`, or a numbered version ' +
      'directory such as `models/classifier/1`); otherwise the `.keras` file is. Both are unsafe: the artifact ' +
      'changes (a `.keras` archive at another path, or an inference-only SavedModel that `load_model` cannot ' +
      'read back), so the code or service that reads it must follow. `model.export` exists from Keras 2.12 on: ' +
      'unless Keras 3 or keras 2.12 or later is in evidence, the explanation and the export fix say so.\n\n' +
      'The version is that of the Keras the saved model belongs to (its constructor\'s or base class\'s import).',
    references: [
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/',
      'https://keras.io/api/models/model_saving_apis/export/',
      'https://keras.io/guides/migrating_to_keras_3/',
    ],
  },
  run(context) {
    for (const save of saveCalls(context.facts)) {
      if (!save.keras || save.saveFormat || !save.path) continue;
      const version = saveVersion(context.facts, context.versions, save);
      if (version.major === 2) continue;
      const tail = pathTail(context.facts, save.scope, save.path, save.call.startIndex);
      if (tail && !hasSaveExtension(tail.tail)) report(context, save, save.path, tail, version);
    }
  },
};

const invalidExtension =
  '"Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras format ' +
  '(recommended) or a `.h5` extension."';

function report(context: RuleContext, save: SaveCall, path: SyntaxNode, tail: PathTail, version: KerasVersionInfo): void {
  const shown = path.text.length <= 40 && !path.text.includes('\n') ? `\`${path.text}\`` : 'the path';
  const message = `${capitalised(shown)} has no \`.keras\` or \`.h5\` extension, which Keras 3 requires`;
  const detail = version.major === 3
    ? `Keras 3 raises ${invalidExtension} (\`model.export(path)\` writes a SavedModel).`
    : `Saving fails under Keras 3, which TensorFlow 2.16 and later install, with ${invalidExtension} Under Keras 2 it ` +
      `writes a SavedModel directory; \`model.export(path)\`${exportSince(version)} writes one under both.`;
  context.report({
    node: path,
    severity: version.major === 3 ? 'error' : 'warning',
    message,
    detail,
    related: save.models.map((m) => ({ range: nodeRange(m.definition), message: `${capitalised(m.label)} is defined here` })),
    fixes: fixesFor(save, path, tail, version),
    models: save.models,
  });
}

function fixesFor(save: SaveCall, path: SyntaxNode, tail: PathTail, version: KerasVersionInfo): Fix[] {
  const fixes: Fix[] = [];
  const exported = exportCall(save);
  if (exported) {
    fixes.push({ title: `Export a SavedModel with \`${exported.text}\`${exportSince(version)}`, applicability: 'unsafe', edits: [exported.edit] });
  }
  const renamed = pathWithSuffix(path, tail, kerasExtension);
  if (renamed) {
    fixes.push({ title: `Save in the Keras format to \`${renamed.text}\``, applicability: 'unsafe', edits: [renamed.edit] });
  }
  // The serving export first when the path says the model is for serving; the `.keras` file otherwise.
  if (!suggestsServing(`${path.text} ${tail.tail}`) && exported) fixes.reverse();
  if (fixes[0]) fixes[0].preferred = true;
  return fixes;
}
