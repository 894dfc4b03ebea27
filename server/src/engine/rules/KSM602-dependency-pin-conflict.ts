import {
  pinConflicts,
  requirementRange,
  requirementSite,
  specifierEdit,
  tensorflowMinorForTfKeras,
  type PinConflict,
} from '../analysis/dependency-pins';
import type { KerasRequirement } from '../analysis/project-version';
import type { Fix, TextEdit } from '../analysis/types';
import { noFileCheck, type ProjectRule, type ProjectRuleContext } from './rule';

const minorText = (minor: readonly [number, number]) => `${minor[0]}.${minor[1]}`;

/** "line 3" in the same file, "pyproject.toml, line 3" in another. */
function whereIs(requirement: KerasRequirement, from: KerasRequirement): string {
  const line = requirement.line === undefined ? '' : `line ${requirement.line}`;
  if (requirement.file === from.file) return line;
  return line ? `${requirement.file}, ${line}` : requirement.file;
}

function messageOf(conflict: PinConflict): { message: string; detail: string } {
  const { keras, tensorflow } = conflict;
  const pair = `\`${keras.text}\` cannot be installed with \`${tensorflow.text}\``;
  const required = `\`${tensorflow.text}\` is required at ${whereIs(tensorflow, keras)}.`;
  const minor = conflict.minor && minorText(conflict.minor);
  switch (conflict.case) {
    case 'a':
      return {
        message: pair,
        detail: `${required} TensorFlow 2.16 and later require Keras 3, so pip stops with "ResolutionImpossible". ` +
          'Require `keras>=3`, or keep Keras 2 with TensorFlow before 2.16 or with the `tf-keras` package.',
      };
    case 'b': {
      const next = `${conflict.minor![0]}.${conflict.minor![1] + 1}`;
      return { message: pair, detail: `${required} TensorFlow ${minor} depends on keras>=${minor},<${next}, so pip stops with "ResolutionImpossible".` };
    }
    case 'c': {
      const next = `${conflict.minor![0]}.${conflict.minor![1] + 1}`;
      return { message: pair, detail: `${required} tf-keras ${minor} depends on tensorflow>=${minor},<${next}, so pip stops with "ResolutionImpossible".` };
    }
    case 'd':
      return {
        message: `\`${keras.text}\` does not match \`${tensorflow.text}\``,
        detail: `${required} tf-keras 2.15 declares no dependency, so pip installs both, and the mismatch breaks only when \`tf_keras\` is imported.`,
      };
  }
}

function fixesOf(conflict: PinConflict, context: ProjectRuleContext): Fix[] {
  const { keras, tensorflow } = conflict;
  const kerasText = context.texts.get(keras.file);
  const site = kerasText === undefined ? undefined : requirementSite(keras, kerasText);
  if (!site) return [];
  const fixes: Fix[] = [];
  const add = (title: string, edits: Array<TextEdit | undefined>) => {
    if (edits.length > 0 && edits.every((e): e is TextEdit => e !== undefined)) fixes.push({ title, applicability: 'unsafe', edits });
  };
  const tfKerasMinor = tensorflowMinorForTfKeras(tensorflow);
  switch (conflict.case) {
    case 'a': {
      add('Require Keras 3: `keras>=3`', [specifierEdit(site, { atLeast: '3' }, keras.dialect)]);
      // The opposite rewrite edits the TensorFlow line, which a fix can do only in the same file.
      const tensorflowSite = tensorflow.file === keras.file && kerasText !== undefined ? requirementSite(tensorflow, kerasText) : undefined;
      if (tensorflowSite) add('Keep Keras 2 with TensorFlow before 2.16: `tensorflow<2.16`', [specifierEdit(tensorflowSite, { below: '2.16' }, tensorflow.dialect)]);
      if (tfKerasMinor) {
        add(`Keep Keras 2 on TensorFlow ${minorText(tfKerasMinor)} with the legacy package: \`tf-keras==${minorText(tfKerasMinor)}.*\``, [
          { range: site.name, newText: 'tf-keras' },
          specifierEdit(site, { minor: tfKerasMinor }, keras.dialect),
        ]);
      }
      break;
    }
    case 'b':
      add(`Pin the Keras of TensorFlow ${minorText(conflict.minor!)}: \`keras==${minorText(conflict.minor!)}.*\``, [specifierEdit(site, { minor: conflict.minor! }, keras.dialect)]);
      break;
    case 'c':
    case 'd':
      if (tfKerasMinor) add(`Match TensorFlow ${minorText(tfKerasMinor)}: \`tf-keras==${minorText(tfKerasMinor)}.*\``, [specifierEdit(site, { minor: tfKerasMinor }, keras.dialect)]);
      break;
  }
  return fixes;
}

