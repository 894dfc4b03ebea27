import type { SyntaxNode } from './syntax';
import type { ImportTable } from './imports';
import { legacySettings, legacySwitch, type LegacySetting } from './legacy-keras';
import { compareMinor, intersectMinor } from './project-version';
import type { EnvMagic, KerasVersionInfo, KerasVersionSetting, MinorRange } from './types';

/**
 * Which Keras each name of a file means, and which version that is (rules.md, "Which Keras a
 * name means"). Three implementations, decided per name:
 * - `tf_keras.X` (and `hub.KerasLayer`): always Keras 2;
 * - `keras.X`: the installed `keras` package, from the setting, the project's pins or the file's
 *   evidence;
 * - `tf.keras.X`: the same as `keras.X`, unless `TF_USE_LEGACY_KERAS` is set to an "on" value
 *   before TensorFlow is imported, which makes it tf_keras.
 */

export type Implementation = 'keras' | 'tf.keras' | 'tf_keras' | 'hub';

/** What the file itself says about the `keras` package. */
export interface VersionEvidence {
  major?: 2 | 3;
  range?: MinorRange;
  what: string;
  node: SyntaxNode;
}

/** The implementation a qualified name belongs to, or undefined when it is not Keras. */
export function implementationOf(qualified: string | undefined): Implementation | undefined {
  if (!qualified) return undefined;
  const root = (prefix: string) => qualified === prefix || qualified.startsWith(prefix + '.');
  if (root('tf_keras')) return 'tf_keras';
  if (root('tensorflow.keras') || root('tensorflow.compat.v2.keras') || root('tensorflow.compat.v1.keras') || root('tensorflow.python.keras')) return 'tf.keras';
  if (root('keras')) return 'keras';
  if (qualified === 'tensorflow_hub.KerasLayer') return 'hub';
  return undefined;
}

export class KerasVersions {
  /** The file's default: the version of the implementations its Keras names use, when they agree. */
  readonly file: KerasVersionInfo;
  private readonly tfKeras: KerasVersionInfo;
  private readonly tfKerasPackage: KerasVersionInfo;
  /** The implementations the file's Keras names use, each with the first place it is used. */
  readonly used: ReadonlyMap<Implementation, SyntaxNode>;

  constructor(
    /** The `keras` package. */
    readonly keras: KerasVersionInfo,
    /** Every setting of `TF_USE_LEGACY_KERAS` in the file. */
    readonly legacy: readonly LegacySetting[],
    used: ReadonlyMap<Implementation, SyntaxNode>,
    /** The file's own evidence about the `keras` package, in file order. */
    readonly evidence: readonly VersionEvidence[],
    private readonly imports: ImportTable,
    private readonly setting: KerasVersionSetting = 'auto',
    private readonly project?: KerasVersionInfo,
  ) {
    const tfKerasNode = used.get('tf_keras') ?? used.get('hub');
    const what = used.has('tf_keras') ? '`tf_keras`' : '`hub.KerasLayer`';
    const imported = tfKerasNode?.type === 'import_statement' || tfKerasNode?.type === 'import_from_statement';
    this.tfKerasPackage = {
      major: 2,
      source: tfKerasNode ? `${what}${imported ? ' import' : ''} (line ${tfKerasNode.startPosition.row + 1})` : 'tf_keras',
    };
    const switched = legacySwitch(legacy);
    // Setting the variable says the file means tf.keras, even before any of its names is read.
    if (switched?.node && !used.has('tf.keras')) used = new Map([...used, ['tf.keras', switched.node]]);
    this.tfKeras = switched
      ? { major: 2, source: `\`TF_USE_LEGACY_KERAS\` set before TensorFlow is imported (line ${switched.range.start.line + 1})` }
      : keras;
    this.used = used;
    const majors = [...used.keys()].map((impl) => this.of(impl));
    const first = majors[0];
    this.file = first && majors.every((m) => m.major !== undefined && m.major === first.major) ? first : keras;
  }

