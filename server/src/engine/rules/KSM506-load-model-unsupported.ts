import type { SyntaxNode } from '../analysis/syntax';
import {
  classesStoredBy, customObjectUses, isDecoratedWithRegister, isRegistered, namesRegisteredAtRunTime, type UsedValue,
} from '../analysis/custom-objects';
import { appendArgument, replaceNode, statementOf, startsLine } from '../analysis/edits';
import { callArguments, type FileFacts } from '../analysis/facts';
import { loadCalls, supplies, type LoadCall, type PathWrite } from '../analysis/load-calls';
import { h5Extensions, hasSaveExtension, kerasExtension, pathTail, saveCallOf } from '../analysis/save-calls';
import { saveFormatOf, saveVersion, type SaveFormat } from '../analysis/save-formats';
import { capitalised, eolOf, indentOf, nodeRange, sentence, stringValue } from '../analysis/text';
import type { Fix, KerasVersionInfo, RelatedLocation, Severity } from '../analysis/types';
import { versionIn } from '../analysis/version';
import type { Rule, RuleContext } from './rule';

export const loadModelUnsupported: Rule = {
  code: 'KSM506',
  name: 'load-model-unsupported',
  summary: '`load_model(path)` that fails: a SavedModel under Keras 3, or a file of this script whose custom objects it is not given',
  severity: 'error or warning by case; information for `custom_objects` with an `.h5` file under Keras 3.0–3.2',
  fixSafety: 'safe or unsafe by case',
  check: 'save-api',
  docs: {
    what:
      'Flags a Keras `load_model(path)` call (`keras.models.load_model`, `keras.saving.load_model`, in any ' +
      'spelling) in three cases:\n\n' +
      '- (a) the path cannot be a Keras 3 file: a literal (or a name bound to one) that does not end in ' +
      '`.keras`, `.h5` or `.hdf5` and does not start with `hf://`, or a path that this file writes with ' +
      '`model.export(p)`, `tf.saved_model.save(…, p)` or `model.save(p, save_format="tf")`. An **error** when ' +
      '`load_model` is Keras 3, a **warning** naming both behaviours when the version is unknown, silent under ' +
      'Keras 2, which loads a SavedModel directory. `load_model(p, options=…)`, a `TypeError` under Keras 3, is ' +
      'reported the same way.\n' +
      '- (b) the file saves a model to that path (`model.save`, `save_model`, a full-model `ModelCheckpoint`) ' +
      'holding custom objects (the custom classes of KSM203, the functions and closures of KSM205) and loads ' +
      'it without `custom_objects` that supply them, outside any `custom_object_scope` that does, and without ' +
      'registration. An **error** for functions, and for classes under Keras 3.9 and later or in an `.h5` file; ' +
      'a **warning** for classes in a `.keras` file under Keras 3.0–3.8 or 2.13–2.15, or an unknown version.\n' +
      '- (c) **information**, with Keras 3.0–3.2 in evidence only: `load_model("x.h5", custom_objects=…)`.\n\n' +
      'The anchor is the `load_model` call; related locations point at the saves of that path.',
    why:
      'Keras 3 `load_model` reads only `.keras` files, unzipped Keras folders and `.h5` files, and raises "File ' +
      'format not supported: filepath=p. Keras 3 only supports V3 `.keras` files and legacy H5 format files ' +
      '(`.h5` extension). Note that the legacy SavedModel format is not supported by `load_model()` in Keras 3. ' +
      'In order to reload a TensorFlow SavedModel as an inference-only layer in Keras 3, use ' +
      '`keras.layers.TFSMLayer(p, call_endpoint=\'serving_default\')` (note that your `call_endpoint` might have ' +
      'a different name)." A saved function is stored by name only, so reloading it without `custom_objects` ' +
      'raises "Could not locate function \'f\'"; classes fail with "Could not locate class \'X\'" under Keras 3.9 ' +
      'and later, and with "Unknown layer: \'X\'" from any `.h5` file, while Keras 3.0–3.8 and 2.13–2.15 find a ' +
      'class of this script in its own module. Keras 3.0–3.2 do not pass `custom_objects` to the `.h5` loader at ' +
      'all; registration and `custom_object_scope` still reach it.',
    notFlagged:
      'Paths ending in `.keras`, `.h5` or `.hdf5`, or starting with `hf://`; paths whose end cannot be seen ' +
      '(unless the file writes them as a SavedModel); a path the file writes with `model.save(p, zipped=False)`, ' +
      'an unzipped Keras folder that Keras 3.4 and later load; every (a) case under Keras 2; custom objects ' +
      'that are registered, supplied by the call\'s `custom_objects` or an enclosing `custom_object_scope`; ' +
      'loads of paths that the file does not save.',
    example: [
      'model.export("serving/classifier")',
      'restored = keras.models.load_model("serving/classifier")',
    ].join('\n'),
    fixed: [
      'model.export("serving/classifier")',
      'restored = keras.layers.TFSMLayer("serving/classifier", call_endpoint="serving_default")',
    ].join('\n'),
    fix:
      '(a) *Load it as a `TFSMLayer`* (`keras.layers.TFSMLayer(p, call_endpoint="serving_default")`, unsafe: an ' +
      'inference-only layer, not a trainable model) or *with `tf.saved_model.load(p)`* (unsafe). (b) *Pass ' +
      '`custom_objects`* (safe): adds `custom_objects={"X": X, "f": f}` with the objects found (a closure as the ' +
      'call that made it), or adds them to a dict literal the call already passes. (c) *Use a ' +
      '`custom_object_scope`* (safe): moves the `custom_objects` dict into `with ' +
      'keras.saving.custom_object_scope({…}):` around the call.',
    references: [
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/#loadmodel-function',
      'https://keras.io/api/layers/backend_specific_layers/tfsm_layer/',
      'https://github.com/ageron/handson-ml2/issues/634',
    ],
  },
  run(context) {
    const registry = namesRegisteredAtRunTime(context.facts);
    for (const load of loadCalls(context.facts)) {
      const version = context.versions.at(load.callee);
      if (!unsupportedFormat(context, load, version)) checkCustomObjects(context, load, version, registry);
      checkH5CustomObjects(context, load, version);
    }
  },
};

