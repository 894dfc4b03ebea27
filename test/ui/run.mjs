/**
 * UI test: the packaged extension in a real VS Code (code-server) driven through Chromium, the
 * way a user works: a squiggle on the flagged line, its hover, the readiness report from the
 * command palette, the status bar verdict, and a quick fix applied from the keyboard.
 *
 *   npm run test:ui     # sets up code-server (once), packages the extension, runs this
 *   node test/ui/run.mjs [--out DIR] [--update-images] [--headed]
 *
 * Needs what `scripts/setup-code-server.sh` installs (code-server, playwright-core, Debian's
 * chromium) and dist/keras-savedmodel-lint.vsix. A screenshot is saved at each step into
 * --out (default .test-work/ui); --update-images also copies the README's screenshots into
 * docs/images. Every wait polls with a timeout and names what it waited for. The output ends
 * with `N passed, N failed`.
 */
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { requireFromE2e, startCodeServer } from '../e2e/code-server.mjs';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(repoRoot, '.test-work', 'ui') },
    'update-images': { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false },
  },
});

const vsix = join(repoRoot, 'dist', 'keras-savedmodel-lint.vsix');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const example = join(repoRoot, 'examples', 'flagged', 'lstm_input_shape.py');
const fileName = 'lstm_input_shape.py';

/** What the test expects of the example; line numbers are 1-based, as the editor shows them. */
const expected = {
  line: 10,
  code: 'KSM301',
  hoverText: 'is saved before it is built',
  fixTitle: /^Insert `?tf\.keras\.Input\(shape=\(30, 4\)\)`? as the first layer$/,
  insertedLine: '    tf.keras.Input(shape=(30, 4)),',
  firstLayerLine: '    tf.keras.layers.LSTM(64, return_sequences=True),',
  command: 'Keras: Check SavedModel Readiness',
  reportTitle: `SavedModel Readiness: ${fileName}`,
  readyVerdict: 'Ready to save.',
};

/** Screenshots copied into docs/images with --update-images: step name → image name. */
const readmeImages = {
  hover: 'squiggle-hover.png',
  'quick-fix-menu': 'quick-fix.png',
  'report-blocking': 'readiness-report.png',
  'status-bar-ready': 'status-bar.png',
};

const viewport = { width: 1280, height: 800 };
const defaultTimeoutMs = 30_000;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Polls `probe` until it returns a value other than undefined/false. `probe` may call `saw(x)`
 * to record what it found, which the failure message quotes.
 */
