import { insertBefore, insertImportLine, replaceNode, statementOf } from '../analysis/edits';
import {
  importBinding, importOf, modelBuilds, multiBackendKeras, spellIn, type ModelBuild, type ModelPart,
} from '../analysis/implementations';
import { firstTensorflowImport, legacyVariable } from '../analysis/legacy-keras';
import { capitalised, nodeRange, sentence } from '../analysis/text';
import type { Fix, RelatedLocation, Severity, TextEdit } from '../analysis/types';
import type { Implementation } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

/**
 * The class hierarchy an object belongs to. `hub` is `hub.KerasLayer` when the version is unknown:
 * tf_keras's if `tf.keras` is Keras 3, the keras package's if it is Keras 2.
 */
type Hierarchy = 'keras' | 'tf_keras' | 'hub' | 'multi-backend' | 'tf-builtin';

interface Setting {
  major: 2 | 3 | undefined;
  /** `TF_USE_LEGACY_KERAS` reroutes `tf.keras` to tf_keras (TensorFlow 2.16 and later). */
  switched: boolean;
  /** The keras package is multi-backend keras 2.3 or older, with classes of its own. */
  multiBackend: boolean;
}

function hierarchyOf(implementation: Implementation, s: Setting): Hierarchy {
  switch (implementation) {
    case 'tf_keras': return 'tf_keras';
    case 'keras': return s.multiBackend ? 'multi-backend' : 'keras';
    case 'tf.keras': return s.switched ? 'tf_keras' : s.multiBackend ? 'tf-builtin' : 'keras';
    case 'hub': return s.switched || s.major === 3 ? 'tf_keras' : s.major === 2 ? 'keras' : 'hub';
  }
}

function conflicts(a: Hierarchy, b: Hierarchy): boolean {
  if (a === b) return false;
  // Whichever `tf.keras` is, a hub layer is tf_keras's or the same as `tf.keras`: never foreign to tf_keras.
  return !((a === 'hub' && b === 'tf_keras') || (a === 'tf_keras' && b === 'hub'));
}

const keras3Add = '"Only instances of `keras.Layer` can be added to a Sequential model. Received: <tf_keras… object at …>"';
const tfKerasAdd = '"The added layer must be an instance of class Layer. Received: layer=… of type …"';
const kerasTensor = '"A KerasTensor cannot be used as input to a TensorFlow function…"';
const oldKerasAdd = '"The added layer must be an instance of class Layer. Found: <keras.layers.core.Dense object at …>"';

