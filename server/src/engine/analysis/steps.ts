/**
 * Work in steps: a generator that `yield`s where a caller may pause (the language server gives
 * its event loop a turn there) or stop (simply by not resuming it). Synchronous callers run it
 * through with `complete`.
 */
export type Steps<T> = Generator<void, T>;

/** Runs steps to the end without pausing. */
export function complete<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Nodes or items handled between two pauses of a long loop. */
export const itemsPerStep = 4096;