/** What a message shows of the path: its text when short. */
function shown(path: SyntaxNode): string {
  return path.text.length <= 40 && !path.text.includes('\n') ? `\`${path.text}\`` : 'the path';
}

/** The SavedModel write of the path, if the file makes one. */
function savedModelWrite(context: RuleContext, load: LoadCall): PathWrite | undefined {
  return load.writes.find((w) => {
    if (w.kind === 'export' || w.savedModel) return true;
    if (w.kind !== 'save') return false;
    // A Keras 2 `model.save(p)` without a Keras extension writes a SavedModel directory.
    const save = w.events[0] && saveCallOf(context.facts, w.events[0]);
    const tail = pathTail(context.facts, context.facts.semantic.scopeAt(w.call), w.path, w.call.startIndex);
    return save !== undefined && saveVersion(context.facts, context.versions, save).major === 2 && tail !== undefined && !hasSaveExtension(tail.tail);
  });
}

/** (a): reports a path Keras 3 cannot load, or `options=`; true when it did. */
function unsupportedFormat(context: RuleContext, load: LoadCall, version: KerasVersionInfo): boolean {
  if (version.major === 2) return false;
  const { facts } = context;
  const { path } = load;
  const severity: Severity = version.major === 3 ? 'error' : 'warning';
  const onKeras3 = version.major === 3 ? 'Keras 3' : 'Under Keras 3, which TensorFlow 2.16 and later install,';
  if (load.options) {
    context.report({
      node: load.call,
      severity,
      message: version.major === 3
        ? '`load_model` takes no `options` argument in Keras 3'
        : '`load_model` takes no `options` argument under Keras 3; Keras 2 accepts it',
      detail: `${onKeras3} \`load_model\` raises \`TypeError\` for it.`,
    });
  }
  if (!path) return false;
  const value = stringValue(path) ?? path.text;
  if (/^["']?hf:\/\//.test(value) || load.writes.some((w) => w.unzipped)) return false;
  const tail = pathTail(facts, load.scope, path, load.call.startIndex);
  const write = savedModelWrite(context, load);
  const noExtension = tail !== undefined && !hasSaveExtension(tail.tail);
  if (!noExtension && !write) return false;
  const message = write
    ? `Keras 3 cannot load the SavedModel that \`${writer(write)}(…)\` writes (line ${write.call.startPosition.row + 1})`
    : `${capitalised(shown(path))} has no \`.keras\` or \`.h5\` extension, which Keras 3 requires`;
  const quote =
    `"File format not supported: filepath=${value}. Keras 3 only supports V3 \`.keras\` files and legacy H5 format files ` +
    '(`.h5` extension). Note that the legacy SavedModel format is not supported by `load_model()` in Keras 3. In order to ' +
    `reload a TensorFlow SavedModel as an inference-only layer in Keras 3, use \`keras.layers.TFSMLayer(${value}, ` +
    'call_endpoint=\'serving_default\')` (note that your `call_endpoint` might have a different name)."';
  const detail = `${onKeras3} \`load_model\` raises ${quote}${version.major === 3 ? '' : ' Keras 2 loads a SavedModel directory.'}`;
  const related: RelatedLocation[] = load.writes.map((w) => ({ range: nodeRange(w.call), message: 'The path is written here' }));
  context.report({ node: load.call, severity, message, detail, related, fixes: savedModelFixes(facts, load, path), models: load.writes.flatMap((w) => w.models) });
  return true;
}

function savedModelFixes(facts: FileFacts, load: LoadCall, path: SyntaxNode): Fix[] {
  const fixes: Fix[] = [];
  const layer = facts.imports.spell('keras.layers.TFSMLayer');
  if (layer) {
    const text = `${layer.text}(${path.text}, call_endpoint="serving_default")`;
    fixes.push({ title: `Load it as an inference-only layer with \`${text}\``, applicability: 'unsafe', edits: [...layer.edits, replaceNode(load.call, text)] });
  }
  const tf = facts.imports.localName('tensorflow');
  if (tf) {
    const text = `${tf}.saved_model.load(${path.text})`;
    fixes.push({ title: `Load the SavedModel with \`${text}\``, applicability: 'unsafe', edits: [replaceNode(load.call, text)] });
  }
  return fixes;
}

/** A custom object that a reload needs: its name in the file and how `custom_objects` supplies it. */
interface NeededObject {
  /** The name Keras looks up. */
  name: string;
  kind: 'class' | 'function';
  /** The value to pass under that name. */
  value: string;
}

/** (b): the file's saves of this path hold custom objects that the load is not given. */
function checkCustomObjects(context: RuleContext, load: LoadCall, version: KerasVersionInfo, registry: ReadonlySet<string>): void {
  const { facts } = context;
  const saves = load.writes.filter((w) => w.kind !== 'export');
  if (saves.length === 0) return;
  const needed = new Map<string, NeededObject>();
  let fixable = true;
  for (const write of saves) {
    for (const model of write.models) {
      for (const cls of classesStoredBy(facts, model)) {
        if (!isRegistered(facts, cls) && !registry.has(cls.name) && !supplies(load, cls.name)) {
          needed.set(cls.name, { name: cls.name, kind: 'class', value: cls.name });
        }
      }
      for (const use of customObjectUses(facts, model)) {
        // As KSM205 counts them: a Keras 2 `Lambda` stores its function as bytecode.
        if (use.site === 'learning-rate' || (use.site === 'lambda' && context.versions.at(use.call.childForFieldName('function')).major === 2)) continue;
        const item = neededFunction(facts, use.value, load, registry);
        if (item === 'unreachable') fixable = false;
        else if (item) needed.set(item.name, item);
      }
    }
  }
  if (needed.size === 0) return;
  const format = loadFormat(context, load, saves);
  const objects = [...needed.values()];
  const functions = objects.filter((o) => o.kind === 'function');
  const classes = objects.filter((o) => o.kind === 'class');
  if (functions.length === 0 && format === undefined && version.major !== 3) return;
  const classSeverity: Severity = format === 'h5' || versionIn(version, [3, 9]) === true ? 'error' : 'warning';
  const severity: Severity = functions.length > 0 ? 'error' : classSeverity;
  const listed = objects.map((o) => `\`${o.name}\``).join(', ');
  const [first] = saves;
  const consequences = [
    functions.length > 0 ? functionConsequence(functions[0]!.name, format, version) : undefined,
    classes.length > 0 ? classConsequence(classes[0]!.name, format, version) : undefined,
  ].filter((c) => c !== undefined);
  const named = objects.length > 3 ? `${objects.slice(0, 3).map((o) => `\`${o.name}\``).join(', ')} and ${objects.length - 3} more` : listed;
  const message = `This reload lacks \`custom_objects\` for ${named}`;
  const detail = sentence(
    `The file that \`${writer(first!)}(…)\` writes (line ${first!.call.startPosition.row + 1}) holds ${listed}, and no ` +
    `\`custom_objects\`, \`custom_object_scope\` or registration supplies ${objects.length > 1 ? 'them' : 'it'}: ${consequences.join('; ')}`,
  );
  const related: RelatedLocation[] = saves.map((w) => ({ range: nodeRange(w.call), message: 'The file is saved here' }));
  const fix = fixable ? customObjectsFix(load, objects) : undefined;
  context.report({
    node: load.call,
    severity,
    message,
    detail,
    related,
    fixes: fix ? [fix] : [],
    models: saves.flatMap((w) => w.models),
  });
}

