import type { SyntaxNode } from './syntax';
import { allEvents, callArguments, callbackCalls, definingModel, type FileFacts, type ModelFact } from './facts';
import { kerasSymbolOf } from './keras-names';
import { replaceNode } from './edits';
import { pathTail, pathWithSuffix, type PathTail } from './save-calls';
import { ancestry, lastBinding, unparen, type ClassInfo, type Scope } from './semantic';
import type { TextEdit } from './types';

/**
 * The `ModelCheckpoint(...)` calls of a file (Keras's, through the imports), with the arguments
 * that decide what they write and when, and the training calls that receive them; and the
 * path edits that the save and checkpoint rules share.
 */

export interface Checkpoint {
  call: SyntaxNode;
  /** The callee as written (`ModelCheckpoint`, `keras.callbacks.ModelCheckpoint`): its import decides the implementation. */
  callee: SyntaxNode;
  scope: Scope;
  /** The path argument (`filepath`). */
  path: SyntaxNode | undefined;
  /** `save_weights_only`: true or false as written (absent is false); undefined when the file computes it. */
  weightsOnly: boolean | undefined;
  /** `save_best_only` likewise. */
  saveBestOnly: boolean | undefined;
  /** The whole `monitor=...` keyword argument (or the second positional argument), when given. */
  monitor: SyntaxNode | undefined;
  /** The training calls (`fit`) the callback is passed to, directly or through a list, with the model each trains. */
  trainings: CheckpointTraining[];
}

export interface CheckpointTraining {
  call: SyntaxNode;
  model: ModelFact;
}

const checkpointsByFacts = new WeakMap<FileFacts, readonly Checkpoint[]>();

/** Every Keras `ModelCheckpoint(...)` call of the file, in the order of its scopes. Built once per file's facts. */
export function checkpoints(facts: FileFacts): readonly Checkpoint[] {
  let found = checkpointsByFacts.get(facts);
  if (!found) checkpointsByFacts.set(facts, (found = findCheckpoints(facts)));
  return found;
}

function findCheckpoints(facts: FileFacts): Checkpoint[] {
  // The model facts already link each checkpoint passed to a model's `fit` to that call.
  const trainings = new Map<number, CheckpointTraining[]>();
  for (const model of facts.models) {
    for (const event of model.events) {
      if ((event.kind !== 'checkpoint' && event.kind !== 'checkpoint-weights') || !event.trainingCall) continue;
      const list = trainings.get(event.call.id) ?? [];
      if (!list.some((t) => t.call.id === event.trainingCall!.id)) list.push({ call: event.trainingCall, model });
      trainings.set(event.call.id, list);
    }
  }
  const found: Checkpoint[] = [];
  for (const scope of facts.scopes) {
    for (const call of facts.semantic.callsIn(scope)) {
      const callee = call.childForFieldName('function');
      const keras = facts.imports.keras(callee);
      if (!callee || !keras || kerasSymbolOf(keras) !== 'ModelCheckpoint') continue;
      const { positional, keywords, keywordNodes } = callArguments(call);
      const splat = positional.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat');
      found.push({
        call, callee, scope,
        path: splat ? undefined : positional[0] ?? keywords.get('filepath'),
        weightsOnly: splat ? undefined : flag(keywords.get('save_weights_only')),
        saveBestOnly: splat ? undefined : flag(keywords.get('save_best_only') ?? positional[3]),
        monitor: keywordNodes.get('monitor') ?? positional[1],
        trainings: trainings.get(call.id) ?? [],
      });
    }
  }
  return found;
}

/**
 * A callback that watches a logged metric (`monitor`) and changes the model it trains: an
 * `EarlyStopping(restore_best_weights=True)`, which puts the best epoch's weights back when it stops.
 */
export interface WeightRestoringCallback {
  call: SyntaxNode;
  callee: SyntaxNode;
  /** The whole `monitor=...` keyword argument (or the first positional argument), when given. */
  monitor: SyntaxNode | undefined;
  /** The training calls it is passed to, of models that get a full-model save (a `ModelCheckpoint` included). */
  trainings: CheckpointTraining[];
}

/**
 * The `EarlyStopping(restore_best_weights=True)` calls passed to the `fit` of a model that gets a
 * full-model save, directly or through a list bound in the same scope.
 */
export function weightRestoringCallbacks(facts: FileFacts): WeightRestoringCallback[] {
  const byCall = new Map<number, WeightRestoringCallback>();
  for (const model of facts.models) {
    const events = allEvents(model);
    if (!events.some((e) => e.kind === 'save' || e.kind === 'checkpoint')) continue;
    for (const fit of events) {
      if ((fit.method !== 'fit' && fit.method !== 'fit_generator') || fit.viaCall) continue;
      const callbacks = callArguments(fit.call).keywords.get('callbacks');
      for (const call of callbackCalls(callbacks, facts.semantic.scopeAt(fit.call), fit.call.startIndex)) {
        const callee = call.childForFieldName('function');
        const keras = facts.imports.keras(callee);
        if (!callee || !keras || kerasSymbolOf(keras) !== 'EarlyStopping') continue;
        const { positional, keywords, keywordNodes } = callArguments(call);
        if (flag(keywords.get('restore_best_weights') ?? positional[6]) !== true) continue;
        const found = byCall.get(call.id) ?? { call, callee, monitor: keywordNodes.get('monitor') ?? positional[0], trainings: [] };
        if (!found.trainings.some((t) => t.call.id === fit.call.id)) found.trainings.push({ call: fit.call, model });
        byCall.set(call.id, found);
      }
    }
  }
  return [...byCall.values()];
}

