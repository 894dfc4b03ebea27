/** The folder the end-to-end suite opens: copies of the examples and rule fixtures, never the originals. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, from out/test/e2e. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The compiled mocha entry that runs inside the extension host. */
export const suiteEntry = path.join(__dirname, 'suite', 'index.js');

/** Fills `folder` with `examples/` and `fixtures/` (the rule fixtures) and returns it. */
export function prepareWorkspace(folder: string): string {
  fs.mkdirSync(folder, { recursive: true });
  fs.cpSync(path.join(repoRoot, 'examples'), path.join(folder, 'examples'), { recursive: true });
  fs.cpSync(path.join(repoRoot, 'test', 'fixtures'), path.join(folder, 'fixtures'), { recursive: true });
  return folder;
}
