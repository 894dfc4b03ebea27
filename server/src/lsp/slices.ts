/**
 * Long work in the language server runs in slices: the engine's analysis is a generator that
 * pauses between stages (see `analysisSteps`), and this runs it, giving the event loop a turn
 * whenever a slice has taken `sliceMs`, so that other documents, code actions and requests are
 * answered meanwhile, and a run whose document has changed stops at its next pause.
 */

/** Longest stretch of work, in milliseconds, before the event loop gets a turn. */
export const sliceMs = 8;

/** Runs steps to their end, or until `stopped()` says, at a pause, that the result is no longer wanted (then undefined). */
export async function runInSlices<T>(steps: Generator<void, T>, stopped: () => boolean): Promise<T | undefined> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart < sliceMs) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stopped()) {
      steps.return(undefined as T);
      return undefined;
    }
    sliceStart = performance.now();
  }
}