/** A boolean argument as written: absent is false; a computed value is undefined. */
function flag(value: SyntaxNode | undefined): boolean | undefined {
  if (!value) return false;
  const text = unparen(value).text;
  return text === 'True' ? true : text === 'False' ? false : undefined;
}

/**
 * The Keras name whose import decides which implementation a model belongs to: the callee that
 * made it (`tf.keras.Sequential`, `keras.models.load_model`), or the Keras base of its class.
 * Undefined for a parameter or a model of unknown origin.
 */
export function modelKerasName(facts: FileFacts, model: ModelFact): SyntaxNode | undefined {
  const defining = definingModel(model);
  if (defining.subclass) return kerasBaseOf(facts, defining.subclass);
  if (defining.kind === 'param' || defining.definition.type !== 'call') return undefined;
  const callee = defining.definition.childForFieldName('function');
  return callee && facts.imports.keras(callee) ? callee : undefined;
}

/** The first Keras base class written in the class or in one of its in-file bases. */
export function kerasBaseOf(facts: FileFacts, cls: ClassInfo): SyntaxNode | undefined {
  for (const c of ancestry(cls)) {
    for (const base of c.node.childForFieldName('superclasses')?.namedChildren ?? []) {
      if (base.type !== 'keyword_argument' && facts.imports.keras(base)) return base;
    }
  }
  return undefined;
}

/** Extensions a suffix replaces rather than follows: `best.h5` becomes `best.keras`, not `best.h5.keras`. */
const replacedExtensions = ['.hdf5', '.h5', '.ckpt', '.keras'];

/** A path with a new extension, and every other use of the same path in the file renamed with it. */
export interface RenamedPath {
  /** The path as it reads afterwards: the argument, or the value of the name holding it. */
  text: string;
  edits: TextEdit[];
  /** True when the path has other uses in the file (the same literal, or other reads of the name holding it). */
  shared: boolean;
}

/**
 * The path argument with `suffix` as its extension. A literal is edited inside its quotes; a
 * name bound once in the scope to a literal path gets the extension in that literal, so every
 * read of the name follows. Other literals of the same text in the file are renamed too, since
 * they name the same file (a later `load_model("best.h5")`).
 */
export function renamePath(facts: FileFacts, scope: Scope, path: SyntaxNode, before: number, suffix: string): RenamedPath | undefined {
  const tail = pathTail(facts, scope, path, before);
  if (!tail) return undefined;
  const node = unparen(path);
  if (!tail.literal && node.type === 'identifier') {
    const binding = lastBinding(scope, node.text, before);
    const valueTail = binding && pathTail(facts, scope, binding.value, binding.value.startIndex);
    const literal = binding && valueTail?.literal && withExtension(binding.value, valueTail, suffix);
    if (!binding || !valueTail?.literal || !literal) return fallback(path, tail, suffix);
    const reads = facts.tree.ofType('identifier').filter((id) => id.text === node.text && id.id !== node.id && !isTargetOf(id, binding.value));
    const others = sameLiterals(facts, valueTail.literal);
    return {
      text: literal.text,
      edits: [literal.edit, ...others.map((other) => replaceNode(other, literal.literal))],
      shared: reads.length > 0 || others.length > 0,
    };
  }
  const renamed = tail.literal && withExtension(path, tail, suffix);
  if (!tail.literal || !renamed) return fallback(path, tail, suffix);
  const others = sameLiterals(facts, tail.literal);
  return { text: renamed.text, edits: [renamed.edit, ...others.map((other) => replaceNode(other, renamed.literal))], shared: others.length > 0 };
}

/** A path whose end is not a literal of its own: the suffix is added to the expression. */
function fallback(path: SyntaxNode, tail: PathTail, suffix: string): RenamedPath | undefined {
  const renamed = pathWithSuffix(path, tail, suffix);
  return renamed && { text: renamed.text, edits: [renamed.edit], shared: false };
}

/** `pathWithSuffix`, dropping an extension that the suffix replaces; with the new literal's text. */
function withExtension(path: SyntaxNode, tail: PathTail, suffix: string): { edit: TextEdit; text: string; literal: string } | undefined {
  const renamed = pathWithSuffix(path, tail, suffix);
  const literal = tail.literal && pathWithSuffix(tail.literal, tail, suffix)?.edit.newText;
  if (!renamed || !literal) return undefined;
  const replaced = replacedExtensions.find((e) => e !== suffix && tail.tail.replace(/[/\\]+$/, '').endsWith(e));
  if (!replaced) return { ...renamed, literal };
  const drop = (text: string) => {
    const at = text.lastIndexOf(replaced + suffix);
    return at < 0 ? text : text.slice(0, at) + text.slice(at + replaced.length);
  };
  return { edit: { ...renamed.edit, newText: drop(renamed.edit.newText) }, text: drop(renamed.text), literal: drop(literal) };
}

/** Other string literals of the file with exactly the same text. */
function sameLiterals(facts: FileFacts, literal: SyntaxNode): SyntaxNode[] {
  return facts.tree.ofType('string').filter((s) => s.id !== literal.id && s.text === literal.text);
}

/** The identifier is the target of the assignment whose value is `value`. */
function isTargetOf(id: SyntaxNode, value: SyntaxNode): boolean {
  const assignment = value.parent;
  return assignment?.type === 'assignment' && assignment.childForFieldName('left')?.id === id.id;
}
