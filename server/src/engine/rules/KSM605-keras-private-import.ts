import { replaceNode, startsLine } from '../analysis/edits';
import type { SyntaxNode } from '../analysis/syntax';
import { insideTryCatching } from '../analysis/semantic';
import { eolOf, indentOf } from '../analysis/text';
import type { Fix, KerasVersionInfo, Severity } from '../analysis/types';
import { versionIn } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

type PrivatePath = 'keras.engine' | 'keras.src.engine' | 'keras.src' | 'tensorflow.keras.engine';

const privatePaths: PrivatePath[] = ['keras.engine', 'keras.src.engine', 'keras.src', 'tensorflow.keras.engine'];

/** The private path a module lies under, the most specific first. */
function privatePathOf(module: string): PrivatePath | undefined {
  return privatePaths.find((p) => module === p || module.startsWith(p + '.'));
}

/** Where the public API has each mapped name, by the engine submodule it is imported from ('' for the package). */
const publicHomes: Record<string, { from: readonly string[]; module: string }> = {
  Layer: { from: ['', '.topology', '.base_layer'], module: '.layers' },
  InputSpec: { from: ['', '.topology', '.base_layer', '.input_spec'], module: '.layers' },
  Model: { from: ['.training'], module: '' },
  Input: { from: ['.input_layer'], module: '' },
};

export const kerasPrivateImport: Rule = {
  code: 'KSM605',
  name: 'keras-private-import',
  summary: 'An import of a private Keras module (`keras.engine`, `keras.src`, `tensorflow.keras.engine`) that moved or never existed',
  severity: 'error or warning by version; information for other `keras.src` imports',
  fixSafety: 'safe',
  check: 'dependencies',
  docs: {
    what:
      'Flags imports of private module paths:\n\n' +
      '- `keras.engine` and its submodules (`import keras.engine as KE`, `from keras.engine.topology import ' +
      'Layer`, `from keras import engine`): an **error** with evidence of keras 2.13 or later (Keras 3 ' +
      'included), a **warning** when the version is unknown, nothing with evidence of keras 2.12 or older. ' +
      '`keras.engine` imports are not that evidence here (the flagged ones, and guarded ones with a fallback), ' +
      'though other rules read them as such.\n' +
      '- `keras.src.engine…`, which only keras 2.13–2.15 have: an **error** under Keras 3 (or keras 2.12 and ' +
      'older), a **warning** when the version is unknown, nothing with evidence of keras 2.13–2.15.\n' +
      '- other `keras.src.*` imports: **information** under any version, since the module is private.\n' +
      '- `tensorflow.keras.engine…`: always an **error**.',
    why:
      'From keras 2.13 on the pip package installs its code under `keras/src`, and no Keras 3 release has an ' +
      '`engine` package at all, so `from keras.engine.topology import Layer` stops the program with ' +
      '"ModuleNotFoundError: No module named \'keras.engine\'" before a model is built or saved. ' +
      '`keras.src.engine` existed only between those moves, and `tensorflow.keras.engine` was never a module ' +
      'TensorFlow exported.',
    notFlagged:
      '`tf_keras.src.engine…` (the tf_keras package has it); `tensorflow.python.keras…`; imports inside a `try` ' +
      'block whose `except` catches `ImportError` (or `ModuleNotFoundError`, `Exception`, or everything): the ' +
      'file already handles the missing module; names read through an attribute (`keras.engine.Layer`) rather ' +
      'than imported.',
    example: [
      'from keras.engine.topology import Layer',
      'from keras.engine.training import Model',
      'from keras.engine import data_adapter',
    ].join('\n'),
    fixed: [
      'from keras.layers import Layer',
      'from keras import Model',
      'from keras.engine import data_adapter  # no public equivalent: rewrite the code that needs it',
    ].join('\n'),
    fix:
      'Import the name from the public API, safe, when every name of the `from … import` has a public home: ' +
      '`Layer` (from `keras.engine`, `keras.engine.topology` or `keras.engine.base_layer`) and `InputSpec` ' +
      '→ `keras.layers`; `Model` (from `keras.engine.training`) → `keras.Model`; `Input` (from ' +
      '`keras.engine.input_layer`) → `keras.Input`. The same mapping applies to `keras.src.engine…` and, with ' +
      '`tensorflow.keras` as the package, to `tensorflow.keras.engine…`. Anything else, `data_adapter` ' +
      'included, has no fix.',
    references: [
      'https://github.com/keras-team/keras/issues/18141',
      'https://github.com/matterport/Mask_RCNN/issues/2993',
      'https://github.com/onnx/onnx-tensorflow/issues/1080',
      'https://github.com/tensorflow/tensorflow/issues/33786',
    ],
  },
  run(context) {
    // `keras.engine` imports say "keras 2.12 or older" to other rules, not to this one: those it
    // flags, and those in a `try` with a fallback, whose author did not count on them either.
    const keras = context.versions.kerasWithout((e) => e.what.includes('`keras.engine`'));
    for (const item of privateImports(context)) {
      const verdict = judge(item, keras);
      if (!verdict) continue;
      context.report({ node: item.anchor, severity: verdict.severity, message: verdict.message, detail: verdict.detail, fixes: fixFor(context, item) });
    }
  },
};

