/**
 * The readiness report as an HTML page for a webview. Pure (no VS Code API), so it is tested
 * directly. Every piece of text that comes from the user's code (model names, messages, file
 * names) goes through `escapeHtml`; the page runs one script, allowed by a nonce, that turns
 * clicks on links into messages to the extension.
 */
import type { CellLocation, CheckResult, FileReadiness, ModelReadiness, ProblemFix, ProjectReadiness, Range } from '../../server/src/protocol';
import { fileName } from '../../server/src/engine/analysis/text';
import {
  blockingProblems,
  type Finding,
  findingsOutsideModels,
  kerasVersionLabel,
  modelVerdictLabel,
  plural,
} from './readiness-summary';

/** A place to show: in a notebook, `cell` (1-based) says which cell `range` is in. */
export interface ReportLocation {
  uri: string;
  range: Range;
  cell?: number;
}

/** What the page posts to the extension. */
export type ReportMessage =
  | { command: 'reveal'; location: ReportLocation }
  | { command: 'openRuleDocs'; code: string };

export interface ReportFile {
  /** How the file is named for people: a workspace-relative path. */
  label: string;
  readiness: FileReadiness;
}

export interface ReportPage {
  kind: 'file' | 'workspace';
  files: ReportFile[];
  /** The "Dependencies" check of each project the report covers, shown once per project. */
  projects?: ProjectReadiness[];
  /** A fresh random value per rendering, for the Content-Security-Policy. */
  nonce: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escaped text in which `backtick spans` become code, as rule messages write them. */
function richText(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A range of the report; a notebook's names its cell, with the cell's own URI when the notebook is open. */
type Located = CellLocation & { range: Range };

function locationLink(fileUri: string, where: Located, text: string): string {
  const target: ReportLocation = { uri: where.uri ?? fileUri, range: where.range, ...(where.cell !== undefined ? { cell: where.cell } : {}) };
  const location = escapeHtml(JSON.stringify(target));
  return `<a href="#" data-loc="${location}" title="Show in the editor">${escapeHtml(text)}</a>`;
}

/** "line 3", or "cell 2, line 3" in a notebook. */
function lineLink(uri: string, where: Located): string {
  const line = `line ${where.range.start.line + 1}`;
  return locationLink(uri, where, where.cell === undefined ? line : `cell ${where.cell}, ${line}`);
}

function ruleLink(code: string): string {
  return `<a href="#" class="rule" data-rule="${escapeHtml(code)}" title="Open the rule's documentation">${escapeHtml(code)}</a>`;
}

const statusSymbols: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', off: '–' };

/** The problem's fix, and where it lands when that is another module (the one that defines a class). */
function renderFix(fix: ProblemFix | undefined): string {
  if (!fix) return '';
  const elsewhere = (fix.otherFiles ?? []).map((f) => locationLink(f.uri, f, fileName(f.uri)));
  return ` <span class="fix">Fix (${escapeHtml(fix.applicability)}): ${richText(fix.title)}${elsewhere.length > 0 ? `, edits ${elsewhere.join(', ')}` : ''}</span>`;
}

function renderProblem(uri: string, problem: Located & { code: string; severity: string; message: string; fix?: ProblemFix }): string {
  return `<li class="problem ${escapeHtml(problem.severity)}">`
    + `<span class="severity">${escapeHtml(problem.severity)}</span> ${ruleLink(problem.code)} `
    + `${richText(problem.message)} <span class="where">(${lineLink(uri, problem)})</span>${renderFix(problem.fix)}</li>`;
}

function renderCheck(uri: string, check: Omit<CheckResult, 'problems'> & { problems: Array<Located & { code: string; severity: string; message: string }> }): string {
  const note = check.status === 'off' ? ' <span class="note">turned off in the settings</span>' : '';
  const problems = check.problems.length > 0
    ? `<ul class="problems">${check.problems.map((p) => renderProblem(uri, p)).join('')}</ul>`
    : '';
  return `<li class="check ${check.status}"><span class="status" aria-label="${check.status}">${statusSymbols[check.status]}</span> `
    + `${escapeHtml(check.title)} <span class="codes">${check.codes.map(escapeHtml).join(', ')}</span>${note}${problems}</li>`;
}

/** Two columns: whether the model saves and reloads under Keras 2 and under Keras 3, with the rules that block it. */
function renderByVersion(uri: string, model: ModelReadiness): string {
  if (!model.byVersion) return '';
  const cell = (label: string, verdict: NonNullable<ModelReadiness['byVersion']>['keras2']) => {
    const blocking = verdict.blocking.map((p) => `${ruleLink(p.code)} (${lineLink(uri, p)})`).join(', ');
    const text = verdict.verdict === 'ready' ? '✓ saves and reloads' : `✗ ${blocking}`;
    return `<td class="verdict ${verdict.verdict}" aria-label="${escapeHtml(label)}: ${verdict.verdict}">${text}</td>`;
  };
  return '<table class="by-version"><thead><tr><th>Keras 2</th><th>Keras 3 (TensorFlow 2.16 and later)</th></tr></thead>'
    + `<tbody><tr>${cell('Keras 2', model.byVersion.keras2)}${cell('Keras 3', model.byVersion.keras3)}</tr></tbody></table>`;
}

function renderModel(uri: string, model: ModelReadiness): string {
  const saves = model.saves.length > 0
    ? `Saved by ${model.saves.map((s) => `<code>${escapeHtml(s.method)}()</code> at ${lineLink(uri, s)}`).join(', ')}.`
    : 'Never saved or exported in this file.';
  return `<section class="model ${model.verdict}">`
    + `<h3><span class="verdict-badge">${escapeHtml(modelVerdictLabel(model))}</span> `
    + `<code>${escapeHtml(model.name)}</code> <span class="kind">${escapeHtml(model.kind)}</span></h3>`
    + `<p class="facts">Defined at ${lineLink(uri, { range: model.definition, uri: model.definitionUri, cell: model.definitionCell })}. ${saves}</p>`
    + renderByVersion(uri, model)
    + `<ul class="checks">${model.checks.map((c) => renderCheck(uri, c)).join('')}</ul>`
    + '</section>';
}

function renderOtherFindings(uri: string, findings: Finding[]): string {
  if (findings.length === 0) return '';
  return '<section class="other"><h3>Findings tied to no model</h3>'
    + `<ul class="problems">${findings.map((f) => renderProblem(uri, f)).join('')}</ul></section>`;
}

/** The verdict line of a file: what a person reads first. */
function fileVerdict(file: FileReadiness): { text: string; state: 'ready' | 'not-ready' | 'none' } {
  if (file.skipped) return { text: `Not analysed: ${file.skipped}`, state: 'none' };
  if (file.models.length === 0) return { text: 'No Keras model found.', state: 'none' };
  const blocking = blockingProblems(file).length;
  if (blocking === 0) {
    return { text: file.models.length === 1 ? 'Ready to save.' : `All ${file.models.length} models ready to save.`, state: 'ready' };
  }
  const notReady = file.models.filter((m) => m.verdict === 'not-ready').length;
  const which = file.models.length === 1 ? '' : ` (${notReady} of ${file.models.length} models not ready)`;
  return { text: `${plural(blocking, 'blocking problem')}${which}.`, state: 'not-ready' };
}

/**
 * The requirement-file findings of each project, which belong to no model: one check per
 * project, each problem linked to its line in the requirement file it is on.
 */
function renderProjects(projects: readonly ProjectReadiness[]): string {
  if (projects.length === 0) return '';
  const sections = projects.map((p) => `<section class="project"><h3>Project <code>${escapeHtml(p.project)}</code></h3>`
    + `<ul class="checks">${renderCheck(p.uri, p.check)}</ul></section>`);
  return `<h2>Dependencies</h2>${sections.join('')}`;
}

/** A file's report; in the workspace report its verdict is already on the file's summary line. */
function renderFileBody(file: FileReadiness, withVerdict: boolean): string {
  const verdict = fileVerdict(file);
  return (withVerdict ? `<p class="verdict ${verdict.state}">${escapeHtml(verdict.text)}</p>` : '')
    + `<p class="version">${richText(kerasVersionLabel(file.kerasVersion))}</p>`
    + file.models.map((m) => renderModel(file.uri, m)).join('')
    + renderOtherFindings(file.uri, findingsOutsideModels(file));
}

function hasContent(file: FileReadiness): boolean {
  return file.models.length > 0 || file.findings.length > 0 || file.skipped !== undefined;
}

function renderWorkspaceBody(files: ReportFile[]): string {
  const withContent = files.filter((f) => hasContent(f.readiness));
  const empty = files.filter((f) => !hasContent(f.readiness));
  const models = files.flatMap((f) => f.readiness.models);
  const notReady = models.filter((m) => m.verdict === 'not-ready').length;
  const skipped = files.filter((f) => f.readiness.skipped !== undefined).length;
  const summary = `Checked ${plural(files.length, 'Python file')}: ${plural(models.length, 'model')}, `
    + `${models.length - notReady} ready, ${notReady} not ready${skipped > 0 ? `; ${skipped} skipped` : ''}.`;
  // Files that block saving come first; the order within each group is the server's (by path).
  const ordered = [
    ...withContent.filter((f) => fileVerdict(f.readiness).state === 'not-ready'),
    ...withContent.filter((f) => fileVerdict(f.readiness).state !== 'not-ready'),
  ];
  const sections = ordered.map((f) => {
    const verdict = fileVerdict(f.readiness);
    return `<details class="file" open><summary><span class="file-name">${escapeHtml(f.label)}</span> `
      + `<span class="verdict ${verdict.state}">${escapeHtml(verdict.text)}</span></summary>`
      + `${renderFileBody(f.readiness, false)}</details>`;
  });
  const emptyList = empty.length > 0
    ? `<details class="file empty"><summary>${escapeHtml(plural(empty.length, 'file'))} with no Keras model and no findings</summary>`
      + `<ul>${empty.map((f) => `<li>${escapeHtml(f.label)}</li>`).join('')}</ul></details>`
    : '';
  return `<p class="summary">${escapeHtml(summary)}</p>${sections.join('')}${emptyList}`;
}

const style = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); line-height: 1.5; padding: 0 20px 20px; }
h1 { font-size: 1.4em; font-weight: 600; margin: 0.8em 0 0.2em; }
h3 { font-size: 1.1em; font-weight: 600; margin: 0 0 0.3em; }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
a:hover, a:focus { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
a:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
code { font-family: var(--vscode-editor-font-family); color: var(--vscode-textPreformat-foreground); background: var(--vscode-textPreformat-background); padding: 0 3px; border-radius: 3px; }
ul { margin: 0.2em 0; padding-left: 1.4em; }
.checks { list-style: none; padding-left: 0.4em; }
h2 { font-size: 1.2em; font-weight: 600; margin: 1em 0 0.2em; }
.model, .other, .project { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); border-left-width: 4px; border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
.model.ready { border-left-color: var(--vscode-testing-iconPassed); }
.model.not-ready { border-left-color: var(--vscode-testing-iconFailed); }
.verdict-badge { background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); border-radius: 9px; padding: 1px 8px; font-size: 0.85em; font-weight: normal; }
.not-ready .verdict-badge { background: var(--vscode-inputValidation-errorBackground, var(--vscode-badge-background)); color: var(--vscode-foreground); }
.kind, .codes, .note, .facts, .version, .summary, .where, .empty { color: var(--vscode-descriptionForeground); }
.kind { font-size: 0.9em; font-weight: normal; }
.status { display: inline-block; width: 1.2em; font-weight: bold; }
.check.pass .status, .verdict.ready { color: var(--vscode-testing-iconPassed); }
.check.fail .status, .verdict.not-ready { color: var(--vscode-testing-iconFailed); }
.check.off { color: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
.verdict { font-weight: 600; margin: 0.3em 0; }
.by-version { border-collapse: collapse; margin: 0.3em 0 0.5em; }
.by-version th, .by-version td { text-align: left; padding: 2px 12px 2px 0; font-size: 0.95em; }
.by-version th { font-weight: normal; color: var(--vscode-descriptionForeground); }
.severity { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.03em; padding: 0 4px; border-radius: 3px; border: 1px solid currentColor; }
.problem { margin: 2px 0; }
.problem.error .severity { color: var(--vscode-editorError-foreground); }
.problem.warning .severity { color: var(--vscode-editorWarning-foreground); }
.problem.information .severity { color: var(--vscode-editorInfo-foreground); }
.problem.hint .severity { color: var(--vscode-descriptionForeground); }
details.file { border-top: 1px solid var(--vscode-panel-border); padding: 6px 0; }
details.file > summary { cursor: pointer; }
.file-name { font-family: var(--vscode-editor-font-family); }
details.file > summary .verdict { display: inline; margin-left: 0.6em; }
`;

// Runs inside the webview; it only forwards clicks on links.
const script = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-loc], a[data-rule]') : null;
  if (!link) return;
  event.preventDefault();
  if (link.dataset.loc) vscode.postMessage({ command: 'reveal', location: JSON.parse(link.dataset.loc) });
  else vscode.postMessage({ command: 'openRuleDocs', code: link.dataset.rule });
});
`;

export function renderReportPage(page: ReportPage): string {
  const nonce = escapeHtml(page.nonce);
  const first = page.files[0];
  const heading = page.kind === 'workspace' || !first ? 'SavedModel readiness: workspace' : `SavedModel readiness: ${first.label}`;
  const body = (page.kind === 'workspace' || !first ? renderWorkspaceBody(page.files) : renderFileBody(first.readiness, true))
    + renderProjects(page.projects ?? []);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(heading)}</title>
<style nonce="${nonce}">${style}</style>
</head>
<body>
<h1>${escapeHtml(heading)}</h1>
${body}
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
}
