/**
 * Neovim test: the README's Neovim config (test/neovim/ksm.lua) in a headless Neovim, against
 * the bundled CLI's language server (`ksm server --stdio`, here `node dist/cli.js`).
 *
 *   npm run test:neovim          # builds, then runs this
 *   node test/neovim/run.mjs
 *
 * Needs `nvim` (Debian's neovim package: 0.7.2 on Debian 12) and dist/cli.js. The examples are
 * copied into a temp project (with a pyproject.toml, so the config finds its root there) and a
 * `ksm` command on PATH runs the bundled CLI, so the config runs exactly as users write it.
 * Neovim runs in its own process group with a timeout; afterwards no process of that group
 * (the language server included) may be left. Ends with `N passed, N failed`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const here = join(repoRoot, 'test', 'neovim');
const cli = join(repoRoot, 'dist', 'cli.js');
const nvim = process.env.NVIM_PATH ?? 'nvim';
const timeoutMs = 60_000;
const waitTimeoutMs = 15_000;

/**
 * What each example must show in Neovim. Lines are 1-based. Either `action` (a code action at
 * the first diagnostic, applied) or `command` (a command of the config) changes the buffer, and
 * `expect` gives the lines it must hold afterwards.
 */
const cases = [
  {
    example: 'lstm_input_shape.py',
    diagnostics: [{ code: 'KSM301', line: 10, severity: 'error' }],
    action: {
      title: 'Insert `tf.keras.Input(shape=(30, 4))` as the first layer',
      preferred: true,
      alongside: ['Add `input_shape=(30, 4)` to `LSTM`', 'Disable KSM301 for this line'],
    },
    expect: (lines) => lines.toSpliced(9, 0, '    tf.keras.Input(shape=(30, 4)),'),
  },
  {
    example: 'save_before_compile.py',
    diagnostics: [{ code: 'KSM101', line: 14, severity: 'warning' }],
    action: { title: 'Disable KSM101 for this line' },
    expect: (lines) => lines.with(13, `${lines[13]}  # noqa: KSM101`),
  },
  {
    example: 'custom_layer.py',
    diagnostics: [
      { code: 'KSM201', line: 6, severity: 'warning' },
      { code: 'KSM203', line: 6, severity: 'information' },
      { code: 'KSM202', line: 7, severity: 'warning' },
    ],
    command: 'KsmFixAll',
    // Three fixes in one edit; the editor must end up with what `ksm check --fix` writes.
    expect: (_lines, source) => fixedByCli(source),
  },
];

async function fixedByCli(source) {
  const dir = await mkdtemp(join(tmpdir(), 'ksm-neovim-fix-'));
  try {
    const copy = join(dir, 'fixed.py');
    await copyFile(source, copy);
    spawnSync(process.execPath, [cli, 'check', '--fix', copy], { encoding: 'utf8' });
    const fixed = await readFile(copy, 'utf8');
    if (fixed === (await readFile(source, 'utf8'))) throw new Error(`ksm check --fix changed nothing in ${source}`);
    return toLines(fixed);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A file's lines as Neovim's buffer holds them (no entry for the final newline). */
function toLines(text) {
  return text.replace(/\n$/, '').split('\n');
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function main() {
  const started = Date.now();
  const version = spawnSync(nvim, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    console.log(`✗ nvim is not installed (${version.error?.message ?? version.stderr}): apt-get install neovim`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
    return;
  }
  console.log(version.stdout.split('\n')[0]);

  const temp = await mkdtemp(join(tmpdir(), 'ksm-neovim-'));
  const workspace = join(temp, 'project');
  const bin = join(temp, 'bin');
  const resultsPath = join(temp, 'results.jsonl');
  const casesPath = join(temp, 'cases.json');
  await mkdir(workspace);
  await mkdir(bin);
  await writeFile(join(workspace, 'pyproject.toml'), '[project]\nname = "forecaster"\nversion = "0.1.0"\n');
  const specCases = [];
  for (const c of cases) {
    const source = join(repoRoot, 'examples', 'flagged', c.example);
    await copyFile(source, join(workspace, c.example));
    const lines = toLines(await readFile(source, 'utf8'));
    specCases.push({
      file: c.example,
      diagnostics: c.diagnostics,
      action: c.action,
      command: c.command,
      expectedLines: await c.expect(lines, source),
    });
  }
  await writeFile(casesPath, JSON.stringify({ workspace, timeoutMs: waitTimeoutMs, cases: specCases }));
  // The `ksm` command the config runs, as `npm install -g` would provide it.
  await writeFile(join(bin, 'ksm'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  await chmod(join(bin, 'ksm'), 0o755);

  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    KSM_NVIM_CASES: casesPath,
    KSM_NVIM_RESULTS: resultsPath,
    // No user config, plugins, shada or state from the home folder.
    XDG_CONFIG_HOME: join(temp, 'config'),
    XDG_DATA_HOME: join(temp, 'data'),
    XDG_STATE_HOME: join(temp, 'state'),
    XDG_CACHE_HOME: join(temp, 'cache'),
  };
  const child = spawn(nvim, ['--headless', '-n', '-i', 'NONE', '-u', join(here, 'init.lua')], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const onSignal = () => killGroup(child.pid);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setTimeout(() => killGroup(child.pid), timeoutMs);
  const { code, signal } = await exit;
  clearTimeout(timer);

  const results = (await readFile(resultsPath, 'utf8').catch(() => ''))
    .split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const finished = results.some((r) => r.done);
  const checks = results.filter((r) => !r.done);
  if (!finished) {
    checks.push({ name: 'Neovim finishes the checks', status: 'failed',
      detail: signal ? `killed (${signal}) after ${timeoutMs} ms` : `exited with ${code} before the end` });
  } else if (code !== 0) {
    checks.push({ name: 'Neovim exits cleanly', status: 'failed', detail: `exit code ${code}` });
  }
  // The language server is a child of Neovim, in its process group: none of it may outlive Neovim.
  let leftover = groupAlive(child.pid);
  for (let i = 0; leftover && i < 20; i++) {
    await sleep(100);
    leftover = groupAlive(child.pid);
  }
  checks.push({ name: 'no process of the Neovim session (the server included) is left', status: leftover ? 'failed' : 'passed' });
  killGroup(child.pid);

  for (const check of checks) {
    const mark = { passed: '✓', failed: '✗', skipped: '-' }[check.status];
    console.log(`${mark} ${check.name}${check.ms !== undefined ? ` (${check.ms} ms)` : ''}`);
    if (check.detail) console.log(`  ${check.detail}`);
  }
  const count = (status) => checks.filter((c) => c.status === status).length;
  const failed = count('failed');
  if (failed > 0 && output.trim()) console.log(`Neovim printed:\n${output.trim().replace(/^/gm, '  ')}`);
  await rm(temp, { recursive: true, force: true });
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  const skipped = count('skipped');
  console.log(`${count('passed')} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