export const dependencyPinConflict: ProjectRule = {
  code: 'KSM602',
  name: 'dependency-pin-conflict',
  summary: 'A keras or tf-keras pin that the TensorFlow pin of the same environment cannot be installed with',
  severity: 'error; warning for tf-keras 2.15',
  fixSafety: 'unsafe',
  check: 'dependencies',
  docs: {
    what:
      'Compares the `keras` and `tf-keras` requirements of a project with its `tensorflow` requirement (also `tensorflow-cpu`, ' +
      '`-macos`, `-intel` and the other TensorFlow distributions), across all its requirement files (`requirements*.txt`, ' +
      '`pyproject.toml`, `setup.cfg`, `setup.py`, `environment.yml`) of one directory, which are one environment. Both specifiers must be explicit; ' +
      'Poetry tables are read by Poetry\'s rules (`^2.16` is `>=2.16,<3.0`, `~2.15` is `>=2.15,<2.16`, a bare `2.15.0` is exact). ' +
      'It reports (a) TensorFlow >= 2.16 with keras < 3; (b) TensorFlow of one minor 2.7 to 2.15 with a keras spec that excludes ' +
      'that minor (including `keras>=3`); (c) tf-keras of one minor 2.16 or later with a TensorFlow spec that excludes that minor; ' +
      'and, as a warning, (d) tf-keras 2.15 with a TensorFlow spec that excludes 2.15. The finding is on the keras (or tf-keras) ' +
      'requirement, with the TensorFlow requirement as related information.\n\n' +
      'A notebook\'s live `%pip install` / `!pip install` lines (and the `pip install` lines of a `%%bash` cell) are one environment ' +
      'of their own, checked the same way: the finding sits on the package in its install line, and its fixes edit that line.',
    why:
      'TensorFlow 2.7 to 2.15 pin keras to their own minor (`keras>=2.15,<2.16` for TensorFlow 2.15), TensorFlow 2.16 and later ' +
      'install Keras 3, and tf-keras 2.16 and later pin TensorFlow to their own minor. pip cannot satisfy such pins together and ' +
      'stops: "The conflict is caused by: ... tensorflow 2.11.1 depends on keras<2.12 and >=2.11.0 ... ResolutionImpossible". ' +
      'tf-keras 2.15 declares no dependency at all, so pip installs it beside any TensorFlow, and the mismatch shows only when ' +
      '`tf_keras` is imported. Either way the environment that is meant to save and reload the model never exists.',
    notFlagged:
      'Requirements with different environment markers (`; python_version < "3.9"`, Poetry `markers`/`python`/`platform`), which ' +
      'are never installed together; names without a version on either side; TensorFlow up to 2.6, whose relation to keras ' +
      'differs (2.6.0 and 2.6.1 declared `keras~=2.6`, which let keras 2.7 in); a commented-out requirement, or a commented-out ' +
      'install line of a notebook (`# !pip install …`), which is version evidence only.',
    example: ['# requirements.txt', 'tensorflow>=2.16', 'keras<3'].join('\n'),
    fixed: ['# requirements.txt', 'tensorflow>=2.16', 'keras>=3'].join('\n'),
    fix:
      'Unsafe (each picks a version): rewrite the keras spec to the one TensorFlow needs: `keras>=3` for (a), `keras==2.Y.*` for ' +
      '(b), `tf-keras==2.Y.*` matching TensorFlow\'s minor for (c) and (d). For (a), two opposite rewrites are offered too: ' +
      '`tensorflow<2.16` (when the TensorFlow requirement is in the same file), or `tf-keras==2.Y.*` in place of keras, for ' +
      'Keras 2 on TensorFlow 2.Y >= 2.16 (through `import tf_keras` or `TF_USE_LEGACY_KERAS`).',
    references: [
      'https://github.com/keras-team/keras/issues/19390',
      'https://github.com/tensorflow/tensorflow/issues/62825',
      'https://github.com/keras-team/tf-keras/blob/v2.16.0/oss_setup.py',
      'https://keras.io/getting_started/#tensorflow--keras-2-backwards-compatibility',
    ],
  },
  run: noFileCheck,
  runProject(context) {
    for (const conflict of pinConflicts(context.requirements)) {
      const { keras, tensorflow } = conflict;
      const text = context.texts.get(keras.file) ?? '';
      const tensorflowText = context.texts.get(tensorflow.file) ?? '';
      context.report({
        file: keras.file,
        range: requirementRange(keras, text),
        severity: conflict.case === 'd' ? 'warning' : 'error',
        ...messageOf(conflict),
        related: [{ uri: tensorflow.file, range: requirementRange(tensorflow, tensorflowText), message: `\`${tensorflow.text}\` is required here` }],
        fixes: fixesOf(conflict, context),
      });
    }
  },
};
