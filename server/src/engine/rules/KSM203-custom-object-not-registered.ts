import type { SyntaxNode } from '../analysis/syntax';
import { importedHelpers, modelsUsing } from '../analysis/custom-classes';
import { classRegistration, isRegistered, isSerializable, namesCalledAtCompile, namesPassedAsCustomObjects, storingCalls } from '../analysis/custom-objects';
import { modelKerasName } from '../analysis/checkpoints';
import { fixInModule } from '../analysis/edits';
import { allEvents, isKerasLayerClass, type ModelEvent, type ModelFact } from '../analysis/facts';
import { type ClassInfo } from '../analysis/semantic';
import { layerCalls } from '../analysis/save-calls';
import { saveFormatOf, type SaveFormat } from '../analysis/save-formats';
import { capitalised, fileName, nodeRange, sentence } from '../analysis/text';
import type { Fix, KerasVersionInfo, ModuleClass, RelatedLocation } from '../analysis/types';
import { versionIn } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

export const customObjectNotRegistered: Rule = {
  code: 'KSM203',
  name: 'custom-object-not-registered',
  summary: 'A custom class in a model saved in the `.keras` or `.h5` format is neither registered nor passed in `custom_objects`',
  severity: 'information',
  fixSafety: 'safe',
  check: 'custom-objects',
  docs: {
    what:
      'Flags a class of the file that a saved model is made of (a custom layer or model, or a custom loss, ' +
      'metric, regularizer, constraint, initializer or learning-rate schedule) when it is not decorated with ' +
      '`register_keras_serializable` (in any spelling: `keras.saving.`, `keras.utils.`, `tf.keras.utils.`) and ' +
      'the file never passes it in `custom_objects` (to `load_model`, `custom_object_scope`, ' +
      '`get_custom_objects()` ...; a dict literal, or a name bound to one, is read).\n\n' +
      'Only full-model saves whose reload looks classes up by name count: `model.save`, `save_model` or a ' +
      'full-model `ModelCheckpoint` passed to `fit`, whose path visibly ends in `.keras` or `.h5`/`.hdf5` (or with ' +
      '`save_format="keras"`/`"h5"`), under any version; or, under Keras 3 (the Keras the model belongs to), any ' +
      'full-model save. With no version evidence a path without those extensions is a Keras 2 SavedModel and does ' +
      'not count. A class counts when the model uses it ' +
      'directly: the model is an instance of it, or the code that builds the model creates it (its layer list, ' +
      'the scope of a functional model and the local functions it calls, or the `compile` call). Layers that a ' +
      'custom layer creates in its own `__init__` are rebuilt by that code and need no registration.\n\n' +
      'A class imported from another module of the workspace (`from .layers import Scale`) is judged by its ' +
      'real definition there and reported in the file that saves the model, on the call that uses it, with a ' +
      'link to the class; its fix adds the decorator in that module (below). So is a class that a ' +
      'model returned by a function of another module is made of (`m = build_model()`, whose layer list in ' +
      'models.py holds `Time2Vec` from layers.py or from models.py itself): reported on that call.',
    why:
      'The file stores each custom class by name, and what a reload does depends on the loading Keras. Keras 3.9 ' +
      'and later import no module of yours, so any reload without registration or `custom_objects` fails: "Could ' +
      'not locate class \'X\'. Make sure custom classes are decorated with ' +
      '`@keras.saving.register_keras_serializable()`." (3.12 and later add a sentence). Keras 3.0–3.8, and ' +
      'Keras 2.13–2.15 `.keras` loads, import the module the class was recorded in, so a reload in the same script ' +
      'or where that module can be imported works, and anywhere else fails the same way. The `.h5` loader of every ' +
      'version looks only at the registry and `custom_objects`: "Unknown layer: \'X\'. Please ensure you are using ' +
      'a `keras.utils.custom_object_scope` and that this object is included in the scope." With the version ' +
      'unknown, the explanation names both. Passing `custom_objects={"X": X}` to every `load_model` ' +
      'works too, but the decorator travels with the class, to every script and service that imports it. It is ' +
      'information, since the loading code may live in another file that passes `custom_objects`.',
    notFlagged:
      'Registered classes; classes named in a `custom_objects` dict, `custom_object_scope(...)` or ' +
      '`get_custom_objects()` anywhere in the file; in-file base classes that are only derived from; sublayers ' +
      'that a custom layer creates itself; callbacks and data sequences, which are never saved; models only ' +
      'exported (`model.export`, `tf.saved_model.save`), saved only as weights (`save_weights`, a ' +
      '`ModelCheckpoint` with `save_weights_only=True`), or saved to a SavedModel directory while the version is ' +
      'not Keras 3.',
    example: [
      'class Scale(keras.layers.Layer):',
      '    def call(self, x):',
      '        return x * 2.0',
      '',
      '',
      'model = keras.Sequential([keras.Input(shape=(4,)), Scale(), keras.layers.Dense(1)])',
      'model.save("scaled.keras")',
    ].join('\n'),
    fixed: [
      '@keras.saving.register_keras_serializable()',
      'class Scale(keras.layers.Layer):',
      '    def call(self, x):',
      '        return x * 2.0',
      '',
      '',
      'model = keras.Sequential([keras.Input(shape=(4,)), Scale(), keras.layers.Dense(1)])',
      'model.save("scaled.keras")',
    ].join('\n'),
    fix:
      '*Register the class* (safe): adds `@keras.utils.register_keras_serializable()` (or `keras.saving.`, below) above the class and any ' +
      'decorators it already has (so that it registers the class those decorators produce), at the class\'s ' +
      'indentation. The name is spelled through the file\'s imports (`tf.keras.saving...`, ' +
      '`keras.saving...`); when no import reaches it, `register_keras_serializable` is imported from the package ' +
      'the class\'s Keras base comes from. With Keras 3, or Keras 2.12 or later, in evidence (for the Keras of the ' +
      'class\'s base) the decorator is `keras.saving.register_keras_serializable`, its documented home; with ' +
      'Keras 2.11 or older, or an unknown version, it is `keras.utils.register_keras_serializable` ' +
      '(`tf.keras.utils...` with TensorFlow), which every version has, while `keras.saving` appeared only in 2.12.\n\n' +
      '*Register the class in its module* (safe), for a class imported from another module of the workspace: ' +
      'the same decorator (and import, when needed), added where the class is defined, in that module\'s ' +
      'spelling of Keras and for its Keras version; its title names the file (*Register `Scale` in layers.py ' +
      'with ...*). In the editor it is a workspace edit of that file; `ksm check --fix` writes it once, however ' +
      'many files report the class, and `--diff` shows it.',
    references: [
      'https://keras.io/api/models/model_saving_apis/serialization_utils/#registerkerasserializable-function',
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
      'https://github.com/keras-team/keras/issues/19899',
      'https://github.com/keras-team/keras/issues/21046',
    ],
  },
  run(context) {
    const { facts } = context;
    const passed = namesPassedAsCustomObjects(facts);
    for (const cls of facts.classes.values()) {
      if (!isSerializable(cls) || passed.has(cls.name) || isRegistered(facts, cls)) continue;
      const saved = modelsSavingClass(context, cls);
      if (saved.length > 0) report(context, cls, saved);
    }
    for (const use of importedClassesSaved(context)) {
      const { cls } = use;
      const localNames = use.calls.map((call) => call.childForFieldName('function')?.text);
      if (!cls.serializable || cls.registered || passed.has(cls.name) || localNames.some((n) => n !== undefined && passed.has(n))) continue;
      reportImported(context, use);
    }
  },
};