  /** The `TF_USE_LEGACY_KERAS` setting that routes `tf.keras` to tf_keras, when there is one. */
  get legacySwitch(): LegacySetting | undefined {
    return legacySwitch(this.legacy);
  }

  /**
   * The `keras` package's version without some of the file's evidence: a construct that a rule
   * flags is not evidence for that rule (rules.md, "Keras version").
   */
  kerasWithout(excluded: (evidence: VersionEvidence) => boolean): KerasVersionInfo {
    const kept = this.evidence.filter((e) => !excluded(e));
    return kept.length === this.evidence.length ? this.keras : packageVersion(kept, this.setting, this.project);
  }

  /** The version an implementation's names have. */
  of(implementation: Implementation): KerasVersionInfo {
    if (implementation === 'tf_keras' || implementation === 'hub') return this.tfKerasPackage;
    return implementation === 'tf.keras' ? this.tfKeras : this.keras;
  }

  /** The version a name (an identifier or attribute chain) means; the file's default when it is not Keras. */
  at(node: SyntaxNode | null | undefined): KerasVersionInfo {
    const implementation = implementationOf(this.imports.qualify(node));
    return implementation ? this.of(implementation) : this.file;
  }
}

/**
 * Whether every release the version allows lies in [low, high): true; none does: false;
 * undefined when the evidence does not say.
 */
export function versionIn(info: KerasVersionInfo, low: readonly [number, number], high?: readonly [number, number]): boolean | undefined {
  let allowed: MinorRange | undefined = info.range ?? {};
  if (info.major) allowed = intersectMinor(allowed, { low: [info.major, 0], high: [info.major + 1, 0] });
  if (!allowed) return undefined;
  const inside = allowed.low !== undefined && compareMinor(allowed.low, low) >= 0 &&
    (!high || (allowed.high !== undefined && compareMinor(allowed.high, high) <= 0));
  if (inside) return true;
  const outside = (allowed.high !== undefined && compareMinor(allowed.high, low) <= 0) ||
    (high !== undefined && allowed.low !== undefined && compareMinor(allowed.low, high) >= 0);
  return outside ? false : undefined;
}

/**
 * The Keras versions of a file, from the setting or from evidence, in this order for the `keras`
 * package:
 * 1. the `kerasVersion` setting;
 * 2. the project's dependency files (`project`, read by the adapter): they say what is installed,
 *    while the file's API use only says what its author expected;
 * 3. the file's evidence. Keras 2 evidence wins over Keras 3 evidence, since importing modules
 *    only old releases have is deliberate while Keras 3 spellings also exist late in 2.x.
 * Minor ranges from the project and the file are combined.
 */
export function detectKerasVersions(
  root: SyntaxNode, imports: ImportTable, setting: KerasVersionSetting, project?: KerasVersionInfo, envMagics: readonly EnvMagic[] = [],
): KerasVersions {
  const { evidence, used } = fileEvidence(root, imports);
  const keras = packageVersion(evidence, setting, project);
  return new KerasVersions(keras, legacySettings(root, imports, envMagics), used, evidence, imports, setting, project);
}

function packageVersion(evidence: readonly VersionEvidence[], setting: KerasVersionSetting, project?: KerasVersionInfo): KerasVersionInfo {
  if (setting === '2' || setting === '3') return { major: setting === '2' ? 2 : 3, source: 'the kerasVersion setting' };
  const chosen = project?.major ? undefined : evidence.find((e) => e.major === 2) ?? evidence.find((e) => e.major === 3);
  const major = project?.major ?? chosen?.major;
  // Narrow by the file's evidence where it agrees with the major version decided.
  let range: MinorRange = project?.range ?? {};
  for (const e of evidence) {
    const narrowed = e.range && intersectMinor(range, e.range);
    if (narrowed && (!major || intersectMinor(narrowed, { low: [major, 0], high: [major + 1, 0] }))) range = narrowed;
  }
  const withRange = (info: KerasVersionInfo): KerasVersionInfo => (range.low || range.high ? { ...info, range } : info);
  if (project?.major) return withRange(project);
  if (chosen) return withRange({ major: chosen.major, source: describe(chosen) });
  const narrowing = evidence.find((e) => e.range);
  const source = project ? `no evidence in the file; ${project.source}` : narrowing ? describe(narrowing) : 'no evidence in the file';
  return withRange({ major: undefined, source });
}