export const mixedKerasImplementations: Rule = {
  code: 'KSM601',
  name: 'mixed-keras-implementations',
  summary: 'One model built from objects of two Keras class hierarchies (tf_keras with Keras 3, `hub.KerasLayer` in a Keras 3 model, keras ≤ 2.3 with tf.keras)',
  severity: 'error; warning when the version is unknown or both sides are Keras 2',
  fixSafety: 'unsafe',
  check: 'dependencies',
  docs: {
    what:
      'Looks at what each model is made of: the list elements and `add` arguments of a `Sequential`, the layers ' +
      'called on a functional graph (and its `Input`), the layers a `Model` subclass binds on `self`, and the ' +
      'model\'s own class (`Sequential`, `Model`, the subclass\'s Keras base). Each resolves, through the file\'s ' +
      'imports, to one Keras implementation (see "Which Keras a name means"), and the rule flags a model whose ' +
      'objects belong to two class hierarchies:\n\n' +
      '- (A) `tf_keras.*` objects with Keras 3 objects (`keras.*` under Keras 3; `tf.keras.*` under TensorFlow ' +
      '2.16 and later without the legacy variable): an **error**. With both sides Keras 2 (keras 2.15 and tf_keras ' +
      '2.15) the foreign layer is wrapped in a `ModuleWrapper` silently: a **warning**; with the version unknown, a ' +
      '**warning** that names both behaviours.\n' +
      '- (B) `TF_USE_LEGACY_KERAS` set to "1", "true" or "True" before TensorFlow is imported, so that `tf.keras` ' +
      'is tf_keras, and the model mixes `tf.keras.*` with `keras.*`, which the variable does not reroute: an **error**.\n' +
      '- (C) `hub.KerasLayer(…)` in a model built from Keras 3 objects: tensorflow_hub 0.16 and later subclass ' +
      'tf_keras\'s `Layer` when `tf.keras` is Keras 3. An **error** with Keras 3 evidence, a **warning** when the ' +
      'version is unknown.\n' +
      '- (D) standalone `keras.*` objects with `tf.keras.*` objects, with evidence of multi-backend keras 2.3 or ' +
      'older (a pin below 2.4, or an import of `keras.backend.tensorflow_backend`): an **error**.\n\n' +
      'The model\'s own class gives its side; the finding sits on the first object of the other side (the list ' +
      'element, the `add` argument, or the layer\'s constructor call), with the imports that give each side its ' +
      'implementation as related information.',
    why:
      'The two hierarchies have different `Layer` classes, and neither accepts the other\'s. Keras 3 `Sequential.add` ' +
      `raises ${keras3Add}; tf_keras's raises \`TypeError\`: ${tfKerasAdd}, since Keras 3 layers are not ` +
      `\`tf.Module\`s; a functional graph raises ${kerasTensor} Under multi-backend keras 2.3 TensorFlow raises ` +
      `${oldKerasAdd} This is how \`hub.KerasLayer\` breaks models after an upgrade to TensorFlow 2.16.`,
    notFlagged:
      '`import keras` mixed with `tf.keras` with no legacy variable and no keras 2.3 evidence: under TensorFlow ' +
      '2.6–2.15 `tf.keras` is the keras 2.x package\'s API, and under 2.16 and later it re-exports the same Keras 3 ' +
      'classes, so the mix is harmless. `hub.KerasLayer` with tf_keras objects; `hub.KerasLayer` in a `tf.keras` ' +
      'model when `TF_USE_LEGACY_KERAS` is set in time or the version is Keras 2. Optimizers, losses, metrics and ' +
      'other objects that are not layers or models; layers a custom layer creates inside its own code.',
    example: [
      'import tensorflow as tf',
      'import tensorflow_hub as hub',
      '',
      'model = tf.keras.Sequential([',
      '    hub.KerasLayer("https://tfhub.dev/google/nnlm-en-dim50/2", input_shape=[], dtype=tf.string),',
      '    tf.keras.layers.Dense(1),',
      '])',
    ].join('\n'),
    fixed: [
      'import os',
      `os.environ["${legacyVariable}"] = "1"`,
      'import tensorflow as tf',
      'import tensorflow_hub as hub',
      '',
      'model = tf.keras.Sequential([',
      '    hub.KerasLayer("https://tfhub.dev/google/nnlm-en-dim50/2", input_shape=[], dtype=tf.string),',
      '    tf.keras.layers.Dense(1),',
      '])',
    ].join('\n'),
    fix:
      'All unsafe, since the two APIs differ in places. (A), (B): write every foreign object with the model\'s ' +
      'implementation (`keras.layers.Dense` → `tf.keras.layers.Dense`, or the reverse), through a name the file ' +
      'already imports. (C): two fixes, *build the model with tf_keras* (`import tf_keras` and every layer and the ' +
      'model\'s class written with it), and *set `TF_USE_LEGACY_KERAS`* (`os.environ["TF_USE_LEGACY_KERAS"] = "1"` ' +
      'above the first import that loads TensorFlow, and `keras.*` objects written as `tf.keras.*`). (D) has no ' +
      'fix: the program has to move to one Keras.',
    references: [
      'https://github.com/tensorflow/tensorflow/issues/63849',
      'https://github.com/tensorflow/hub/issues/920',
      'https://github.com/keras-team/keras/issues/11848',
      'https://keras.io/getting_started/#tensorflow--keras-2-backwards-compatibility',
    ],
  },
  run(context) {
    const versions = context.versions;
    const setting: Setting = {
      major: versions.keras.major,
      switched: versions.legacySwitch !== undefined && versions.keras.major !== 2,
      multiBackend: multiBackendKeras(versions),
    };
    for (const build of modelBuilds(context.facts)) {
      const own = hierarchyOf(build.own.implementation, setting);
      const foreign = build.parts.filter((p) => conflicts(own, hierarchyOf(p.implementation, setting)));
      if (foreign.length > 0) report(context, setting, build, foreign);
    }
  },
};