interface SavedUse {
  model: ModelFact;
  /** A `save` event, or a `checkpoint` event (a full-model `ModelCheckpoint` passed to `fit`). */
  save: ModelEvent;
  /** The format the save writes, by its path or `save_format`: `keras` too for any save under Keras 3. */
  format: SaveFormat;
  /** Why the save counts: its path (or `save_format`), or Keras 3, where every full-model save stores classes by name. */
  reason: 'path' | 'keras-3';
  /** The Keras the model belongs to, which writes (and usually reloads) the file. */
  version: KerasVersionInfo;
}


/** The saved models that use the class directly, each with its first save that stores classes by name. */
function modelsSavingClass(context: RuleContext, cls: ClassInfo): SavedUse[] {
  const { facts } = context;
  const models = new Set(modelsUsing(facts, cls).filter((m) => isSubclassOf(m, cls) || createdIn(layerCalls(facts, m), cls)));
  for (const model of facts.models) if (namesCalledAtCompile(model).has(cls.name)) models.add(model);
  return [...models].flatMap((model) => classStoringSave(context, model) ?? []);
}

/**
 * The model's first full-model save (a `ModelCheckpoint` included) whose reload looks classes up
 * by name: to a `.keras` or `.h5` file under any version, or any under Keras 3. With no version
 * evidence, a path without those extensions is a Keras 2 SavedModel, which does not count.
 */