async function waitFor(what, probe, timeoutMs = defaultTimeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let seen = 'nothing';
  const saw = (value) => { seen = typeof value === 'string' ? value : JSON.stringify(value); };
  for (;;) {
    try {
      const value = await probe(saw);
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      seen = `error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    await sleep(250);
  }
}

const oneLine = (text) => text.replace(/\s+/g, ' ').trim();
const indent = (text) => text.replace(/^/gm, '    ');

/** The page objects and queries of the VS Code workbench that the steps use. */
class Workbench {
  constructor(page, outDir) {
    this.page = page;
    this.outDir = outDir;
    this.editor = page.locator(`.part.editor .monaco-editor[data-uri$="/${fileName}"]`);
  }

  /** Focuses the first editor group with the keyboard, leaving the cursor where it was. */
  async focusEditor() {
    await this.page.keyboard.press('Control+1');
    await waitFor(`the editor of ${fileName} to have the focus`, () => this.editor.evaluate((node) => node.classList.contains('focused')));
  }

  /** The top of the editor area: the code with a hover or a menu on it, without the side bar. */
  async editorClip(height) {
    const box = await this.page.locator('.part.editor').boundingBox();
    return { x: box.x, y: 0, width: box.width, height };
  }

  async screenshot(name, clip) {
    const path = join(this.outDir, `${name}.png`);
    await this.page.screenshot({ path, clip });
    return path;
  }

  /** The editor's lines as displayed (all of them: the example fits on screen). */
  async editorLines() {
    return this.editor.locator('.view-lines .view-line').evaluateAll((lines) => lines
      .map((line) => ({ top: parseFloat(line.style.top), text: line.textContent.replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text));
  }

  /** The line number beside each squiggle of the given kind, read off the gutter by position. */
  async squiggleLines(kind) {
    const squiggles = await this.editor.locator(`.view-overlays .squiggly-${kind}`).evaluateAll((nodes) => nodes
      .map((node) => node.getBoundingClientRect())
      .filter((box) => box.width > 0)
      .map((box) => ({ x: box.x + Math.min(box.width / 2, 40), y: box.y + box.height / 2 })));
    const numbers = await this.editor.locator('.margin-view-overlays .line-numbers').evaluateAll((nodes) => nodes
      .map((node) => ({ box: node.getBoundingClientRect(), line: Number(node.textContent) })));
    return squiggles.map((at) => ({
      ...at,
      line: numbers.find(({ box }) => at.y >= box.top && at.y < box.bottom)?.line,
    }));
  }

  /** The extension's status bar item; `saw` gets the whole status bar's text, for failure messages. */
  async readinessItem(saw) {
    const items = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    saw(`status bar: ${items.map(oneLine).filter(Boolean).join(' | ')}`);
    return this.page.locator('.part.statusbar .statusbar-item[id$="kerasSavedModel.readiness"]');
  }

  /** Runs a command by its title from the palette (F1), checking which entry is focused before Enter. */
  async runCommand(title) {
    const { page } = this;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await waitFor('the command palette to open', () => input.isVisible());
    await input.fill(`>${title}`);
    const focusedLabel = () => page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name').innerText();
    for (let step = 0; ; step++) {
      const label = await waitFor(`a focused entry in the palette for "${title}"`, async (saw) => {
        const labels = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts();
        saw(`entries: ${labels.map(oneLine).join(' | ')}`);
        if (!labels.some((l) => oneLine(l) === title)) return undefined;
        return oneLine(await focusedLabel());
      });
      if (label === title) break;
      if (step > 10) throw new Error(`the palette never focused "${title}" (focused: "${label}")`);
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await waitFor('the command palette to close', async () => !(await input.isVisible()));
  }

  /** The text of the readiness report, read from the webview's nested iframe once it has rendered. */
  async reportText(saw) {
    // Looked up anew on every call: setting the webview's HTML replaces its inner frame.
    for (const frame of this.page.frames()) {
      if (frame === this.page.mainFrame() || (await frame.locator('h1').count()) === 0) continue;
      const text = oneLine(await frame.locator('body').innerText());
      saw(`report: ${text.slice(0, 400)}`);
      return text;
    }
    saw(`${this.page.frames().length} frames, none with the report`);
    return undefined;
  }

  /** Closes an editor tab by its title with the tab's close button. */
  async closeTab(title) {
    const tab = this.page.locator(`.part.editor .tab[aria-label^="${title}"]`);
    await tab.locator('.tab-actions .action-label').click();
    await waitFor(`the tab "${title}" to close`, async () => (await tab.count()) === 0);
  }
}

/** The steps, in order; each one depends on the ones before it. */
function steps(workbench, workspace) {
  const { page, editor } = workbench;
  let squiggle; // where the error squiggle was, for the hover and the quick fix
  return [
    ['the example opens in an editor', async () => {
      await waitFor('the workbench to load', () => page.locator('.monaco-workbench .part.editor').isVisible(), 90_000);
      // The extension host starts after the workbench; quick open works once the explorer has the folder.
      await waitFor(`the explorer to list ${fileName}`, () => page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${fileName}"]`).isVisible(), 60_000);
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await waitFor('quick open', () => input.isVisible());
      await input.fill(fileName);
      await waitFor(`quick open to list ${fileName}`, async (saw) => {
        const focused = await page.locator('.quick-input-widget .monaco-list-row.focused .label-name').allInnerTexts();
        saw(`focused: ${focused.join(' | ')}`);
        return focused.some((label) => oneLine(label) === fileName);
      });
      await page.keyboard.press('Enter');
      const lines = await waitFor(`the editor to show ${fileName}`, async (saw) => {
        if (!(await editor.isVisible())) return undefined;
        const text = await workbench.editorLines();
        saw(text.slice(0, 3).join(' / '));
        return text.length >= expected.line ? text : undefined;
      });
      const source = (await readFile(join(workspace, fileName), 'utf8')).split('\n');
      if (lines[expected.line - 1] !== source[expected.line - 1]) {
        throw new Error(`line ${expected.line} shows "${lines[expected.line - 1]}", the file has "${source[expected.line - 1]}"`);
      }
      await workbench.screenshot('01-opened');
    }],

    [`an error squiggle marks line ${expected.line}`, async () => {
      const found = await waitFor(`an error squiggle in ${fileName}`, async (saw) => {
        const squiggles = await workbench.squiggleLines('error');
        saw(`error squiggles on lines ${squiggles.map((s) => s.line).join(', ') || 'none'}`);
        return squiggles.length > 0 ? squiggles : undefined;
      }, 60_000);
      const lines = found.map((s) => s.line);
      if (found.length !== 1 || lines[0] !== expected.line) {
        throw new Error(`expected one error squiggle, on line ${expected.line}; found them on lines ${lines.join(', ')}`);
      }
      squiggle = found[0];
      const others = await workbench.squiggleLines('warning');
      if (others.length > 0) throw new Error(`unexpected warning squiggles on lines ${others.map((s) => s.line).join(', ')}`);
    }],

    ['the status bar says the model is blocked', async () => {
      const text = await waitFor('the readiness item to say "1 blocking"', async (saw) => {
        const item = await workbench.readinessItem(saw);
        const label = (await item.count()) > 0 ? oneLine(await item.innerText()) : '';
        return label.includes('blocking') ? label : undefined;
      });
      if (!text.includes('1 blocking')) throw new Error(`the status bar item says "${text}"`);
      await workbench.screenshot('02-status-bar-blocking', { x: viewport.width / 2, y: viewport.height - 240, width: viewport.width / 2, height: 240 });
    }],

    [`hovering the squiggle shows ${expected.code}`, async () => {
      await page.mouse.move(squiggle.x, squiggle.y);
      const hover = page.locator('.monaco-hover:visible');
      const text = await waitFor(`a hover that names ${expected.code}`, async (saw) => {
        if ((await hover.count()) === 0) return undefined;
        const shown = oneLine(await hover.first().innerText());
        saw(shown);
        return shown.includes(expected.code) ? shown : undefined;
      });
      if (!text.includes(expected.hoverText)) throw new Error(`the hover does not say "${expected.hoverText}": ${text}`);
      await workbench.screenshot('hover', await workbench.editorClip(420));
      await page.mouse.move(5, 400);
      await page.keyboard.press('Escape');
      await waitFor('the hover to close', async () => (await hover.count()) === 0);
    }],

    [`"${expected.command}" opens the report with ${expected.code}`, async () => {
      await workbench.focusEditor(); // the command reports the active editor's file
      await workbench.runCommand(expected.command);
      await waitFor(`a tab titled "${expected.reportTitle}"`, async (saw) => {
        const tabs = (await page.locator('.part.editor .tab .label-name').allInnerTexts()).map(oneLine);
        saw(`tabs: ${tabs.join(' | ')}`);
        return tabs.includes(expected.reportTitle);
      });
      const body = await waitFor(`the report to list ${expected.code}`, async (saw) => {
        const text = await workbench.reportText(saw);
        return text?.includes(expected.code) ? text : undefined;
      });
      if (!/1 blocking problem/.test(body)) throw new Error(`the report does not say "1 blocking problem": ${body.slice(0, 400)}`);
      if (!body.includes(`line ${expected.line}`)) throw new Error(`the report does not point at line ${expected.line}: ${body.slice(0, 400)}`);
      await workbench.screenshot('report-blocking');
      await workbench.closeTab(expected.reportTitle);
    }],

    ['Ctrl+. on the squiggle lists the quick fixes', async () => {
      [squiggle] = await workbench.squiggleLines('error');
      if (squiggle?.line !== expected.line) throw new Error(`the squiggle is no longer on line ${expected.line}`);
      await page.mouse.click(squiggle.x, squiggle.y);
      await page.mouse.move(5, 400);
      await page.keyboard.press('Escape'); // the hover that the click may have opened
      await page.keyboard.press('Control+.');
      const titles = await waitFor('the quick-fix menu', async (saw) => {
        const rows = await page.locator('.action-widget .monaco-list-row.action').allInnerTexts();
        saw(`menu: ${rows.map(oneLine).join(' | ') || 'none'}`);
        return rows.length > 0 ? rows.map(oneLine) : undefined;
      });
      if (!titles.some((t) => expected.fixTitle.test(t))) throw new Error(`no fix matching ${expected.fixTitle}: ${titles.join(' | ')}`);
      if (!titles.includes(`Disable ${expected.code} for this line`)) throw new Error(`no "Disable ${expected.code} for this line": ${titles.join(' | ')}`);
      await workbench.screenshot('quick-fix-menu', await workbench.editorClip(420));
    }],

    ['applying the fix inserts the Input layer', async () => {
      const focused = page.locator('.action-widget .monaco-list-row.action.focused');
      for (let step = 0; ; step++) {
        const title = oneLine(await waitFor('a focused quick fix', async () => ((await focused.count()) > 0 ? focused.innerText() : undefined)));
        if (expected.fixTitle.test(title)) break;
        if (step > 10) throw new Error(`never focused the fix (focused: "${title}")`);
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Enter');
      const lines = await waitFor('the inserted Input layer', async (saw) => {
        const text = await workbench.editorLines();
        saw(text.slice(expected.line - 2, expected.line + 1).join(' / '));
        return text[expected.line - 1] === expected.insertedLine ? text : undefined;
      });
      if (lines[expected.line] !== expected.firstLayerLine) throw new Error(`line ${expected.line + 1} is "${lines[expected.line]}"`);
    }],

    ['the squiggle disappears', async () => {
      await waitFor('no error or warning squiggle', async (saw) => {
        const left = [...await workbench.squiggleLines('error'), ...await workbench.squiggleLines('warning')];
        saw(`squiggles on lines ${left.map((s) => s.line).join(', ')}`);
        return left.length === 0;
      });
      await workbench.screenshot('03-fixed');
    }],

    ['the status bar says the model is ready', async () => {
      const item = await waitFor('the readiness item to say "ready"', async (saw) => {
        const candidate = await workbench.readinessItem(saw);
        return (await candidate.count()) > 0 && /ready/.test(await candidate.innerText()) ? candidate : undefined;
      });
      await item.hover();
      const tooltip = page.locator('.workbench-hover:visible, .monaco-hover:visible').first();
      // The tooltip fades in and may move once it knows its size: wait until it stands still.
      let lastBox;
      const tooltipBox = await waitFor('the status item tooltip, shown and still', async (saw) => {
        const text = (await tooltip.count()) > 0 ? oneLine(await tooltip.innerText()) : '';
        saw(text || 'no tooltip');
        if (!text.includes('Keras SavedModel readiness')) return undefined;
        const box = await tooltip.boundingBox();
        const still = lastBox && JSON.stringify(box) === JSON.stringify(lastBox);
        lastBox = box;
        return still ? box : undefined;
      });
      const itemBox = await item.boundingBox();
      const left = Math.max(0, Math.min(tooltipBox.x, itemBox.x) - 200);
      const top = Math.max(0, tooltipBox.y - 40);
      await workbench.screenshot('status-bar-ready', { x: left, y: top, width: viewport.width - left, height: viewport.height - top });
      await page.mouse.move(5, 400);
    }],

    ['the report, run again, says ready', async () => {
      await workbench.focusEditor();
      await workbench.runCommand(expected.command);
      await waitFor('the report to say the model is ready', async (saw) => {
        const text = await workbench.reportText(saw);
        return text?.includes(expected.readyVerdict) && !text.includes('blocking');
      });
      await workbench.screenshot('report-ready');
    }],
  ];
}

