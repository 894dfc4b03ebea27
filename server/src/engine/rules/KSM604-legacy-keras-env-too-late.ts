import { insertBefore, removeStatement, statementOf } from '../analysis/edits';
import { importOf } from '../analysis/implementations';
import { importsTensorflow, legacyOffValues, legacyOnValues, legacyVariable, type LegacySetting } from '../analysis/legacy-keras';
import type { SyntaxNode } from '../analysis/syntax';
import { nodeRange } from '../analysis/text';
import type { Fix } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const legacyKerasEnvTooLate: Rule = {
  code: 'KSM604',
  name: 'legacy-keras-env-too-late',
  summary: '`TF_USE_LEGACY_KERAS` set after TensorFlow is imported, through `os.putenv`, or to a value TensorFlow ignores',
  severity: 'warning; information for a value TensorFlow ignores',
  fixSafety: 'unsafe',
  check: 'dependencies',
  docs: {
    what:
      'Flags a setting of `TF_USE_LEGACY_KERAS` (`os.environ["TF_USE_LEGACY_KERAS"] = …`, ' +
      '`os.environ.setdefault(…)`, `os.environ.update(…)`, or a notebook\'s `%env TF_USE_LEGACY_KERAS=…` / `%set_env` line) that runs after an import that loads TensorFlow: ' +
      '`tensorflow` or any submodule, `tensorflow_hub`, `tf_keras`, `keras` (its TensorFlow backend imports ' +
      'TensorFlow), and `tensorflow_text`, `tensorflow_addons`, `tensorflow_probability`, `keras_nlp`, ' +
      '`keras_cv`, `keras_hub` and `keras_tuner`, which import one of those. "After" follows file order (notebook ' +
      'cells are joined in order); a setting inside a function runs after every module-level import. A **warning**.\n\n' +
      'Also flagged, wherever they appear: `os.putenv("TF_USE_LEGACY_KERAS", …)` (a **warning**), and values ' +
      'other than `"1"`, `"true"` and `"True"`, such as `"TRUE"` or `"yes"` (**information**).',
    why:
      'TensorFlow 2.16 and later read the variable twice. `import tensorflow` decides once which package ' +
      '`from tensorflow.keras import …` and `import tensorflow.keras` resolve to, and imports that side\'s ' +
      'optimizers; the `tf.keras` attribute is routed at its first use. A setting made in between leaves the ' +
      'import statements on Keras 3 while `tf.keras.X` may switch to tf_keras, so one program mixes two Keras ' +
      'class hierarchies (KSM601). `os.putenv` never changes `os.environ`, which is what TensorFlow reads, so it ' +
      'has no effect at all; and TensorFlow compares the value with "1", "true" and "True" only, so any other ' +
      'spelling leaves `tf.keras` on Keras 3.',
    notFlagged:
      'Settings made before the first import that loads TensorFlow; deliberate off values (`"0"`, `"false"`, ' +
      '`"False"`, `""`); imports of other libraries, which are not known to load TensorFlow.',
    example: [
      'import os',
      'import tensorflow as tf',
      '',
      'os.environ["TF_USE_LEGACY_KERAS"] = "1"',
    ].join('\n'),
    fixed: [
      'import os',
      'os.environ["TF_USE_LEGACY_KERAS"] = "1"',
      'import tensorflow as tf',
    ].join('\n'),
    fix:
      'Move the setting above the import that loads TensorFlow, with `import os` when it is not imported before ' +
      'there (unsafe: the import order changes); offered for a statement of the module itself, not for one inside ' +
      'a function or block. For `os.putenv`, write `os.environ[…] = …` instead (unsafe: safe in ' +
      'intent, but it makes a setting take effect that did nothing before); a late `os.putenv` is moved and ' +
      'rewritten at once. A late `%env` line is moved above the import as it is written, when it stands at the top level ' +
      'of its cell. A value TensorFlow ignores has no fix, since only its author knows what was meant.',
    references: [
      'https://keras.io/getting_started/#tensorflow--keras-2-backwards-compatibility',
      'https://docs.python.org/3/library/os.html#os.putenv',
    ],
  },
  run(context) {
    for (const setting of context.versions.legacy) {
      if (setting.value !== undefined && legacyOffValues.has(setting.value)) continue;
      if (setting.value !== undefined && !legacyOnValues.has(setting.value)) {
        context.report({
          range: setting.range,
          severity: 'information',
          message: `TensorFlow ignores \`${legacyVariable}\` set to "${setting.value}"`,
          detail: 'It reads the variable as on only for "1", "true" or "True", so `tf.keras` stays Keras 3 under TensorFlow 2.16 and later.',
        });
        continue;
      }
      const late = setting.tensorflowImport;
      if (!late && setting.how !== 'putenv') continue;
      const putenv = setting.how === 'putenv' ? '`os.putenv` does not change `os.environ`, which is what TensorFlow reads' : undefined;
      const message = late
        ? `\`${legacyVariable}\` is set after ${importLabel(late)} (line ${late.startPosition.row + 1}) has loaded TensorFlow`
        : putenv!;
      const detail = late
        ? '`from tensorflow.keras import …` stays on Keras 3 while `tf.keras.X` may switch to tf_keras at its first use, ' +
          `mixing the two.${putenv ? ` Besides, ${putenv}: the setting has no effect.` : ''}`
        : 'The setting has no effect.';
      const fix = !late ? putenvFix(context, setting) : setting.magic !== undefined ? moveMagicFix(context, setting, setting.magic, late) : moveFix(context, setting, late);
      context.report({
        range: setting.range,
        severity: 'warning',
        message,
        detail,
        ...(late ? { related: [{ range: nodeRange(late), message: 'TensorFlow is loaded here' }] } : {}),
        fixes: fix ? [fix] : [],
      });
    }
  },
};