/** The callee of a write as written: `model.save`, `keras.callbacks.ModelCheckpoint`. */
function writer(write: PathWrite): string {
  return write.call.childForFieldName('function')?.text ?? 'save';
}

/** A function or closure the load needs and is not given; `unreachable` when its value cannot be written at the load. */
function neededFunction(facts: FileFacts, value: UsedValue, load: LoadCall, registry: ReadonlySet<string>): NeededObject | 'unreachable' | undefined {
  if (value.kind === 'instance') return undefined;
  const fn = value.kind === 'closure' ? value.inner : value.fn;
  if (isDecoratedWithRegister(facts, fn.node) || registry.has(fn.name) || supplies(load, fn.name)) return undefined;
  if (value.kind === 'function') return { name: fn.name, kind: 'function', value: fn.name };
  // The call that made the closure, written again at the load, when its scope is the load's or the module's.
  const scope = facts.semantic.scopeAt(value.creation);
  const literal = callArguments(value.creation).positional.every((a) => stringValue(a) !== undefined || /^-?[\d.]+(e-?\d+)?$/.test(a.text));
  if (scope !== load.scope && scope.node.type !== 'module' && !literal) return 'unreachable';
  return { name: fn.name, kind: 'function', value: value.creation.text };
}

/** The format the load reads: by its path, else by how the file saves it. */
function loadFormat(context: RuleContext, load: LoadCall, saves: PathWrite[]): SaveFormat | undefined {
  const tail = load.path && pathTail(context.facts, load.scope, load.path, load.call.startIndex)?.tail;
  if (tail?.endsWith(kerasExtension)) return 'keras';
  if (tail !== undefined && h5Extensions.some((e) => tail.endsWith(e))) return 'h5';
  for (const write of saves) {
    const format = write.events[0] && saveFormatOf(context.facts, write.events[0]);
    if (format) return format;
  }
  return undefined;
}