function describe(evidence: VersionEvidence): string {
  return `${evidence.what} (line ${evidence.node.startPosition.row + 1})`;
}

/** Standalone `keras` modules that only old releases have, and the release they ended with. */
const oldModules: Array<[RegExp, string, readonly [number, number] | undefined]> = [
  [/^keras\.engine(\.|$)/, 'Keras 2 module import (`keras.engine`, keras 2.12 or older)', [2, 13]],
  [/^keras\.layers\.recurrent(\.|$)/, 'Keras 2 module import (`keras.layers.recurrent`, keras 2.8 or older)', [2, 9]],
  [/^keras\.backend\.tensorflow_backend(\.|$)/, 'Keras 2 module import (`keras.backend.tensorflow_backend`, keras 2.3 or older)', [2, 4]],
  [/^keras\.layers\.core(\.|$)/, 'Keras 2 module import', undefined],
];

function fileEvidence(root: SyntaxNode, imports: ImportTable): { evidence: VersionEvidence[]; used: Map<Implementation, SyntaxNode> } {
  const found: VersionEvidence[] = [];
  const used = new Map<Implementation, SyntaxNode>();
  const use = (implementation: Implementation | undefined, node: SyntaxNode) => {
    if (implementation && !used.has(implementation)) used.set(implementation, node);
  };
  for (const node of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    const modules: string[] = [];
    if (node.type === 'import_from_statement') {
      const module = node.childForFieldName('module_name');
      if (module && module.type !== 'relative_import') {
        modules.push(module.text);
        // `from tensorflow import keras` uses tf.keras; `from tf_keras import layers`, tf_keras.
        for (const name of node.childrenForFieldName('name')) {
          const imported = name.type === 'aliased_import' ? name.childForFieldName('name')?.text : name.text;
          if (imported) use(implementationOf(`${module.text}.${imported}`), node);
        }
      }
    } else {
      for (const name of node.childrenForFieldName('name')) modules.push(name.type === 'aliased_import' ? name.childForFieldName('name')?.text ?? '' : name.text);
    }
    for (const module of modules) {
      use(implementationOf(module), node);
      const old = oldModules.find(([pattern]) => pattern.test(module));
      if (old) found.push({ major: 2, ...(old[2] ? { range: { high: old[2] } } : {}), what: old[1], node });
    }
  }
  for (const node of root.descendantsOfType('attribute')) {
    const qualified = imports.qualify(node);
    const implementation = implementationOf(qualified);
    if (!implementation) continue;
    use(implementation, node);
    if (implementation === 'tf_keras' || implementation === 'hub') continue;
    const keras = imports.keras(node)!;
    if (keras === 'keras.ops' || keras.startsWith('keras.ops.')) found.push({ major: 3, what: '`keras.ops`', node });
    else if (keras === 'keras.saving.register_keras_serializable') found.push({ range: { low: [2, 12] }, what: '`keras.saving.register_keras_serializable`', node });
    else if (keras.endsWith('.PyDataset')) found.push({ major: 3, what: '`PyDataset`', node });
    else if (keras === 'keras.Input' && qualified === 'keras.Input') found.push({ major: 3, what: '`keras.Input` with `import keras`', node });
  }
  found.sort((a, b) => a.node.startIndex - b.node.startIndex);
  return { evidence: found, used };
}