function report(context: RuleContext, setting: Setting, build: ModelBuild, foreign: ModelPart[]): void {
  const first = foreign[0]!;
  const own = hierarchyOf(build.own.implementation, setting);
  const other = hierarchyOf(first.implementation, setting);
  const pair = new Set([own, other]);
  const kerasPair = pair.has('keras') && (pair.has('tf_keras') || pair.has('hub'));
  let severity: Severity = 'error';
  if (kerasPair && setting.major !== 3 && !setting.switched) severity = 'warning';
  const hub = foreign.some((p) => p.implementation === 'hub');
  const message = `${capitalised(build.label)} mixes Keras class hierarchies: \`${first.name.text}\` in \`${build.own.name.text}\``;
  const detail = sentence(
    `\`${first.name.text}\` is ${describe(first, setting)}, while the model's \`${build.own.name.text}\` is ` +
    `${describe(build.own, setting)}; ${consequence(build, own, kerasPair, setting, first.implementation === 'hub')}`,
  );
  const fixes = !kerasPair ? [] : hub ? hubFixes(context, build, setting) : rewriteFix(context, build, foreign);
  context.report({ node: first.anchor, severity, message, detail, related: related(context, build, first, setting), fixes, models: build.models });
}

function describe(part: ModelPart, s: Setting): string {
  switch (hierarchyOf(part.implementation, s)) {
    case 'tf_keras':
      if (part.implementation === 'hub') return 'a tf_keras layer (tensorflow_hub 0.16 and later subclass tf_keras when `tf.keras` is Keras 3)';
      return part.implementation === 'tf.keras' ? `tf_keras (Keras 2), since \`${legacyVariable}\` reroutes \`tf.keras\`` : 'tf_keras (Keras 2)';
    case 'hub':
      return 'a tf_keras layer whenever `tf.keras` is Keras 3 (tensorflow_hub 0.16 and later)';
    case 'keras':
      if (s.switched && part.implementation === 'keras') return `Keras 3 (\`${legacyVariable}\` reroutes only \`tf.keras\`, not \`import keras\`)`;
      return s.major === 3 ? 'Keras 3' : s.major === 2 ? 'the keras 2.x package' : 'Keras 3 under TensorFlow 2.16 and later, Keras 2 before';
    case 'multi-backend':
      return 'multi-backend keras (2.3 or older)';
    case 'tf-builtin':
      return 'TensorFlow\'s own `tf.keras`';
  }
}

/** What Keras does with the mix, by the model's kind and the versions in evidence. */
function consequence(build: ModelBuild, own: Hierarchy, kerasPair: boolean, s: Setting, hub: boolean): string {
  // Where the version is already named, the failing `Sequential` needs no name of its own.
  const named = s.major === 3 || s.switched;
  const failure = build.kind === 'sequential'
    ? own === 'tf_keras'
      ? `${named ? 'tf_keras\'s ' : ''}\`Sequential\` raises ${tfKerasAdd}`
      : `${named ? 'Keras 3\'s ' : ''}\`Sequential\` raises ${keras3Add}`
    : build.kind === 'functional'
      ? `building the graph raises ${kerasTensor}`
      : 'a layer of one is not a `Layer` of the other, so the model cannot track or save it';
  if (!kerasPair) {
    return build.kind === 'sequential' && own === 'tf-builtin' ? `TensorFlow raises ${oldKerasAdd}` : failure;
  }
  if (s.major === 3 || s.switched) return failure;
  if (hub) return `under TensorFlow 2.16 and later ${failure}; fine under Keras 2 (TensorFlow 2.15 and older)`;
  const wrapped = 'the layer is wrapped in a `ModuleWrapper` silently';
  if (s.major === 2) return `with keras 2.15 and tf_keras 2.15 ${wrapped}; after a move to Keras 3 ${failure}`;
  return `under Keras 3, which TensorFlow 2.16 and later install, ${failure}; under Keras 2 (keras 2.15 with tf_keras 2.15) ${wrapped}`;
}

/** The imports that give each side its implementation, and the setting that reroutes `tf.keras`. */
function related(context: RuleContext, build: ModelBuild, first: ModelPart, s: Setting): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const add = (part: ModelPart, whose: string) => {
    const statement = importOf(context.facts, part.name);
    if (statement && !out.some((r) => r.range.start.line === statement.startPosition.row)) {
      out.push({ range: nodeRange(statement), message: `${whose} comes from this import` });
    }
  };
  add(build.own, `The model's \`${build.own.name.text}\``);
  add(first, `\`${first.name.text}\``);
  const switch_ = context.versions.legacySwitch;
  if (s.switched && switch_ && [build.own, first].some((p) => p.implementation === 'tf.keras')) {
    out.push({ range: switch_.range, message: `\`${legacyVariable}\` reroutes \`tf.keras\` to tf_keras here` });
  }
  return out;
}

