/**
 * `npm run test:vscode`: the extension-host suite in VS Code desktop, which @vscode/test-electron
 * downloads (set VSCODE_TEST_VERSION to pick one; the default is the latest stable). Where
 * VS Code cannot be downloaded, `npm run test:e2e` runs the same suite in code-server.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { prepareWorkspace, repoRoot, suiteEntry } from './workspace';

async function main(): Promise<void> {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-vscode-'));
  try {
    const workspace = prepareWorkspace(path.join(temp, 'workspace'));
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteEntry,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(temp, 'user-data')}`,
      ],
    });
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
