import type { SyntaxNode } from './syntax';
import type { ImportTable } from './imports';
import type { KerasVersionInfo, KerasVersionSetting } from './types';

interface Evidence {
  major: 2 | 3;
  what: string;
  node: SyntaxNode;
  /** Chooses Keras 2 when the file runs (`import tf_keras`, `TF_USE_LEGACY_KERAS`), whatever is installed beside it. */
  selectsKeras2?: true;
}

/**
 * Keras 2 or 3, from the setting or from evidence (TensorFlow 2.16 and later install Keras 3;
 * `tf_keras` is Keras 2), in this order:
 * 1. the `kerasVersion` setting;
 * 2. the file choosing Keras 2 for itself (`import tf_keras`, `TF_USE_LEGACY_KERAS`): that is
 *    what runs even where the project installs TensorFlow 2.16 or Keras 3;
 * 3. the project's dependency files (`project`, read by the adapter): they say what is
 *    installed, while the file's API use only says what its author expected;
 * 4. the rest of the file's evidence. Keras 2 evidence wins over Keras 3 evidence, since
 *    pinning the legacy package is a deliberate act while Keras 3 spellings also exist late in 2.x.
 */
export function detectKerasVersion(root: SyntaxNode, imports: ImportTable, setting: KerasVersionSetting, project?: KerasVersionInfo): KerasVersionInfo {
  if (setting === '2' || setting === '3') return { major: setting === '2' ? 2 : 3, source: 'the kerasVersion setting' };
  const evidence = fileEvidence(root, imports);
  const selection = evidence.find((e) => e.selectsKeras2);
  if (selection) return describe(selection);
  if (project?.major) return project;
  const chosen = evidence.find((e) => e.major === 2) ?? evidence[0];
  if (chosen) return describe(chosen);
  return { major: undefined, source: project ? `no evidence in the file; ${project.source}` : 'no evidence in the file' };
}

function describe(evidence: Evidence): KerasVersionInfo {
  return { major: evidence.major, source: `${evidence.what} (line ${evidence.node.startPosition.row + 1})` };
}

function fileEvidence(root: SyntaxNode, imports: ImportTable): Evidence[] {
  const found: Evidence[] = [];
  for (const node of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    const text = node.text;
    if (/\btf_keras\b/.test(text)) found.push({ major: 2, what: '`tf_keras` import', node, selectsKeras2: true });
    else if (/\bkeras\.(engine|layers\.recurrent|layers\.core\b)/.test(text) && !/tensorflow/.test(text)) {
      found.push({ major: 2, what: 'Keras 2 module import', node });
    }
  }
  if (root.text.includes('TF_USE_LEGACY_KERAS')) {
    for (const node of root.descendantsOfType('string')) {
      if (node.text.includes('TF_USE_LEGACY_KERAS')) found.push({ major: 2, what: '`TF_USE_LEGACY_KERAS`', node, selectsKeras2: true });
    }
  }
  for (const node of root.descendantsOfType('attribute')) {
    const keras = imports.keras(node);
    if (!keras) continue;
    if (keras === 'keras.ops' || keras.startsWith('keras.ops.')) found.push({ major: 3, what: '`keras.ops`', node });
    else if (keras === 'keras.saving.register_keras_serializable') found.push({ major: 3, what: '`keras.saving.register_keras_serializable`', node });
    else if (keras.endsWith('.PyDataset')) found.push({ major: 3, what: '`PyDataset`', node });
    else if (keras === 'keras.Input' && imports.qualify(node) === 'keras.Input') found.push({ major: 3, what: '`keras.Input` with `import keras`', node });
  }
  return found.sort((a, b) => a.node.startIndex - b.node.startIndex);
}
