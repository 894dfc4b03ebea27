/**
 * A worker thread of `ksm check` (see check-files.ts): its own parser and file checker, which
 * checks each file it is sent and answers with the outcome (plain data, cloned to the caller).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initParser } from '../engine/analysis/parser';
import { FileChecker, type WorkerSetup } from './check-files';

const setup = workerData as WorkerSetup;
void initParser().then(() => {
  const checker = new FileChecker(setup.paths, setup.selection, false, setup.options);
  parentPort!.on('message', ({ index, file }: { index: number; file: string }) => {
    parentPort!.postMessage({ index, outcome: checker.check(file) });
  });
  parentPort!.postMessage('ready');
});
