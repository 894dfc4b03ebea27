/**
 * `npm run test:e2e`: the extension-host suite inside real VS Code, offline. code-server (VS Code's
 * server and web UI, set up by scripts/setup-code-server.sh) runs with the packaged .vsix
 * installed, and headless Chromium opens its workbench on a copy of the examples, which starts the
 * extension host. A small bootstrap extension, generated and installed for the run only (never
 * shipped), runs the mocha suite there once the workbench has started and appends each result
 * to a JSON-lines file that this script reads and prints.
 *
 *   node out/test/e2e/run-code-server.js [--vsix FILE] [--timeout SECONDS] [--keep]
 *
 * KSM_E2E_DIR is where code-server is installed (default .test-work/e2e, as the setup script).
 * --keep leaves the temporary folder (logs, workspace, profiles) for a look afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { TestResult } from './suite/index';
import { prepareWorkspace, repoRoot, suiteEntry } from './workspace';

/** A line of the results file, as the bootstrap extension writes it. */
type SuiteEvent =
  | { event: 'start' }
  | ({ event: 'test' } & TestResult)
  | { event: 'end' }
  | { event: 'error'; error: string };

/** The part of playwright-core this script uses; it is installed beside code-server, not in the project. */
interface Playwright {
  chromium: {
    launchPersistentContext(userDataDir: string, options: {
      executablePath: string;
      headless: boolean;
      args: string[];
      handleSIGINT: boolean;
      handleSIGTERM: boolean;
      handleSIGHUP: boolean;
    }): Promise<BrowserContext>;
  };
}
interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Page {
  goto(url: string, options: { waitUntil: 'load'; timeout: number }): Promise<unknown>;
  on(event: 'pageerror', listener: (error: Error) => void): void;
}

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];
const bootstrapId = 'keras-savedmodel-lint-tests.e2e-bootstrap';

const { values: options } = parseArgs({
  options: {
    vsix: { type: 'string', default: path.join(repoRoot, 'dist', 'keras-savedmodel-lint.vsix') },
    timeout: { type: 'string', default: '180' },
    keep: { type: 'boolean', default: false },
  },
});

const installDir = process.env.KSM_E2E_DIR ?? path.join(repoRoot, '.test-work', 'e2e');
const codeServerEntry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const playwrightPath = path.join(installDir, 'node_modules', 'playwright-core');
const vsceScript = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
const started = Date.now();

