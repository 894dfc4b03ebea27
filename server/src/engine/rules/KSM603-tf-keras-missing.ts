import { requirementAfter, requirementRange, requirementSite, writeSpecifier, type LegacyKerasUse, type SpecifierWish } from '../analysis/dependency-pins';
import { allowedMinors, compareMinor, onlyMinor, type KerasRequirement } from '../analysis/project-version';
import type { Fix } from '../analysis/types';
import { noFileCheck, type ProjectRule, type ProjectRuleContext } from './rule';

/**
 * The tf-keras pin that goes with a TensorFlow requirement: the same minor when TensorFlow
 * allows one, at least its lowest minor when it is bounded below by 2.16 or later, else none
 * (pip then picks the tf-keras of the TensorFlow it installs, since tf-keras pins TensorFlow).
 */
function tfKerasWish(tensorflow: KerasRequirement): SpecifierWish | undefined {
  if (!tensorflow.allowed) return undefined;
  const only = onlyMinor(tensorflow.allowed);
  if (only && compareMinor(only, [2, 16]) >= 0) return { minor: only };
  const low = allowedMinors(tensorflow.allowed)?.low;
  return low && compareMinor(low, [2, 16]) >= 0 ? { atLeast: `${low[0]}.${low[1]}` } : undefined;
}

function messageOf(tensorflow: KerasRequirement, use: LegacyKerasUse): { message: string; detail: string } {
  const listed = `\`${tensorflow.text}\` is listed without it; ${use.what} is in ${use.where}.`;
  const message = `\`tf-keras\` is not listed, but ${use.what} needs it`;
  if (use.what.includes('TF_USE_LEGACY_KERAS')) {
    return {
      message,
      detail: `${listed} TensorFlow 2.16 and later do not install it, log "Your environment has TF_USE_LEGACY_KERAS set to True, but you ` +
        'do not have the tf_keras package installed. You must install it in order to use the legacy tf.keras. Install it via: ' +
        '`pip install tf_keras`", and the first use of `tf.keras` raises "ImportError: Keras cannot be imported. Check that it is installed."',
    };
  }
  return {
    message,
    detail: `${listed} TensorFlow 2.16 and later do not install it, and \`import tf_keras\` raises "ModuleNotFoundError: No module named 'tf_keras'".`,
  };
}

function fixesOf(tensorflow: KerasRequirement, context: ProjectRuleContext): Fix[] {
  const text = context.texts.get(tensorflow.file);
  const site = text === undefined ? undefined : requirementSite(tensorflow, text);
  const wish = tfKerasWish(tensorflow);
  const edits = site && requirementAfter(site, tensorflow, 'tf-keras', wish, text!);
  if (!edits) return [];
  return [{ title: `Add \`tf-keras${wish ? writeSpecifier(wish, 'pep440') : ''}\` under \`${tensorflow.text}\``, applicability: 'unsafe', edits }];
}

export const tfKerasMissing: ProjectRule = {
  code: 'KSM603',
  name: 'tf-keras-missing',
  summary: 'Code that uses Keras 2 through tf_keras, in a project whose requirements list TensorFlow but not tf-keras',
  severity: 'warning',
  fixSafety: 'unsafe',
  check: 'dependencies',
  docs: {
    what:
      'Reports the `tensorflow` requirement of a project whose Python code uses Keras 2 through the tf_keras package ' +
      '(`import tf_keras`, `from tf_keras import layers`, or `TF_USE_LEGACY_KERAS` set to "1", "true" or "True" in `os.environ`) ' +
      'while none of its requirement files lists `tf-keras` (or `tf_keras`) or `tensorflow-hub`, which requires tf-keras from 0.16 ' +
      'on. A project is the directory of its requirement files, and its code the `.py` files and notebooks below it. A notebook is checked on ' +
      'its own: its live `%pip install` / `!pip install` lines are its requirements, and its code (a `%env TF_USE_LEGACY_KERAS=1` ' +
      'line included) the use; the finding sits on the `tensorflow` package of its install line. A notebook below a project\'s ' +
      'requirement files is also code of that project, its use named by cell and line. The related location is the first such use in the code.',
    why:
      'TensorFlow 2.16 and later install Keras 3 and leave Keras 2 to the separate tf-keras package. Without it, `import tf_keras` ' +
      'raises `ModuleNotFoundError`, and with the variable set TensorFlow logs "Your environment has TF_USE_LEGACY_KERAS set to ' +
      'True, but you do not have the tf_keras package installed. You must install it in order to use the legacy tf.keras. Install ' +
      'it via: `pip install tf_keras`", and the first use of `tf.keras` raises `ImportError: Keras cannot be imported. Check that it ' +
      'is installed.`: the program never gets as far as saving or loading its model.',
    notFlagged:
      'A project without requirement files, or whose requirement files do not list TensorFlow; a project that pins TensorFlow to ' +
      '2.15 or earlier (the variable is then not the route to Keras 2, and `tf.keras` is Keras 2 already); a setting of the ' +
      'variable through `os.putenv` or to another value (KSM604 reports those); a commented-out install line.',
    example: ['# requirements.txt', 'tensorflow>=2.16', '', '# train.py', 'import tf_keras as keras'].join('\n'),
    fixed: ['# requirements.txt', 'tensorflow>=2.16', 'tf-keras>=2.16', '', '# train.py', 'import tf_keras as keras'].join('\n'),
    fix:
      'Unsafe (adds a dependency): add `tf-keras` under the `tensorflow` requirement, in the same form (a requirements line, a ' +
      'quoted list item, a Poetry entry): `tf-keras==2.Y.*` when TensorFlow is pinned to 2.Y, `tf-keras>=2.Y` when it is only ' +
      'bounded below by 2.Y, and `tf-keras` alone otherwise, since tf-keras pins the TensorFlow of its own minor. In a notebook ' +
      'the package is added to the same `pip install` line, quoted when it has a specifier.',
    references: [
      'https://keras.io/getting_started/#tensorflow--keras-2-backwards-compatibility',
      'https://github.com/keras-team/tf-keras',
      'https://github.com/tensorflow/hub/blob/v0.16.1/tensorflow_hub/pip_package/setup.py',
    ],
  },
  run: noFileCheck,
  runProject(context) {
    const use = context.legacyUses[0];
    if (!use) return;
    const { requirements } = context;
    if (requirements.some((r) => r.kind === 'tf-keras' || r.kind === 'tensorflow-hub')) return;
    const tensorflows = requirements.filter((r) => r.kind === 'tensorflow');
    // Pinned to 2.15 or earlier, `tf.keras` is Keras 2 already.
    if (tensorflows.length === 0 || tensorflows.some((r) => r.major === 2)) return;
    const tensorflow = tensorflows[0]!;
    context.report({
      file: tensorflow.file,
      range: requirementRange(tensorflow, context.texts.get(tensorflow.file) ?? ''),
      severity: 'warning',
      ...messageOf(tensorflow, use),
      related: [{ uri: use.file, range: use.range, message: `${use.what} uses Keras 2 from the tf_keras package` }],
      fixes: fixesOf(tensorflow, context),
    });
  },
};