/** Each part's name rewritten in another implementation; undefined when one of them cannot be written. */
function rewrites(context: RuleContext, parts: readonly ModelPart[], implementation: 'keras' | 'tf.keras' | 'tf_keras', fallbackRoot?: string): TextEdit[] | undefined {
  const edits: TextEdit[] = [];
  const done = new Set<number>();
  for (const part of parts) {
    if (done.has(part.name.id)) continue;
    done.add(part.name.id);
    const canonical = context.facts.imports.keras(part.name);
    const spelled = spellIn(context.facts.imports, part.name, implementation) ?? (fallbackRoot && canonical ? fallbackRoot + canonical.slice('keras'.length) : undefined);
    if (!spelled) return undefined;
    edits.push(replaceNode(part.name, spelled));
  }
  return edits;
}

/** (A), (B): the foreign objects written with the model's implementation. */
function rewriteFix(context: RuleContext, build: ModelBuild, foreign: readonly ModelPart[]): Fix[] {
  const target = build.own.implementation;
  if (target === 'hub') return [];
  const edits = rewrites(context, foreign, target);
  if (!edits) return [];
  const [first] = edits;
  const title = edits.length === 1
    ? `Write \`${foreign[0]!.name.text}\` as \`${first!.newText}\`, the model's implementation`
    : `Write the ${edits.length} foreign objects with the model's implementation (\`${first!.newText}\`, …)`;
  return [{ title, applicability: 'unsafe', preferred: true, edits }];
}

/** (C): build the model with tf_keras, or reroute `tf.keras` to tf_keras with the legacy variable. */
function hubFixes(context: RuleContext, build: ModelBuild, s: Setting): Fix[] {
  const { facts } = context;
  const fixes: Fix[] = [];
  const parts = [build.own, ...build.parts];
  const bindings = facts.imports.bindings();

  const toTfKeras = parts.filter((p) => p.implementation === 'keras' || p.implementation === 'tf.keras');
  const needsImport = toTfKeras.some((p) => !spellIn(facts.imports, p.name, 'tf_keras'));
  const tfKerasImport = needsImport && !bindings.has('tf_keras') ? insertImportLine(facts.root, 'import tf_keras', facts.text) : undefined;
  const tfKerasEdits = (!needsImport || tfKerasImport) && rewrites(context, toTfKeras, 'tf_keras', 'tf_keras');
  if (tfKerasEdits && tfKerasEdits.length > 0) {
    fixes.push({
      title: 'Build the model with tf_keras (`import tf_keras`)',
      applicability: 'unsafe',
      edits: [...(tfKerasImport ? [tfKerasImport] : []), ...tfKerasEdits],
    });
  }

  const loader = firstTensorflowImport(facts.root);
  if (!s.switched && loader) {
    const toTfDotKeras = parts.filter((p) => p.implementation === 'keras');
    const needsTf = toTfDotKeras.some((p) => !spellIn(facts.imports, p.name, 'tf.keras'));
    const tfImport = needsTf && !bindings.has('tf') ? insertImportLine(facts.root, 'import tensorflow as tf', facts.text) : undefined;
    const edits = (!needsTf || tfImport) && rewrites(context, toTfDotKeras, 'tf.keras', 'tf.keras');
    const statement = statementOf(loader);
    const os = importBinding(facts, 'os', statement.startIndex);
    const lines = [...(os ? [] : ['import os']), `os.environ["${legacyVariable}"] = "1"`];
    const setting = insertBefore(statement, lines, facts.text);
    if (edits && setting) {
      fixes.push({
        title: `Set \`${legacyVariable}\` before TensorFlow is imported and use \`tf.keras\` throughout`,
        applicability: 'unsafe',
        edits: [setting, ...(tfImport ? [tfImport] : []), ...edits],
      });
    }
  }
  if (fixes[0]) fixes[0].preferred = true;
  return fixes;
}
