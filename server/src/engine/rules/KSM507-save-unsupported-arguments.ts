import type { SyntaxNode } from '../analysis/syntax';
import { modelKerasName } from '../analysis/checkpoints';
import { removeArgument, replaceNode } from '../analysis/edits';
import { callArguments } from '../analysis/facts';
import { exportCall, pathTail, saveCalls, type SaveCall } from '../analysis/save-calls';
import { capitalised, nodeRange } from '../analysis/text';
import type { Fix, KerasVersionInfo, Severity } from '../analysis/types';
import { versionIn } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

export const saveUnsupportedArguments: Rule = {
  code: 'KSM507',
  name: 'save-unsupported-arguments',
  summary: '`model.save(...)` with `signatures=`, `options=`, `save_traces=` (or `include_optimizer=` for `.keras`), which the Keras format does not take',
  severity: 'error under Keras 3, and under Keras 2.13–2.15 for a `.keras` path; warning when the version is unknown; information for `include_optimizer` with `.keras` under Keras 3',
  fixSafety: 'safe or unsafe by case',
  check: 'save-api',
  docs: {
    what:
      'Flags the first of `signatures=`, `options=` and `save_traces=` passed to a full-model save ' +
      '(`model.save(path, ...)`, `keras.models.save_model(model, path, ...)`):\n\n' +
      '- under Keras 3 (the implementation of the saved model or of `save_model`), whatever the path: an ' +
      '**error**;\n' +
      '- under Keras 2.13–2.15 when the path ends in `.keras`, `include_optimizer=` included: an **error** (a ' +
      '**warning** when the Keras 2 minor is unknown, since 2.12 and older write a SavedModel folder there); a ' +
      'SavedModel or HDF5 path under Keras 2 is not flagged;\n' +
      '- with the version unknown: a **warning** whose explanation names both behaviours.\n\n' +
      '`include_optimizer=` with a `.keras` path under Keras 3 is **information**: Keras 3 ignores it. When the ' +
      'call also passes `save_format=`, KSM501 reports it and this rule does not, since Keras 3 checks ' +
      '`save_format` first.',
    why:
      'These arguments belong to the TensorFlow SavedModel writer of Keras 2. Keras 3, which TensorFlow 2.16 and ' +
      'later install, raises "The following argument(s) are not supported: [\'signatures\']" before it even looks ' +
      'at the path, and Keras 2.13–2.15 raise "The following argument(s) are not supported with the native Keras ' +
      'format: [\'signatures\']" for a `.keras` file (`Model.save` passes `include_optimizer` on, so it raises ' +
      'too). Keras 3 keeps `include_optimizer` only for `.h5`: a `.keras` file holds the optimizer state anyway.',
    notFlagged:
      'SavedModel and `.h5` paths under Keras 2; `include_optimizer=` with a `.h5` path, or with a path whose end is ' +
      'not visible under Keras 3; calls with `save_format=` that KSM501 reports; `tf.saved_model.save(...)` and ' +
      '`model.export(...)`, which take their own arguments.',
    example: [
      'model.save("exported/classifier.keras", signatures=serving_fn)',
    ].join('\n'),
    fixed: [
      'tf.saved_model.save(model, "exported/classifier.keras", signatures=serving_fn)',
    ].join('\n'),
    fix:
      'For `signatures=`/`options=`: *write a TensorFlow SavedModel with `tf.saved_model.save(model, path, ' +
      'signatures=…, options=…)`* (unsafe: a TensorFlow SavedModel, not a Keras file; offered when the file imports ' +
      'TensorFlow), or *export with `model.export(path)`* (unsafe: an inference-only SavedModel; custom endpoints ' +
      'need a `keras.export.ExportArchive`). For `include_optimizer=` with a `.keras` path, when it is the only such ' +
      'argument: *remove it*, safe under Keras 2.13–2.15 (where it raised) and Keras 3 (which ignores it), unsafe ' +
      'otherwise.',
    references: [
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/',
      'https://keras.io/api/models/model_saving_apis/export/',
      'https://www.tensorflow.org/api_docs/python/tf/saved_model/save',
    ],
  },
  run(context) {
    for (const save of saveCalls(context.facts)) {
      if (!save.keras) continue;
      // KSM501 reports `save_format` wherever the file is not Keras 2; Keras 3 raises on it first.
      if (save.saveFormat && context.version.major !== 2) continue;
      check(context, save);
    }
  },
};

const tracedArguments = ['signatures', 'options', 'save_traces'];