function importLabel(statement: SyntaxNode): string {
  const text = statement.text;
  return text.length <= 40 && !text.includes('\n') ? `\`${text}\`` : 'an import';
}

/** `os.environ["TF_USE_LEGACY_KERAS"] = value` in place of an `os.putenv` call, in the file's spelling of `os`. */
function environAssignment(context: RuleContext, setting: LegacySetting): string | undefined {
  const callee = setting.node?.childForFieldName('function');
  const os = callee?.type === 'attribute' ? callee.childForFieldName('object')?.text : context.facts.imports.localName('os');
  if (!os || !setting.valueNode) return undefined;
  return `${os}.environ["${legacyVariable}"] = ${setting.valueNode.text}`;
}

function putenvFix(context: RuleContext, setting: LegacySetting): Fix | undefined {
  if (!setting.node) return undefined;
  const statement = statementOf(setting.node);
  const assignment = environAssignment(context, setting);
  if (!assignment || statement.type !== 'expression_statement' || statement.firstNamedChild !== setting.node) return undefined;
  return {
    title: `Set it in \`os.environ\`: \`${assignment}\``,
    applicability: 'unsafe',
    preferred: true,
    edits: [{ range: nodeRange(setting.node), newText: assignment }],
  };
}

/** The setting moved above the import that loads TensorFlow, with the import of `os` it needs. */
function moveFix(context: RuleContext, setting: LegacySetting, late: SyntaxNode): Fix | undefined {
  const text = context.facts.text;
  if (!setting.node) return undefined;
  const statement = statementOf(setting.node);
  const target = statementOf(late);
  if (statement.parent?.type !== 'module') return undefined;
  const removed = removeStatement(statement, text);
  if (!removed) return undefined;
  let body = removed.body;
  if (setting.how === 'putenv') {
    const assignment = environAssignment(context, setting);
    if (!assignment || statement.firstNamedChild !== setting.node || statement.text !== setting.node.text) return undefined;
    body = [assignment];
  }
  const osImport = osImportLine(context, setting, target);
  if (osImport === undefined) return undefined;
  const inserted = insertBefore(target, osImport ? [osImport, ...body] : body, text);
  if (!inserted) return undefined;
  return {
    title: `Move the setting above ${importLabel(target)}`,
    applicability: 'unsafe',
    preferred: true,
    edits: [inserted, removed.edit],
  };
}

/**
 * A notebook's `%env` line moved above the import that loads TensorFlow (into its cell). Only a
 * line at the top level of its cell: one in a block may be all the block holds.
 */
function moveMagicFix(context: RuleContext, setting: LegacySetting, magic: string, late: SyntaxNode): Fix | undefined {
  const text = context.facts.text;
  const { line, character } = setting.range.start;
  const target = statementOf(late);
  if (character !== 0 || target.parent?.type !== 'module') return undefined;
  const inserted = insertBefore(target, [magic], text);
  if (!inserted) return undefined;
  const lines = text.split('\n');
  // The line with its line break; the last line of the program takes the one before it.
  const removed = line + 1 < lines.length
    ? { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }
    : { start: { line: line - 1, character: lines[line - 1]!.replace(/\r$/, '').length }, end: setting.range.end };
  return {
    title: `Move \`${magic}\` above ${importLabel(target)}`,
    applicability: 'unsafe',
    preferred: true,
    edits: [inserted, { range: removed, newText: '' }],
  };
}

/**
 * The import the moved setting needs before `target`: '' when the name it reads `os` through is
 * imported earlier; the import binding it otherwise (`import os`); undefined when none can be written.
 */
function osImportLine(context: RuleContext, setting: LegacySetting, target: SyntaxNode): string | undefined {
  const reference = setting.node?.type === 'assignment'
    ? setting.node.childForFieldName('left')?.childForFieldName('value')
    : setting.node?.childForFieldName('function');
  if (!reference) return undefined;
  const binding = importOf(context.facts, reference);
  if (!binding) return undefined;
  if (binding.startIndex < target.startIndex) return '';
  let root = reference;
  while (root.type === 'attribute') root = root.childForFieldName('object')!;
  if (root.text === 'os') return 'import os';
  const modules = binding.type === 'import_from_statement'
    ? [binding.childForFieldName('module_name')?.text ?? '']
    : binding.childrenForFieldName('name').map((n) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text ?? '' : n.text));
  const loadsTensorflow = modules.some(importsTensorflow);
  return loadsTensorflow || binding.text.includes('\n') ? undefined : binding.text;
}
