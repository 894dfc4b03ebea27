import type { SyntaxNode } from './syntax';
import type { ImportTable } from './imports';
import { unparen } from './semantic';
import { nodeRange } from './text';
import type { EnvMagic, Range } from './types';

/**
 * Where a file sets `TF_USE_LEGACY_KERAS`, which routes `tf.keras` to the tf_keras package
 * (Keras 2) when it holds "1", "true" or "True" in `os.environ` before TensorFlow is first
 * imported (keras-facts §6).
 */

export const legacyVariable = 'TF_USE_LEGACY_KERAS';
/** The only spellings TensorFlow reads as on. */
export const legacyOnValues: ReadonlySet<string> = new Set(['1', 'true', 'True']);
/** Values that say "off" on purpose. */
export const legacyOffValues: ReadonlySet<string> = new Set(['0', 'false', 'False', '']);

export interface LegacySetting {
  /** The statement's call or assignment; undefined for a notebook's `%env` line, which is not Python. */
  node: SyntaxNode | undefined;
  /** Where it is: the node's range, or the `%env` line's. */
  range: Range;
  /** The `%env` line as written, for a fix that moves it. */
  magic?: string;
  /** The value node, when one is written. */
  valueNode: SyntaxNode | undefined;
  /** The literal value, when it is a plain string (or a `%env` value). */
  value: string | undefined;
  how: 'assignment' | 'setdefault' | 'update' | 'putenv' | 'magic';
  /** Executed at module level before any import that brings in TensorFlow. */
  beforeTensorflow: boolean;
  /**
   * The first import that brings in TensorFlow and runs before the setting: an earlier
   * module-level one; for a setting inside a function, any module-level one (the module has run
   * by the time its functions are called) or an earlier one in that function.
   */
  tensorflowImport: SyntaxNode | undefined;
}

/**
 * Packages whose import loads TensorFlow: its own, tensorflow_hub, tf_keras, keras (TensorFlow
 * backend), and libraries that import one of these when they are imported.
 */
const tensorflowLoaders: ReadonlySet<string> = new Set([
  'tensorflow', 'tensorflow_hub', 'tf_keras', 'keras', 'tensorflow_text', 'tensorflow_addons', 'tensorflow_probability',
  'keras_nlp', 'keras_cv', 'keras_hub', 'keras_tuner',
]);

/** Whether importing a module loads TensorFlow. */
export function importsTensorflow(module: string): boolean {
  return tensorflowLoaders.has(module.split('.')[0]!);
}

/** The modules an import statement loads. */
function importedModules(statement: SyntaxNode): string[] {
  if (statement.type === 'import_from_statement') {
    const module = statement.childForFieldName('module_name');
    return module && module.type !== 'relative_import' ? [module.text] : [];
  }
  return statement.childrenForFieldName('name').map((n) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text ?? '' : n.text));
}

/** The imports that bring in TensorFlow, in file order. */
function tensorflowImports(root: SyntaxNode): SyntaxNode[] {
  return root.descendantsOfType(['import_statement', 'import_from_statement']).filter((s) => importedModules(s).some(importsTensorflow));
}

/** The first import that brings in TensorFlow, in file order. */
export function firstTensorflowImport(root: SyntaxNode): SyntaxNode | undefined {
  return tensorflowImports(root)[0];
}

/** The first import that brings in TensorFlow and runs before `node` (see LegacySetting.tensorflowImport). */
function importBefore(node: SyntaxNode, imports: readonly SyntaxNode[]): SyntaxNode | undefined {
  const fn = enclosingFunction(node);
  return imports.find((i) => {
    const owner = enclosingFunction(i);
    if (!owner) return !fn ? i.startIndex < node.startIndex : true;
    return owner === fn && i.startIndex < node.startIndex;
  });
}

/**
 * Every setting of the variable in the file, in order, with a notebook's `%env` lines among
 * them. A `%env` line runs at the top level of its cell, so it is judged as a module-level
 * statement on its line.
 */
export function legacySettings(root: SyntaxNode, imports: ImportTable, envMagics: readonly EnvMagic[] = []): LegacySetting[] {
  const magics = envMagics.filter((m) => m.name === legacyVariable);
  if (!root.text.includes(legacyVariable) && magics.length === 0) return [];
  const loaders = tensorflowImports(root);
  const first = loaders[0];
  const found: LegacySetting[] = magics.map((magic) => ({
    node: undefined, range: magic.range, magic: magic.text, valueNode: undefined, value: magic.value, how: 'magic',
    beforeTensorflow: !first || magic.range.start.line < first.startPosition.row,
    tensorflowImport: loaders.find((i) => !enclosingFunction(i) && i.startPosition.row < magic.range.start.line),
  }));
  const add = (node: SyntaxNode, valueNode: SyntaxNode | undefined, how: LegacySetting['how']) => {
    const atModuleLevel = isModuleLevel(node);
    found.push({
      node, range: nodeRange(node), valueNode, value: valueNode && stringValue(valueNode), how,
      beforeTensorflow: atModuleLevel && (!first || node.startIndex < first.startIndex),
      tensorflowImport: importBefore(node, loaders),
    });
  };
  for (const node of root.descendantsOfType(['assignment', 'call'])) {
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      if (left?.type !== 'subscript' || imports.qualify(left.childForFieldName('value')) !== 'os.environ') continue;
      const key = left.childForFieldName('subscript');
      if (key && stringValue(key) === legacyVariable) add(node, node.childForFieldName('right') ?? undefined, 'assignment');
      continue;
    }
    const qualified = imports.qualify(node.childForFieldName('function'));
    const args = node.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    if (qualified === 'os.environ.setdefault' || qualified === 'os.putenv') {
      if (args[0] && stringValue(args[0]) === legacyVariable) add(node, args[1], qualified === 'os.putenv' ? 'putenv' : 'setdefault');
    } else if (qualified === 'os.environ.update') {
      for (const arg of args) {
        if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === legacyVariable) {
          add(node, arg.childForFieldName('value') ?? undefined, 'update');
        } else if (arg.type === 'dictionary') {
          for (const pair of arg.namedChildren) {
            const key = pair.childForFieldName('key');
            if (pair.type === 'pair' && key && stringValue(key) === legacyVariable) add(node, pair.childForFieldName('value') ?? undefined, 'update');
          }
        }
      }
    }
  }
  return found.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** The setting that reroutes `tf.keras` to tf_keras: an "on" value in `os.environ`, in time. */
export function legacySwitch(settings: readonly LegacySetting[]): LegacySetting | undefined {
  return settings.find((s) => s.how !== 'putenv' && s.beforeTensorflow && s.value !== undefined && legacyOnValues.has(s.value));
}

/** The function or lambda whose body holds a node (a class body runs with the module); undefined at module level. */
function enclosingFunction(node: SyntaxNode): SyntaxNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda') return p;
  }
  return undefined;
}

/** A statement of the module itself, or of an `if`/`try`/`with` block at module level. */
function isModuleLevel(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'class_definition' || p.type === 'lambda') return false;
  }
  return true;
}

/** The text of a plain string literal (no interpolation, not bytes). */
function stringValue(node: SyntaxNode): string | undefined {
  const n = unparen(node);
  if (n.type !== 'string') return undefined;
  const start = n.firstNamedChild;
  if (start?.type === 'string_start' && /[bBfF]/.test(start.text)) return undefined;
  return n.namedChildren.filter((c) => c.type === 'string_content').map((c) => c.text).join('');
}