function functionConsequence(name: string, format: SaveFormat | undefined, version: KerasVersionInfo): string {
  const locate = `"Could not locate function '${name}'"`;
  const keras2h5 = `Keras 2.13–2.15 load it, then \`fit\`/\`evaluate\` raise "Unknown loss function: '${name}'" (Keras 2.12 and earlier raise it at load)`;
  if (version.major === 3) return `Keras 3 raises ${locate}`;
  if (format === 'keras') return `loading raises ${locate}`;
  if (version.major === 2) return keras2h5;
  return `Keras 3 raises ${locate}; under Keras 2, ${format === undefined ? 'a SavedModel or `.h5` file loads' : 'an `.h5` file loads'} and \`fit\`/\`evaluate\` raise "Unknown loss function: '${name}'" (Keras 2.13–2.15; 2.12 and earlier raise it at load)`;
}

function classConsequence(name: string, format: SaveFormat | undefined, version: KerasVersionInfo): string {
  if (format === 'h5') return `the \`.h5\` loader never imports the class's module and raises "Unknown layer: '${name}'" (or the like)`;
  const locate = `"Could not locate class '${name}'"`;
  const here = 'import the class\'s module, so a reload in this script finds it, and one anywhere else fails with';
  if (versionIn(version, [3, 9]) === true) return `Keras 3.9 and later import no module of yours and raise ${locate}`;
  if (version.major === 3 && versionIn(version, [3, 0], [3, 9]) === true) return `Keras 3.0–3.8 ${here} ${locate}`;
  if (version.major === 2) return `Keras 2.13–2.15 ${here} ${locate}`;
  return `Keras 3.9 and later import no module of yours and raise ${locate}; Keras 3.0–3.8${version.major === 3 ? '' : ' and 2.13–2.15'} ${here} it`;
}