function elapsed(): string {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

class SetupError extends Error {}

/** What the run started, so that every exit path stops and removes it. */
const resources: { temp?: string; codeServer?: ChildProcess; browser?: BrowserContext } = {};

function checkPrerequisites(): void {
  const missing: string[] = [];
  if (!fs.existsSync(codeServerEntry) || !fs.existsSync(playwrightPath)) missing.push(`code-server in ${installDir}: run scripts/setup-code-server.sh`);
  if (!fs.existsSync(chromiumPath)) missing.push(`${chromiumPath}: run scripts/setup-code-server.sh (it installs Debian's chromium)`);
  if (!fs.existsSync(options.vsix)) missing.push(`${options.vsix}: run npm run package`);
  if (!fs.existsSync(suiteEntry)) missing.push(`${suiteEntry}: run npx tsc -b`);
  if (missing.length > 0) throw new SetupError(`Missing:\n  ${missing.join('\n  ')}`);
  if (!(Number(options.timeout) > 0)) throw new SetupError(`--timeout takes a number of seconds, not "${options.timeout}"`);
}

/** Runs a Node script to its end, quietly; fails with its output if it fails. */
function runQuietly(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new SetupError(`${path.basename(script)} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

/**
 * The bootstrap extension: once the workbench has started it runs the compiled suite and appends
 * one JSON line per event to `resultsFile`. Generated per run, with both paths written in, and
 * packaged as a .vsix, since VS Code drops folders it did not install from its extensions folder.
 */
async function packageBootstrapExtension(dir: string, resultsFile: string): Promise<string> {
  const [publisher, name] = bootstrapId.split('.') as [string, string];
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name, publisher, version: '0.0.0', engines: { vscode: '^1.100.0' },
    activationEvents: ['onStartupFinished'], main: './extension.js', extensionKind: ['workspace'], files: ['extension.js'],
  }, null, 2));
  fs.writeFileSync(path.join(dir, 'README.md'), 'Runs the end-to-end suite of Keras SavedModel Lint.\n');
  fs.writeFileSync(path.join(dir, 'extension.js'), `'use strict';
const fs = require('fs');
const resultsFile = ${JSON.stringify(resultsFile)};
const write = (event) => fs.appendFileSync(resultsFile, JSON.stringify(event) + '\\n');
exports.activate = () => {
  write({ event: 'start' });
  Promise.resolve()
    .then(() => require(${JSON.stringify(suiteEntry)}).runSuite((result) => write({ event: 'test', ...result })))
    .then(() => write({ event: 'end' }), (error) => write({ event: 'error', error: String((error && error.stack) || error) }));
};
`);
  const vsix = `${dir}.vsix`;
  await runQuietly(vsceScript, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], { cwd: dir, timeoutMs: 60_000 });
  return vsix;
}

/** Starts code-server on a free port of 127.0.0.1 and resolves with its address once it listens. */
async function startCodeServer(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<string> {
  const log = fs.openSync(logFile, 'w');
  // Its own process group: code-server, its extension host and the language server stop together.
  const child = spawn(process.execPath, [codeServerEntry, ...args], { env, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  resources.codeServer = child;
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = signal ?? `exit ${code}`));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const address = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(fs.readFileSync(logFile, 'utf8'))?.[1];
    if (address) return address;
    if (exited) throw new SetupError(`code-server stopped (${exited}) before it listened:\n${tail(logFile)}`);
    if (Date.now() > deadline) throw new SetupError(`code-server did not listen within 60 s:\n${tail(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tail(file: string, lines = 40): string {
  if (!fs.existsSync(file)) return `(no ${path.basename(file)})`;
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The extension host logs under a user-data folder. */
function extensionHostLogs(userDataDir: string): string[] {
  const logs = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logs)) return [];
  return fs.readdirSync(logs, { recursive: true, encoding: 'utf8' })
    .filter((name) => /exthost\.log$/.test(name))
    .map((name) => path.join(logs, name));
}

function printResult(result: TestResult): void {
  const mark = result.state === 'passed' ? '✓' : '✗';
  console.log(`  ${mark} ${result.title} (${result.durationMs} ms)`);
  if (result.error) console.log(result.error.split('\n').map((line) => `      ${line}`).join('\n'));
}

/** Reads the results file as the suite writes it, printing each test, until the suite ends or the time is up. */
async function collectResults(resultsFile: string, timeoutMs: number, stillRunning: () => string | undefined): Promise<{ results: TestResult[]; problem?: string }> {
  const results: TestResult[] = [];
  let read = 0;
  let startedAt: string | undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8').split('\n') : [];
    // The last piece may be a line still being written.
    for (const line of lines.slice(read, -1)) {
      read++;
      const event = JSON.parse(line) as SuiteEvent;
      if (event.event === 'start') {
        startedAt = elapsed();
        console.log(`The suite started in the extension host at ${startedAt}.`);
      } else if (event.event === 'test') {
        const { event: _, ...result } = event;
        results.push(result);
        printResult(result);
      } else if (event.event === 'end') {
        return { results };
      } else {
        return { results, problem: `The suite could not run:\n${event.error}` };
      }
    }
    const stopped = stillRunning();
    if (stopped) return { results, problem: stopped };
    if (Date.now() > deadline) {
      const where = startedAt
        ? `${results.length} tests had finished${results.length > 0 ? `, the last "${results.at(-1)!.title}"` : ''}; the next one hangs or is slow`
        : 'the suite never started: the workbench or the extension host did not come up, or the bootstrap extension was not loaded';
      return { results, problem: `Timed out after ${timeoutMs / 1000} s: ${where}.` };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is already gone.
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // Children that outlive the server's own exit (extension host, language server) go too.
  signalGroup('SIGKILL');
}

async function cleanUp(): Promise<void> {
  const { browser, codeServer, temp } = resources;
  resources.browser = undefined;
  resources.codeServer = undefined;
  resources.temp = undefined;
  await browser?.close().catch(() => undefined);
  if (codeServer) await stopProcessGroup(codeServer);
  if (temp) {
    if (options.keep) console.log(`Kept ${temp}`);
    else fs.rmSync(temp, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  checkPrerequisites();
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-e2e-'));
  resources.temp = temp;
  const dirs = {
    workspace: path.join(temp, 'workspace'),
    userData: path.join(temp, 'user-data'),
    extensions: path.join(temp, 'extensions'),
    browserProfile: path.join(temp, 'browser-profile'),
    xdg: path.join(temp, 'xdg'),
  };
  const config = path.join(temp, 'config.yaml');
  const resultsFile = path.join(temp, 'results.jsonl');
  const serverLog = path.join(temp, 'code-server.log');

  prepareWorkspace(dirs.workspace);
  // Settings that keep VS Code from reaching out or opening pages of its own.
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
  }, null, 2));
  fs.writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // An empty gallery: no extension marketplace is queried.
    EXTENSIONS_GALLERY: '{}',
    // code-server keeps its own state under the XDG folders; keep it out of the home folder.
    XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
    XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
    XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
  };
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--config', config];

  const bootstrap = await packageBootstrapExtension(path.join(temp, 'bootstrap'), resultsFile);
  await runQuietly(codeServerEntry, [...common, '--install-extension', options.vsix, '--install-extension', bootstrap], { env, timeoutMs: 60_000 });
  console.log(`Installed ${path.relative(repoRoot, options.vsix)} (${elapsed()}).`);

  const address = await startCodeServer([
    ...common, '--bind-addr', '127.0.0.1:0', '--auth', 'none', '--disable-workspace-trust', '--disable-telemetry',
    '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened',
  ], env, serverLog);
  console.log(`code-server listens on ${address} (${elapsed()}).`);

  const playwright = require(playwrightPath) as Playwright;
  // The signal handlers below close the browser along with code-server; playwright's own would exit first.
  const browser = await playwright.chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  resources.browser = browser;
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${address}/?folder=${encodeURIComponent(dirs.workspace)}`, { waitUntil: 'load', timeout: 60_000 });
  console.log(`The workbench is open (${elapsed()}).`);

  const serverProcess = resources.codeServer!;
  const { results, problem } = await collectResults(resultsFile, Number(options.timeout) * 1000, () =>
    serverProcess.exitCode !== null || serverProcess.signalCode !== null ? 'code-server stopped during the run.' : undefined);
  const passed = results.filter((r) => r.state === 'passed').length;
  let failed = results.length - passed;
  if (problem) {
    failed++;
    console.log(`\n${problem}`);
    console.log(`\n--- code-server log (last lines) ---\n${tail(serverLog)}`);
    for (const log of extensionHostLogs(dirs.userData)) console.log(`\n--- ${path.relative(dirs.userData, log)} (last lines) ---\n${tail(log)}`);
    if (pageErrors.length > 0) console.log(`\n--- errors in the workbench page ---\n${pageErrors.slice(-10).join('\n')}`);
  } else if (results.length === 0) {
    failed++;
    console.log('The suite ran no test.');
  }
  console.log(`\nFinished in ${elapsed()}.`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping`);
    void cleanUp().finally(() => process.exit(128 + os.constants.signals[signal]));
  });
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof SetupError ? error.message : error);
    console.log('0 passed, 1 failed');
    return 1;
  })
  .then(async (code) => {
    await cleanUp();
    process.exitCode = code;
  });