interface PrivateImport {
  statement: SyntaxNode;
  /** The module path as written: the dotted name, or the name of `from keras import engine`. */
  anchor: SyntaxNode;
  module: string;
  path: PrivatePath;
}

function privateImports(context: RuleContext): PrivateImport[] {
  const found: PrivateImport[] = [];
  const statements = [...context.facts.tree.ofType('import_statement'), ...context.facts.tree.ofType('import_from_statement')];
  for (const statement of statements.sort((a, b) => a.startIndex - b.startIndex)) {
    // Inside a `try` whose handlers catch a failed import: the file has a fallback.
    if (insideTryCatching(statement, ['ImportError', 'ModuleNotFoundError'])) continue;
    const add = (anchor: SyntaxNode, module: string) => {
      const path = privatePathOf(module);
      if (path) found.push({ statement, anchor, module, path });
    };
    const names = statement.childrenForFieldName('name').map((n) => (n.type === 'aliased_import' ? n.childForFieldName('name') : n));
    if (statement.type === 'import_statement') {
      for (const name of names) if (name) add(name, name.text);
      continue;
    }
    const module = statement.childForFieldName('module_name');
    if (!module || module.type === 'relative_import') continue;
    if (privatePathOf(module.text)) add(module, module.text);
    // `from keras import engine`: the module path ends in the imported name.
    else for (const name of names) if (name) add(name, `${module.text}.${name.text}`);
  }
  return found;
}

const notFound = (module: string) => `"ModuleNotFoundError: No module named '${module}'"`;

function judge(item: PrivateImport, keras: KerasVersionInfo): { severity: Severity; message: string; detail: string } | undefined {
  const shown = `\`${item.module}\``;
  switch (item.path) {
    case 'keras.engine': {
      if (versionIn(keras, [2, 0], [2, 13]) === true) return undefined;
      if (versionIn(keras, [2, 13]) === true) {
        return { severity: 'error', message: `${shown} is gone from keras 2.13 and later, Keras 3 included`, detail: `The import raises ${notFound('keras.engine')}.` };
      }
      return {
        severity: 'warning',
        message: `${shown} exists only in keras 2.12 and older`,
        detail: 'Under keras 2.13–2.15, and Keras 3 which TensorFlow 2.16 and ' +
          `later install, the import raises ${notFound('keras.engine')}.`,
      };
    }
    case 'keras.src.engine': {
      const inRange = versionIn(keras, [2, 13], [2, 16]);
      if (inRange === true) return undefined;
      if (inRange === false) {
        const old = keras.major === 2;
        return {
          severity: 'error',
          message: `${shown} exists only in keras 2.13–2.15`,
          detail: `Under ${old ? 'keras 2.12 and older' : 'Keras 3'} the import raises ${notFound(old ? 'keras.src' : 'keras.src.engine')}.`,
        };
      }
      return {
        severity: 'warning',
        message: `${shown} exists only in keras 2.13–2.15`,
        detail: `Under Keras 3, which TensorFlow 2.16 and later install, the import raises ${notFound('keras.src.engine')}.`,
      };
    }
    case 'keras.src':
      return {
        severity: 'information',
        message: `${shown} is a private module of Keras`,
        detail: 'Its contents move between releases (keras 2.12 and older have no `keras.src`); import the public name instead.',
      };
    case 'tensorflow.keras.engine':
      return { severity: 'error', message: `${shown} was never a public module of TensorFlow`, detail: `The import raises ${notFound('tensorflow.keras.engine')}.` };
  }
}

/** The same names from the public API, when each of them has a public home. */
function fixFor(context: RuleContext, item: PrivateImport): Fix[] {
  const statement = item.statement;
  if (statement.type !== 'import_from_statement' || item.anchor !== statement.childForFieldName('module_name')) return [];
  const engine = /^(keras|tensorflow\.keras)(?:\.src)?\.engine((?:\.\w+)?)$/.exec(item.module);
  if (!engine || item.path === 'keras.src') return [];
  const [, root, submodule] = engine;
  const byModule = new Map<string, string[]>();
  for (const name of statement.childrenForFieldName('name')) {
    const imported = name.type === 'aliased_import' ? name.childForFieldName('name')?.text : name.text;
    const home = imported ? publicHomes[imported] : undefined;
    if (!home || !home.from.includes(submodule ?? '')) return [];
    const module = root + home.module;
    byModule.set(module, [...(byModule.get(module) ?? []), name.text]);
  }
  if (byModule.size === 0) return [];
  const text = context.facts.text;
  const lines = [...byModule].map(([module, names]) => `from ${module} import ${names.join(', ')}`);
  const separator = startsLine(statement, text) ? eolOf(text) + indentOf(statement, text) : '; ';
  const edit = replaceNode(statement, lines.join(separator));
  return [{ title: `Import from the public API: \`${lines.join('; ')}\``, applicability: 'safe', preferred: true, edits: [edit] }];
}