/** Adds the missing objects to the call's `custom_objects` dict literal, or passes a new one. */
function customObjectsFix(load: LoadCall, objects: NeededObject[]): Fix | undefined {
  const entries = objects.map((o) => `"${o.name}": ${o.value}`).join(', ');
  const title = `Pass \`custom_objects\` for ${objects.map((o) => `\`${o.name}\``).join(', ')}`;
  if (!load.customObjects) {
    const edit = appendArgument(load.call, `custom_objects={${entries}}`);
    return edit && { title, applicability: 'safe', edits: [edit] };
  }
  const dict = load.customObjects;
  const close = dict.type === 'dictionary' ? dict.lastChild : undefined;
  if (!close || close.type !== '}') return undefined;
  const before = close.previousSibling;
  const separator = before && before.type !== '{' && before.type !== ',' ? ', ' : '';
  const at = nodeRange(close).start;
  return { title, applicability: 'safe', edits: [{ range: { start: at, end: at }, newText: `${separator}${entries}` }] };
}

/** (c): under Keras 3.0–3.2 an `.h5` load ignores `custom_objects`. */
function checkH5CustomObjects(context: RuleContext, load: LoadCall, version: KerasVersionInfo): void {
  if (versionIn(version, [3, 0], [3, 3]) !== true || !load.path || !load.customObjects) return;
  const tail = pathTail(context.facts, load.scope, load.path, load.call.startIndex)?.tail;
  if (tail === undefined || !h5Extensions.some((e) => tail.endsWith(e))) return;
  const fix = scopeFix(context.facts, load);
  context.report({
    node: load.call,
    severity: 'information',
    message: 'Keras 3.0–3.2 do not pass `custom_objects` on to the `.h5` loader',
    detail: 'These objects are therefore not found there; registration and a `custom_object_scope` still reach it.',
    fixes: fix ? [fix] : [],
  });
}

/** Moves the `custom_objects` dict into `with keras.saving.custom_object_scope(…):` around the load's statement. */
function scopeFix(facts: FileFacts, load: LoadCall): Fix | undefined {
  const { text } = facts;
  const statement = statementOf(load.call);
  const argument = load.customObjectsArgument ?? load.customObjects!;
  const spelled = facts.imports.spell('keras.saving.custom_object_scope');
  if (!spelled || !startsLine(statement, text) || statement.hasError || statement.type === 'return_statement') return undefined;
  // The argument out of the statement's text, with the comma that separates it.
  const prev = argument.previousSibling;
  const next = argument.nextSibling;
  let [from, to] = [argument.startIndex, argument.endIndex];
  if (prev?.type === ',') from = prev.startIndex;
  else if (next?.type === ',') to = next.nextSibling && next.nextSibling.type !== ')' ? next.nextSibling.startIndex : next.endIndex;
  const inner = text.slice(statement.startIndex, from) + text.slice(to, statement.endIndex);
  const indent = indentOf(statement, text);
  const eol = eolOf(text);
  const unit = '    ';
  const body = inner.split(/\r?\n/).map((line, i) => (i === 0 ? indent + unit + line : line.length > 0 ? unit + line : line)).join(eol);
  const newText = `with ${spelled.text}(${load.customObjects!.text}):${eol}${body}`;
  return {
    title: `Pass the custom objects through \`with ${spelled.text}(…)\``,
    applicability: 'safe',
    edits: [...spelled.edits, replaceNode(statement, newText)],
  };
}
