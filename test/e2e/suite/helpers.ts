/** What the end-to-end tests share: opening copies, waiting for diagnostics, settings. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KerasSavedModelApi } from '../../../client/src/extension';
import { diagnosticSource } from '../../../server/src/protocol';
import { repoRoot } from '../workspace';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string };
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** How long a test waits for the server to catch up before it fails. */
const defaultTimeoutMs = 15_000;
const pollMs = 50;

export async function extensionApi(): Promise<KerasSavedModelApi> {
  const extension = vscode.extensions.getExtension<KerasSavedModelApi>(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  return extension.activate();
}

export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder');
  return folder.uri;
}

let copies = 0;

/**
 * A fresh copy of a workspace file (under `scratch/`), so that each test edits a document of
 * its own; `edit` changes the text before anything sees it.
 */
export function copyOf(relativePath: string, edit: (text: string) => string = (text) => text): vscode.Uri {
  const folder = workspaceFolder().fsPath;
  const target = path.join(folder, 'scratch', `${++copies}-${path.basename(relativePath)}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, edit(fs.readFileSync(path.join(folder, relativePath), 'utf8')));
  return vscode.Uri.file(target);
}

/** Opens a fresh copy of a workspace file in an editor. */
export function openCopy(relativePath: string, edit?: (text: string) => string): Promise<vscode.TextEditor> {
  return show(copyOf(relativePath, edit));
}

export async function show(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Polls `probe` until it returns a value other than undefined; fails with `describe()` after the timeout. */
export async function waitFor<T>(what: string, probe: () => T | undefined, describe: () => string, timeoutMs = defaultTimeoutMs): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; now: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return String(typeof code === 'object' ? code.value : code);
}

/** The diagnostics this extension published for a document. */
export function lintDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === diagnosticSource);
}

export function describeDiagnostics(document: vscode.TextDocument): string {
  const list = lintDiagnostics(document.uri).map((d) => {
    const { start, end } = d.range;
    const severity = vscode.DiagnosticSeverity[d.severity];
    return `${codeOf(d)} ${severity} ${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1} "${document.getText(d.range)}"`;
  });
  return list.length === 0 ? 'no diagnostics' : list.join('; ');
}

/** Waits until the document's diagnostics satisfy `accept`, and returns them. */
export function waitForDiagnostics(
  document: vscode.TextDocument,
  what: string,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `${what} in ${vscode.workspace.asRelativePath(document.uri)}`,
    () => {
      const diagnostics = lintDiagnostics(document.uri);
      return accept(diagnostics) ? diagnostics : undefined;
    },
    () => describeDiagnostics(document),
  );
}

/** A diagnostic to expect: its code, its one-based line, and the text its range covers there. */
export interface ExpectedDiagnostic {
  code: string;
  line: number;
  text: string;
  severity?: vscode.DiagnosticSeverity;
}

/** The range of the first `text` on a one-based line. */
export function rangeOf(document: vscode.TextDocument, line: number, text: string): vscode.Range {
  const column = document.lineAt(line - 1).text.indexOf(text);
  assert.ok(column >= 0, `line ${line} of ${document.uri.path} does not hold "${text}"`);
  return new vscode.Range(line - 1, column, line - 1, column + text.length);
}

export function matches(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, expected: ExpectedDiagnostic): boolean {
  return codeOf(diagnostic) === expected.code
    && diagnostic.range.isEqual(rangeOf(document, expected.line, expected.text))
    && (expected.severity === undefined || diagnostic.severity === expected.severity);
}

export function describeExpected(expected: ExpectedDiagnostic[]): string {
  return expected.map((e) => `${e.code} on line ${e.line} at "${e.text}"${e.severity === undefined ? '' : ` (${vscode.DiagnosticSeverity[e.severity]})`}`).join(', ');
}

/** Waits for a diagnostic like `expected` and returns it. */
export async function waitForDiagnostic(document: vscode.TextDocument, expected: ExpectedDiagnostic): Promise<vscode.Diagnostic> {
  const diagnostics = await waitForDiagnostics(document, describeExpected([expected]), (all) => all.some((d) => matches(document, d, expected)));
  return diagnostics.find((d) => matches(document, d, expected))!;
}

/** Waits until the diagnostics are exactly these, and returns them. */
export function waitForExactly(document: vscode.TextDocument, expected: ExpectedDiagnostic[]): Promise<vscode.Diagnostic[]> {
  return waitForDiagnostics(document, `exactly ${describeExpected(expected)}`, (all) =>
    all.length === expected.length && expected.every((e) => all.some((d) => matches(document, d, e))));
}

/** Waits until no diagnostic of `code` is left. */
export function waitForNoDiagnostic(document: vscode.TextDocument, code: string): Promise<vscode.Diagnostic[]> {
  return waitForDiagnostics(document, `no ${code}`, (all) => !all.some((d) => codeOf(d) === code));
}

/**
 * Runs `action` and resolves once diagnostics are published for `uri` afterwards, even an
 * empty list: the proof that the server looked at a document that should stay clean.
 */
export async function afterPublish<T>(uri: vscode.Uri, action: () => Promise<T>, timeoutMs = defaultTimeoutMs): Promise<T> {
  let listener: vscode.Disposable | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const published = new Promise<void>((resolve, reject) => {
    listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((u) => u.toString() === uri.toString())) resolve();
    });
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for diagnostics of ${uri.path}`)), timeoutMs);
  });
  try {
    const [result] = await Promise.all([action(), published]);
    return result;
  } finally {
    listener?.dispose();
    clearTimeout(timer);
  }
}

/** The quick-fixes and source actions offered for a range, as the editor's light bulb asks for them. */
export async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>(
    'vscode.executeCodeActionProvider', uri, range, kind,
  );
  return actions.filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
}

const changedSettings: Array<{ section: string; key: string; languageId?: string }> = [];

/** Sets a workspace setting (for one language when `languageId` is given); `restoreSettings` undoes it. */
export async function setSetting(section: string, key: string, value: unknown, languageId?: string): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(section, languageId ? { languageId } : undefined);
  await configuration.update(key, value, vscode.ConfigurationTarget.Workspace, languageId !== undefined);
  changedSettings.push({ section, key, ...(languageId ? { languageId } : {}) });
}

export async function restoreSettings(): Promise<void> {
  for (const { section, key, languageId } of changedSettings.splice(0).reverse()) {
    const configuration = vscode.workspace.getConfiguration(section, languageId ? { languageId } : undefined);
    await configuration.update(key, undefined, vscode.ConfigurationTarget.Workspace, languageId !== undefined);
  }
}