function check(context: RuleContext, save: SaveCall): void {
  const { keywordNodes } = callArguments(save.call);
  const traced = tracedArguments.map((name) => keywordNodes.get(name)).filter((n): n is SyntaxNode => n !== undefined);
  const includeOptimizer = keywordNodes.get('include_optimizer');
  if (traced.length === 0 && !includeOptimizer) return;
  const version = context.versions.at(versionName(context, save));
  const tail = save.path && pathTail(context.facts, save.scope, save.path, save.call.startIndex);
  const kerasFile = tail?.tail.endsWith('.keras') === true;
  const byOrder = (a: SyntaxNode, b: SyntaxNode) => a.startIndex - b.startIndex;
  const native = [...traced, ...(includeOptimizer ? [includeOptimizer] : [])].sort(byOrder);
  const listed = (nodes: SyntaxNode[]) => `[${nodes.map((n) => `'${n.childForFieldName('name')?.text}'`).join(', ')}]`;
  const keras3 = `"The following argument(s) are not supported: ${listed(traced)}"`;
  const keras2 = `"The following argument(s) are not supported with the native Keras format: ${listed(native)}"`;

  // In the order Keras lists them in its message.
  const named = (nodes: SyntaxNode[]) => nodes.map((n) => `\`${n.childForFieldName('name')?.text}\``).join(', ');
  const tracedNames = named(traced);
  let anchor: SyntaxNode;
  let severity: Severity;
  let message: string;
  let detail: string;
  if (version.major === 3) {
    if (traced.length > 0) {
      [anchor, severity] = [traced.sort(byOrder)[0]!, 'error'];
      message = `Keras 3's \`save\` does not support ${tracedNames}`;
      detail = `Keras 3 raises ${keras3}: its \`save\` writes only the Keras format, whatever the path.`;
    } else if (includeOptimizer && kerasFile) {
      [anchor, severity] = [includeOptimizer, 'information'];
      message = 'Keras 3 ignores `include_optimizer` for a `.keras` file';
      detail = 'The optimizer state is written anyway.';
    } else {
      return;
    }
  } else if (version.major === 2) {
    const recent = versionIn(version, [2, 13], [2, 16]);
    if (!kerasFile || recent === false) return;
    [anchor, severity] = [native[0]!, recent ? 'error' : 'warning'];
    message = `${recent ? 'Keras' : 'Keras 2.13–2.15'} ${recent ? 'rejects' : 'reject'} ${named(native)} for a \`.keras\` path`;
    detail = recent
      ? `Keras raises ${keras2}.`
      : `Keras 2.13–2.15 raise ${keras2}; 2.12 and older write a SavedModel folder of that name.`;
  } else if (traced.length > 0) {
    [anchor, severity] = [traced.sort(byOrder)[0]!, 'warning'];
    message = `${capitalised(tracedNames)} ${traced.length > 1 ? 'fail' : 'fails'} under Keras 3's \`save\``;
    detail = `Saving fails under Keras 3, which TensorFlow 2.16 and later install, with ${keras3}` +
      (kerasFile ? `; Keras 2.13–2.15 raise ${keras2} for a \`.keras\` path.` : '; Keras 2 accepts it for a SavedModel or `.h5` path.');
  } else if (includeOptimizer && kerasFile) {
    [anchor, severity] = [includeOptimizer, 'warning'];
    message = 'Keras 2.13–2.15 reject `include_optimizer` for a `.keras` path; Keras 3 ignores it';
    detail = `Keras 2.13–2.15 raise ${keras2}; Keras 3 ignores \`include_optimizer\` there and writes the optimizer state anyway.`;
  } else {
    return;
  }
  context.report({
    node: anchor,
    severity,
    message,
    detail,
    related: save.models.map((m) => ({ range: nodeRange(m.definition), message: `\`${m.name}\` is defined here` })),
    fixes: includeOptimizer && anchor.id === includeOptimizer.id ? removeFix(includeOptimizer, native.length, version) : savedModelFixes(context, save, traced),
    models: save.models,
  });
}

/** The Keras name whose implementation runs the save: `save_model` itself, or the model saved. */
function versionName(context: RuleContext, save: SaveCall): SyntaxNode | undefined {
  const callee = save.call.childForFieldName('function');
  if (callee && context.facts.imports.keras(callee)) return callee;
  const model = save.models[0];
  return model && modelKerasName(context.facts, model);
}

function removeFix(argument: SyntaxNode, unsupported: number, version: KerasVersionInfo): Fix[] {
  // With other unsupported arguments left, removing this one alone fixes nothing.
  if (unsupported > 1) return [];
  const safe = version.major === 3 || versionIn(version, [2, 13], [2, 16]) === true;
  return [{
    title: safe ? 'Remove `include_optimizer`' : 'Remove `include_optimizer` (check: Keras 2.12 and older honour it)',
    applicability: safe ? 'safe' : 'unsafe',
    edits: [removeArgument(argument)],
    preferred: true,
  }];
}

function savedModelFixes(context: RuleContext, save: SaveCall, traced: SyntaxNode[]): Fix[] {
  const fixes: Fix[] = [];
  const tf = context.facts.imports.localName('tensorflow');
  const kept = traced.filter((n) => n.childForFieldName('name')?.text !== 'save_traces');
  if (tf && save.target && save.path && kept.length > 0) {
    const text = `${tf}.saved_model.save(${[save.target.text, save.path.text, ...kept.map((n) => n.text)].join(', ')})`;
    fixes.push({
      title: `Write a TensorFlow SavedModel with \`${text}\` (not a Keras file)`,
      applicability: 'unsafe',
      edits: [replaceNode(save.call, text)],
    });
  }
  const exported = exportCall(save);
  if (exported) {
    fixes.push({
      title: `Export an inference-only SavedModel with \`${exported.text}\` (custom endpoints need an \`ExportArchive\`)`,
      applicability: 'unsafe',
      edits: [exported.edit],
    });
  }
  if (fixes[0]) fixes[0].preferred = true;
  return fixes;
}