async function main() {
  const started = Date.now();
  const outDir = resolve(args.out);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const workspaceParent = await mkdtemp(join(tmpdir(), 'ksm-ui-'));
  // The folder's name shows in the explorer and the title of every screenshot.
  const workspace = join(workspaceParent, 'forecaster');
  await mkdir(workspace);
  await copyFile(example, join(workspace, fileName));

  const results = [];
  let server;
  let browser;
  let failed = false;
  try {
    server = await startCodeServer({
      vsix,
      settings: {
        'editor.minimap.enabled': false,
        'editor.hover.delay': 300,
        'workbench.editor.enablePreview': false,
        'breadcrumbs.enabled': false,
        // Highlights of the word under the cursor only clutter the screenshots.
        'editor.occurrencesHighlight': 'off',
        'editor.selectionHighlight': false,
      },
      timeoutMs: 90_000,
    });
    console.log(`code-server ${server.url} (${Date.now() - started} ms)`);
    const { chromium } = requireFromE2e('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: !args.headed,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport });
    await page.goto(server.folderUrl(workspace));
    const workbench = new Workbench(page, outDir);
    for (const [name, run] of steps(workbench, workspace)) {
      if (failed) {
        results.push({ name, status: 'skipped' });
        console.log(`- skipped: ${name}`);
        continue;
      }
      const stepStarted = Date.now();
      try {
        await run();
        results.push({ name, status: 'passed' });
        console.log(`✓ ${name} (${Date.now() - stepStarted} ms)`);
      } catch (error) {
        failed = true;
        results.push({ name, status: 'failed' });
        console.log(`✗ ${name} (${Date.now() - stepStarted} ms)\n  ${error instanceof Error ? error.message : String(error)}`);
        await workbench.screenshot('failure').then((path) => console.log(`  screenshot: ${path}`), () => {});
      }
    }
  } catch (error) {
    failed = true;
    results.push({ name: 'start code-server and Chromium', status: 'failed' });
    console.log(`✗ start code-server and Chromium\n  ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await browser?.close().catch(() => {});
    if (server && failed) {
      const logs = join(outDir, 'code-server-logs');
      await cp(server.logsDir, logs, { recursive: true }).catch(() => {});
      await copyFile(server.logPath, join(outDir, 'code-server.log')).catch(() => {});
      console.log(`  code-server log tail:\n${indent(server.logTail(15))}`);
      const extensionLog = (await readdir(logs, { recursive: true }).catch(() => [])).find((f) => f.endsWith('Keras SavedModel Lint.log'));
      const extensionTail = extensionLog
        ? (await readFile(join(logs, extensionLog), 'utf8')).trimEnd().split('\n').slice(-15).join('\n')
        : '';
      if (extensionTail) console.log(`  extension log tail:\n${indent(extensionTail)}`);
      console.log(`  logs copied to ${outDir}`);
    }
    await server?.stop();
    await rm(workspaceParent, { recursive: true, force: true });
  }

  if (!failed && args['update-images']) {
    const imagesDir = join(repoRoot, 'docs', 'images');
    await mkdir(imagesDir, { recursive: true });
    for (const [step, image] of Object.entries(readmeImages)) await copyFile(join(outDir, `${step}.png`), join(imagesDir, image));
    console.log(`updated ${Object.values(readmeImages).join(', ')} in docs/images`);
  }
  const count = (status) => results.filter((r) => r.status === status).length;
  console.log(`screenshots in ${outDir}; ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  const skipped = count('skipped');
  console.log(`${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed ? 1 : 0;
}

await main();
