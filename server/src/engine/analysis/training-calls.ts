import type { SyntaxNode } from './syntax';
import { instanceClass, modelReferenced } from './data-sources';
import type { FileFacts, TrainingCall } from './facts';
import { methodOf } from './semantic';

/**
 * The one verdict on "is this `.fit()` (or `evaluate`, `predict`, their generator forms) a Keras
 * training call?": it is made on a model of the file, or on a receiver that is not an instance
 * of a class of the file defining that method (and, for a bare name whose class is unknown,
 * when no class of the file defines it). Each call comes with the model it trains, when known:
 * a model of its own scope, or one a module-level name holds when it is trained in a function.
 */
export function kerasTrainingCalls(facts: FileFacts): readonly TrainingCall[] {
  let calls = trainingByFacts.get(facts);
  if (!calls) {
    calls = facts.trainingCalls
      .filter((t) => t.model || !callsFileMethod(facts, t))
      .map((t): TrainingCall => ({ ...t, model: t.model ?? receiverModel(facts, t) }));
    trainingByFacts.set(facts, calls);
  }
  return calls;
}

const trainingByFacts = new WeakMap<FileFacts, readonly TrainingCall[]>();

function receiverOf(training: TrainingCall): SyntaxNode | undefined {
  return training.call.childForFieldName('function')?.childForFieldName('object') ?? undefined;
}

function callsFileMethod(facts: FileFacts, training: TrainingCall): boolean {
  const receiver = receiverOf(training);
  if (!receiver) return false;
  const cls = instanceClass(facts, training.scope, receiver);
  if (cls) return methodOf(cls, training.method) !== undefined;
  return receiver.type === 'identifier' && [...facts.classes.values()].some((c) => c.methods.has(training.method));
}

function receiverModel(facts: FileFacts, training: TrainingCall): ReturnType<typeof modelReferenced> {
  const receiver = receiverOf(training);
  return receiver ? modelReferenced(facts, training.scope, receiver) : undefined;
}