function classStoringSave(context: RuleContext, model: ModelFact): SavedUse | undefined {
  const version = context.versions.at(modelKerasName(context.facts, model));
  for (const save of allEvents(model)) {
    if (save.kind !== 'save' && save.kind !== 'checkpoint') continue;
    const format = saveFormatOf(context.facts, save);
    if (format) return { model, save, format, reason: 'path', version };
    if (version.major === 3) return { model, save, format: 'keras', reason: 'keras-3', version };
  }
  return undefined;
}

/** A Keras class of another module that saved models of this file use directly. */
interface ImportedUse {
  cls: ModuleClass;
  /** The module that defines it. */
  uri: string | undefined;
  /** The calls here that create it, or make the model that is (or, from a helper, uses) it. */
  calls: SyntaxNode[];
  uses: SavedUse[];
}

/**
 * The classes of other modules that the file's saved models are made of: the model's own class,
 * a class created in its layer list, the code that builds it, or its `compile` call, or one that
 * the helper of another module returning the model stores (reported at the helper's call).
 */
function importedClassesSaved(context: RuleContext): ImportedUse[] {
  const { facts } = context;
  const found = new Map<string, ImportedUse>();
  for (const model of facts.models) {
    const direct: Array<{ cls: ModuleClass; uri: string | undefined; call: SyntaxNode }> = [];
    for (const call of storingCalls(facts, model)) {
      const symbol = facts.imported.lookupClass(call.childForFieldName('function'));
      if (symbol) direct.push({ cls: symbol.cls, uri: symbol.module.uri, call });
    }
    for (const { fn, module, call } of importedHelpers(model)) {
      for (const used of fn.classes) if (used.stored) direct.push({ cls: used.cls, uri: used.uri ?? module.uri, call });
    }
    const save = direct.length > 0 ? classStoringSave(context, model) : undefined;
    if (!save) continue;
    for (const { cls, uri, call } of direct) {
      const key = `${uri ?? ''}\0${cls.name}`;
      const entry = found.get(key) ?? { cls, uri, calls: [], uses: [] };
      if (!entry.calls.some((c) => c.id === call.id)) entry.calls.push(call);
      if (!entry.uses.some((u) => u.model === model)) entry.uses.push(save);
      found.set(key, entry);
    }
  }
  return [...found.values()];
}

/** The model is an instance of the class (through the helper that returned it). */
function isSubclassOf(model: ModelFact, cls: ClassInfo): boolean {
  const seen = new Set<ModelFact>();
  for (let m: ModelFact | undefined = model; m && !seen.has(m); m = m.origin) {
    seen.add(m);
    if (m.subclass?.name === cls.name) return true;
  }
  return false;
}

/** One of the calls creates an instance of the class (`Scale()`, `loss=FocalLoss()`). */
function createdIn(calls: readonly SyntaxNode[], cls: ClassInfo): boolean {
  return calls.some((call) => {
    const fn = call.childForFieldName('function');
    return fn?.type === 'identifier' && fn.text === cls.name;
  });
}

/** How the model is saved, for the detail: "`model` is saved in the `.keras` format by a `ModelCheckpoint`". */
function howSaved(use: SavedUse): string {
  const how = use.reason === 'keras-3' ? 'under Keras 3' : `in the \`.${use.format}\` format`;
  return `${capitalised(use.model.label)} is saved ${how}${use.save.kind === 'checkpoint' ? ' by a `ModelCheckpoint`' : ''}.`;
}

/**
 * What reloading the file does without registration or `custom_objects`, by the loading Keras
 * (keras-facts §2, "Finding custom classes and functions at load"); both behaviours when the
 * version is unknown. Reloading never fails everywhere except where the loader skips the module.
 */
