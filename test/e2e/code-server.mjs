/**
 * Starts and stops a private code-server (VS Code's server with its web UI) for end-to-end
 * tests, with an extension installed from a .vsix. Shared by the test runners that need a real
 * VS Code; it holds no test logic of its own.
 *
 * code-server comes from `scripts/setup-code-server.sh`, which installs it (and playwright-core)
 * into `.test-work/e2e`; `KSM_E2E_DIR` points elsewhere.
 *
 * API
 *
 *   import { startCodeServer, e2eDir, requireFromE2e } from './code-server.mjs';
 *
 *   const server = await startCodeServer({
 *     vsix: 'dist/keras-savedmodel-lint.vsix', // installed before the server starts (optional)
 *     settings: { 'editor.minimap.enabled': false }, // merged into the default user settings
 *     timeoutMs: 60_000,                        // for the install and for the server to answer
 *   });
 *   server.url                 'http://127.0.0.1:41234/'
 *   server.folderUrl(dir)      the page that opens `dir` as the workspace folder
 *   server.port, server.pid
 *   server.tempDir             holds everything below, removed by stop()
 *   server.userDataDir, server.extensionsDir, server.configPath
 *   server.logPath             code-server's own stdout and stderr
 *   server.logsDir             VS Code's logs (extension host, remote agent, extension output)
 *   server.logTail(lines)      the last lines of logPath, for failure messages
 *   await server.stop({ keepFiles })  ends code-server and every process it started (the
 *                              extension host, language servers), then removes tempDir unless
 *                              keepFiles; safe to call twice
 *
 *   e2eDir                     where code-server and playwright-core are installed
 *   requireFromE2e(name)       require() a package installed there ('playwright-core')
 *
 * What it does, and why:
 * - Binds 127.0.0.1 on port 0 and reads the port code-server chose from its log, so parallel
 *   runs never race for a port.
 * - `--auth none --disable-workspace-trust --disable-telemetry --disable-update-check`, with
 *   its own --user-data-dir, --extensions-dir and --config in a fresh temp dir, and XDG dirs
 *   pointed there too: code-server otherwise writes a config (with a password) and a
 *   heartbeat into the home folder.
 * - Default user settings keep the window quiet and stable for tests: no welcome page, no
 *   walkthroughs, no extension recommendations or update checks.
 * - Starts code-server as the leader of its own process group and ends the whole group, so no
 *   extension host or language server outlives a test, even after a crash of the runner (an
 *   exit hook and SIGINT/SIGTERM handlers end every server still running).
 * - Waits until GET /healthz answers, polling, and fails with the log tail when it does not.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const e2eDir = resolve(process.env.KSM_E2E_DIR ?? join(repoRoot, '.test-work', 'e2e'));

const codeServerBin = join(e2eDir, 'node_modules', '.bin', 'code-server');

/** require() for the packages that the setup script installs beside code-server. */
export const requireFromE2e = createRequire(join(e2eDir, 'package.json'));

const defaultSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

/** The servers still running, ended by the exit hook if their runner forgets or crashes. */
const running = new Set();
let hooksInstalled = false;

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      for (const pid of running) killGroup(pid, 'SIGKILL');
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function tailOf(path, lines) {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((line) => line.trim()).slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs code-server once to completion (the extension install), failing on a non-zero exit. */
function runToCompletion(args, env, logPath, timeoutMs) {
  return new Promise((done, fail) => {
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(codeServerBin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      fail(new Error(`code-server ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${tailOf(logPath, 20)}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      log.end(() => {
        if (code === 0) done();
        else fail(new Error(`code-server ${args.join(' ')} exited with ${code}:\n${tailOf(logPath, 20)}`));
      });
    });
  });
}

/**
 * Installs the extension (when `vsix` is given), starts code-server and waits until it answers.
 * @param {{ vsix?: string, settings?: Record<string, unknown>, timeoutMs?: number }} [options]
 */
export async function startCodeServer(options = {}) {
  const { vsix, settings = {}, timeoutMs = 60_000 } = options;
  if (!existsSync(codeServerBin)) {
    throw new Error(`code-server is not installed in ${e2eDir}: run scripts/setup-code-server.sh first`);
  }
  if (vsix && !existsSync(vsix)) throw new Error(`no extension package at ${vsix}: run npm run package first`);
  installExitHooks();

  const tempDir = await mkdtemp(join(tmpdir(), 'ksm-code-server-'));
  const userDataDir = join(tempDir, 'user-data');
  const extensionsDir = join(tempDir, 'extensions');
  const configPath = join(tempDir, 'config.yaml');
  const logPath = join(tempDir, 'code-server.log');
  await mkdir(join(userDataDir, 'User'), { recursive: true });
  await mkdir(extensionsDir, { recursive: true });
  await writeFile(configPath, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  await writeFile(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...defaultSettings, ...settings }, null, 2));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(tempDir, 'xdg-config'),
    XDG_DATA_HOME: join(tempDir, 'xdg-data'),
    XDG_CACHE_HOME: join(tempDir, 'xdg-cache'),
  };
  const common = ['--config', configPath, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  const removeTemp = () => rm(tempDir, { recursive: true, force: true, maxRetries: 3 });
  try {
    if (vsix) await runToCompletion([...common, '--install-extension', resolve(vsix), '--force'], env, logPath, timeoutMs);
  } catch (error) {
    await removeTemp();
    throw error;
  }

  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(codeServerBin, [
    ...common,
    '--auth', 'none',
    '--disable-workspace-trust',
    '--disable-telemetry',
    '--disable-update-check',
    '--ignore-last-opened',
  ], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child.pid);
  child.stdout.pipe(log);
  child.stderr.pipe(log, { end: false });
  let exitCode;
  const exited = new Promise((done) => child.on('exit', (code, signal) => {
    exitCode = code ?? signal;
    running.delete(child.pid);
    done();
  }));

  let stopped = false;
  async function stop({ keepFiles = false } = {}) {
    if (!stopped) {
      stopped = true;
      killGroup(child.pid, 'SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      // The group may hold an extension host or a language server that ignored SIGTERM.
      killGroup(child.pid, 'SIGKILL');
      if (!graceful) await exited;
    }
    if (!keepFiles) await removeTemp();
  }

  try {
    const port = await waitFor(`code-server to log its port (${logPath})`, timeoutMs, () => {
      if (exitCode !== undefined) throw new Error(`code-server exited (${exitCode}) before listening:\n${tailOf(logPath, 20)}`);
      const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(tailOf(logPath, 200));
      return match ? Number(match[1]) : undefined;
    });
    const url = `http://127.0.0.1:${port}/`;
    await waitFor(`${url}healthz to answer`, timeoutMs, async () => {
      if (exitCode !== undefined) throw new Error(`code-server exited (${exitCode}):\n${tailOf(logPath, 20)}`);
      const response = await fetch(`${url}healthz`).catch(() => undefined);
      return response?.ok ? true : undefined;
    });
    return {
      url,
      port,
      pid: child.pid,
      tempDir,
      userDataDir,
      extensionsDir,
      configPath,
      logPath,
      logsDir: join(userDataDir, 'logs'),
      folderUrl: (folder) => `${url}?folder=${encodeURIComponent(resolve(folder))}`,
      logTail: (lines = 40) => tailOf(logPath, lines),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `probe` until it returns something other than undefined; says what it waited for when it gives up. */
async function waitFor(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
