/**
 * The mocha entry of the extension-host suite. `run` is what @vscode/test-electron calls
 * (`extensionTestsPath`); `runSuite` reports each test as it ends, for the code-server runner.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  /** The suite and test titles, as `mocha` prints them. */
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  /** The failure's message and stack. */
  error?: string;
}

/** Runs every `*.test.js` beside this file; `onResult` hears each test (or failed hook) as it ends. */
export function runSuite(onResult: (result: TestResult) => void = () => undefined): Promise<TestResult[]> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 30_000, reporter: 'spec' });
  for (const name of fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, name));
  }
  const results: TestResult[] = [];
  const record = (result: TestResult) => {
    results.push(result);
    onResult(result);
  };
  return new Promise((resolve, reject) => {
    try {
      mocha
        .run(() => resolve(results))
        .on('pass', (test) => record({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 }))
        .on('fail', (test, error: unknown) =>
          record({
            title: test.fullTitle(),
            state: 'failed',
            durationMs: test.duration ?? 0,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }));
    } catch (error) {
      reject(error);
    }
  });
}

/** The @vscode/test-electron entry: rejects when a test failed, which fails the run. */
export async function run(): Promise<void> {
  const results = await runSuite();
  const failed = results.filter((r) => r.state === 'failed').length;
  if (failed > 0) throw new Error(`${failed} of ${results.length} end-to-end tests failed`);
}