function reloadConsequence(name: string, layer: boolean, use: SavedUse): string {
  const anyReload = 'any reload without registration or `custom_objects` fails with';
  if (use.format === 'h5') {
    const unknown = layer
      ? `"Unknown layer: '${name}'. Please ensure you are using a \`keras.utils.custom_object_scope\` and that this object is included in the scope."`
      : `an "Unknown …: '${name}'" error`;
    return `the \`.h5\` loader looks only at registered classes and \`custom_objects\`, never at the module that defines it, so ${anyReload} ${unknown}`;
  }
  const { version } = use;
  const locate = notLocated(name, version);
  const importing = 'import the module that defines it, so a reload in the same script, or in a program that can import that module, works';
  if (versionIn(version, [3, 9]) === true) return `Keras 3.9 and later import no module of yours at load, so ${anyReload} ${locate}`;
  if (version.major === 3 && versionIn(version, [3, 0], [3, 9]) === true) return `Keras 3.0–3.8 ${importing}; anywhere else it fails with ${locate}`;
  if (version.major === 2) return `Keras 2.13–2.15 ${importing}; anywhere else it fails with ${locate}`;
  const older = version.major === 3 ? 'Keras 3.0–3.8' : 'Keras 3.0–3.8 and 2.13–2.15';
  return `from Keras 3.9 on, ${anyReload} ${locate}; ${older} ${importing}, and anywhere else fails the same way`;
}

/** "Could not locate class 'X'. …" in the wording of the version, or its common start when the minor is unknown. */
function notLocated(name: string, version: KerasVersionInfo): string {
  const decorated = 'decorated with `@keras.saving.register_keras_serializable()`.';
  if (versionIn(version, [3, 12]) === true) {
    return `"Could not locate class '${name}'. Make sure custom classes and functions are ${decorated} If they are ` +
      'already decorated, make sure they are all imported so that the decorator is run before trying to load them."';
  }
  if (versionIn(version, [3, 0], [3, 12]) === true) return `"Could not locate class '${name}'. Make sure custom classes are ${decorated}"`;
  return `"Could not locate class '${name}'"`;
}

function savedHere(use: SavedUse): string {
  return `${capitalised(use.model.label)} is saved here${use.save.kind === 'checkpoint' ? ', by this `ModelCheckpoint` during `fit`' : ''}`;
}

function report(context: RuleContext, cls: ClassInfo, uses: SavedUse[]): void {
  const [first] = uses;
  const message = `\`${cls.name}\`, used in ${first!.model.label}, is not registered`;
  const detail = `${howSaved(first!)} ${sentence(reloadConsequence(cls.name, isKerasLayerClass(cls), first!))}`;
  const related: RelatedLocation[] = uses.map((u) => ({ range: nodeRange(u.save.viaCall ?? u.save.call), message: savedHere(u) }));
  const fix = registerFix(context, cls);
  context.report({
    node: cls.nameNode,
    severity: 'information',
    message,
    detail,
    related,
    fixes: fix ? [fix] : [],
    models: uses.map((u) => u.model),
  });
}

/**
 * A class of another module: reported here, on the first call that uses it, since this file
 * saves the model and may pass `custom_objects` instead. The fix edits the class's module.
 */
function reportImported(context: RuleContext, use: ImportedUse): void {
  const { cls, uri } = use;
  const [first] = use.uses;
  const anchor = use.calls.reduce((a, b) => (b.startIndex < a.startIndex ? b : a));
  const message = `\`${cls.name}\` (from another module), used in ${first!.model.label}, is not registered`;
  const detail = `${howSaved(first!)} ${sentence(reloadConsequence(cls.name, cls.layer, first!))} Register it where it is defined.`;
  const related: RelatedLocation[] = [
    { range: cls.range, message: `\`${cls.name}\` is defined here`, ...(uri !== undefined ? { uri } : {}) },
    ...use.uses.map((u) => ({ range: nodeRange(u.save.viaCall ?? u.save.call), message: savedHere(u) })),
  ];
  const fix = registerElsewhereFix(cls, uri);
  context.report({ node: anchor, severity: 'information', message, detail, related, fixes: fix ? [fix] : [], models: use.uses.map((u) => u.model) });
}

function registerFix(context: RuleContext, cls: ClassInfo): Fix | undefined {
  const registration = classRegistration(context.facts, context.versions, cls);
  return registration && {
    title: `Register \`${cls.name}\` with \`@${registration.decorator}()\``,
    applicability: 'safe',
    edits: registration.edits,
    preferred: true,
  };
}

/** The registration that the class's module summary holds, as a fix that edits that module. */
function registerElsewhereFix(cls: ModuleClass, uri: string | undefined): Fix | undefined {
  if (!cls.registration || uri === undefined) return undefined;
  return fixInModule({
    title: `Register \`${cls.name}\` in ${fileName(uri)} with \`@${cls.registration.decorator}()\``,
    applicability: 'safe',
    edits: cls.registration.edits,
    preferred: true,
  }, uri, cls.registration);
}
