import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import type { NotebookFinding } from '../engine/analysis/notebook';
import type { Finding, Fix, Position, Range, Severity } from '../engine/analysis/types';
import { findPackageRoot, ruleDocUrl } from '../workspace/docs-location';
import { findPythonFiles, GitignoreFilter } from '../workspace/files';
import { githubAnnotations, sarifLog } from './machine-formats';
import { fails, items, parseFailOn, SelectionError, settingsFrom, type SelectionOptions } from '../engine/selection';
import { ConfigError } from '../engine/config';
import { kerasVersionSettings } from '../engine/settings-schema';
import { ConfigFiles, ignoredFor, isExcluded, type FoundConfig } from '../workspace/config-files';
import { checkFiles, FileChecker, projectChecks, type Concurrency, type FileOutcome } from './check-files';
import { findRequirementFiles } from '../workspace/project-files';
import { initParser } from '../engine/analysis/parser';
import { createTwoFilesPatch } from 'diff';
import { cellLocator, fileReadiness } from '../readiness';
import type { ModelReadiness } from '../protocol';
import type { AnalysisOptions } from '../engine/engine';
import type { VersionVerdict } from '../engine/report';
import { renderRuleDoc } from '../engine/rule-docs';
import { findRule, rules } from '../engine/rules/index';

/** Exit codes, as in ruff and flake8: 0 clean, 1 findings remain, 2 usage or internal error. */
const exitClean = 0;
const exitFindings = 1;
const exitError = 2;

class UsageError extends Error {}

/** How folders are walked: globs left out, and whether `.gitignore` files are read. */
interface WalkOptions {
  exclude: string[];
  extendExclude: string[];
  respectGitignore: boolean;
}

interface CheckOptions extends SelectionOptions, WalkOptions {
  stdinFilename?: string;
  diff: boolean;
  showFixes: boolean;
  format: 'text' | 'json' | 'github' | 'sarif';
  fix: boolean;
  concurrency: Concurrency;
  /** Undefined when the command line does not say: the configuration file, else warning. */
  failOn?: Severity;
  exitZero: boolean;
  statistics: boolean;
}

/**
 * The files to check: those named, and those found in the folders named that their
 * configuration does not exclude. Every configuration that applies is read, and every file's
 * selection checked, before anything is analysed, so a mistake in either stops the run (exit 2).
 */
async function filesToCheck(paths: string[], selection: SelectionOptions & Partial<WalkOptions>): Promise<string[]> {
  let found: string[];
  try {
    found = [...(await findPythonFiles(paths)), ...findRequirementFiles(paths)];
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const named = new Set(paths.filter((p) => fs.statSync(p).isFile()).map((p) => path.resolve(p)));
  const configs = new ConfigFiles();
  // A file named twice (`ksm check a.py .`) is checked once, under the first name it was given.
  const once = [...new Map(found.map((file) => [path.resolve(file), file] as const)).values()];
  const gitignore = new GitignoreFilter();
  const commandLine = { exclude: items(selection.exclude ?? []), extend: items(selection.extendExclude ?? []), base: process.cwd() };
  return once.filter((file) => {
    const config = configFor(configs, file);
    settingsFrom(selection, config?.config, ignoredFor(config, file));
    if (named.has(path.resolve(file))) return true;
    return !isExcluded(config, file, commandLine) && !(selection.respectGitignore !== false && gitignore.ignores(file));
  });
}

function configFor(configs: ConfigFiles, file: string, isDirectory = false): FoundConfig | undefined {
  try {
    return configs.configFor(file, { isDirectory });
  } catch (error) {
    if (error instanceof ConfigError) {
      const shown = path.relative(process.cwd(), error.file) || error.file;
      throw new UsageError(`invalid configuration: ${error.message.replace(error.file, shown)}`);
    }
    throw error;
  }
}

async function analyzeFiles(paths: string[], selection: SelectionOptions, fix: boolean | 'diff', concurrency: Concurrency, analysis: AnalysisOptions = {}): Promise<FileOutcome[]> {
  const files = await filesToCheck(paths, selection);
  return checkFiles(files, paths, selection, fix, concurrency, analysis);
}

/**
 * `ksm check -`: the text on standard input, checked as the file `--stdin-filename` names (which
 * decides notebook or Python, the configuration and the project), and shown under that name.
 * With `--fix` the fixed text is written to standard output instead of a report.
 */
async function analyzeStdin(selection: SelectionOptions & { stdinFilename?: string }, fix: boolean, analysis: AnalysisOptions = {}): Promise<FileOutcome> {
  await initParser();
  const name = selection.stdinFilename ?? 'stdin.py';
  configFor(new ConfigFiles(), path.resolve(name));
  const bytes = fs.readFileSync(0);
  let fixed: string | undefined;
  const checker = new FileChecker([process.cwd()], selection, false, analysis);
  const outcome = checker.checkText(name, bytes, fix ? (text) => (fixed = text) : undefined);
  if (fix) process.stdout.write(fixed ?? Buffer.from(bytes).toString('utf8'));
  return { ...outcome, file: selection.stdinFilename ?? '-' };
}

/** The outcomes of the paths a command names: files and folders, or `-` alone for standard input. */
async function outcomesOf(paths: string[], options: SelectionOptions & { stdinFilename?: string; concurrency: Concurrency }, fix: boolean | 'diff', analysis: AnalysisOptions = {}): Promise<FileOutcome[]> {
  if (!paths.includes('-')) return analyzeFiles(paths.length > 0 ? paths : ['.'], options, fix, options.concurrency, analysis);
  if (paths.length > 1) throw new UsageError('`-` (standard input) cannot be combined with other paths');
  if (fix === 'diff') throw new UsageError('--diff reads files; with `-`, use --fix, which prints the fixed text');
  return [await analyzeStdin(options, fix, analysis)];
}

/** The findings of a file; a notebook's with ranges relative to their cells. */
function findingsOf(outcome: FileOutcome): Array<Finding | NotebookFinding> {
  const findings = outcome.result?.findings ?? [];
  const program = outcome.program;
  return program ? findings.map((f) => program.mapFinding(f)) : findings;
}

function oneBased(p: Position): { row: number; column: number } {
  return { row: p.line + 1, column: p.character + 1 };
}

/** The fix shown to machines: the preferred one, else the first. */
function primaryFix(finding: Finding): Fix | undefined {
  return finding.fixes.find((f) => f.preferred) ?? finding.fixes[0];
}

/** A notebook location's 1-based cell, as a property to spread; nothing for a Python file. */
function cellOf(located: object): { cell?: number } {
  return 'cell' in located && typeof located.cell === 'number' ? { cell: located.cell + 1 } : {};
}

/**
 * The stable JSON shape of a finding (documented in the README; CI systems parse it). A
 * notebook's findings and fix edits also carry their `cell`, and their rows are relative to it.
 */
function toJson(file: string, f: Finding | NotebookFinding) {
  const fix = primaryFix(f);
  return {
    code: f.code,
    name: f.name,
    severity: f.severity,
    message: f.message,
    filename: file,
    ...cellOf(f),
    location: oneBased(f.range.start),
    end_location: oneBased(f.range.end),
    fix: fix
      ? {
          applicability: fix.applicability,
          message: fix.title,
          edits: fix.edits.map((e) => ({ content: e.newText, ...cellOf(e), location: oneBased(e.range.start), end_location: oneBased(e.range.end) })),
        }
      : null,
    url: ruleDocUrl(f.code),
  };
}

const severityColour = { error: pc.red, warning: pc.yellow, information: pc.blue, hint: pc.dim } as const;

function printText(outcomes: FileOutcome[], showFixes = false): void {
  let total = 0;
  let fixable = 0;
  let fixed = 0;
  const bySeverity = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const outcome of outcomes) {
    fixed += outcome.fixed;
    if (outcome.skipped) process.stderr.write(`${outcome.file}: ${pc.yellow('skipped')}: ${outcome.skipped}\n`);
    for (const f of findingsOf(outcome)) {
      const { row, column } = oneBased(f.range.start);
      const colour = severityColour[f.severity];
      const cell = 'cell' in f ? `cell ${f.cell + 1}:` : '';
      process.stdout.write(`${pc.bold(outcome.file)}:${cell}${row}:${column}: ${colour(pc.bold(f.code))} ${colour(`[${f.severity}]`)} ${f.message}\n`);
      total++;
      bySeverity[f.severity]++;
      if (f.fixes.some((x) => x.applicability === 'safe')) fixable++;
    }
  }
  // A file that could not be analysed is counted apart, so that "no problems" never covers it.
  const notAnalysed = outcomes.filter((o) => !o.result || o.result.version.source === 'not analysed').length;
  const files = outcomes.length - notAnalysed;
  const fileWord = files === 1 ? 'file' : 'files';
  const skippedNote = notAnalysed > 0 ? pc.yellow(` ${notAnalysed} ${notAnalysed === 1 ? 'file was' : 'files were'} skipped (see above).`) : '';
  if (fixed > 0) process.stdout.write(`Fixed ${fixed} ${fixed === 1 ? 'problem' : 'problems'}.\n`);
  if (showFixes) {
    for (const o of outcomes) {
      const rules = Object.entries(o.fixedRules ?? {});
      if (rules.length > 0) process.stdout.write(`${pc.bold(o.file)}:\n${rules.map(([rule, n]) => `    ${n} × ${rule}\n`).join('')}`);
    }
  }
  if (total === 0) {
    process.stdout.write(pc.green(`No problems found in ${files} ${fileWord}.`) + skippedNote + '\n');
    return;
  }
  const parts = (Object.keys(bySeverity) as Array<keyof typeof bySeverity>)
    .filter((k) => bySeverity[k] > 0)
    .map((k) => `${bySeverity[k]} ${k === 'information' ? 'info' : k}${bySeverity[k] === 1 || k === 'information' ? '' : 's'}`);
  process.stdout.write(`Found ${total} ${total === 1 ? 'problem' : 'problems'} (${parts.join(', ')}) in ${files} ${fileWord}.${skippedNote}\n`);
  if (fixable > 0) process.stdout.write(`${fixable} fixable with \`ksm check --fix\`.\n`);
}

/**
 * `--diff`: what `--fix` would change, as a unified diff per file, and nothing written. Exit 1
 * when there is something to change.
 */
function printDiffs(outcomes: FileOutcome[]): number {
  let files = 0;
  let fixes = 0;
  for (const o of outcomes) {
    if (!o.change) continue;
    files++;
    fixes += o.fixed;
    process.stdout.write(createTwoFilesPatch(`a/${o.file}`, `b/${o.file}`, o.change.before, o.change.after, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
  }
  process.stdout.write(files === 0 ? 'No fixes to apply.\n' : `Would fix ${fixes} ${fixes === 1 ? 'problem' : 'problems'} in ${files} ${files === 1 ? 'file' : 'files'}.\n`);
  return files > 0 ? exitFindings : exitClean;
}

async function runCheck(paths: string[], options: CheckOptions): Promise<number> {
  if (options.diff) return printDiffs(await outcomesOf(paths, options, 'diff'));
  const outcomes = await outcomesOf(paths, options, options.fix);
  const fromStdin = paths.includes('-');
  // The level that fails the run: the command line's, else the configuration's where the run starts.
  const failOn = options.failOn ?? configFor(new ConfigFiles(), process.cwd(), true)?.config.failOn ?? 'warning';
  const files = outcomes.map((o) => ({ file: o.file, findings: findingsOf(o) }));
  // `ksm check --fix -` has written the fixed text to standard output: no report beside it.
  if (!(fromStdin && options.fix)) printOutcomes(outcomes, files, options);
  if (options.format !== 'text' || options.statistics) for (const o of outcomes) if (o.skipped) process.stderr.write(`${o.file}: skipped: ${o.skipped}\n`);
  if (options.exitZero) return exitClean;
  const failing = outcomes.some((o) => (o.result?.findings ?? []).some((f) => fails(f.severity, failOn)));
  return failing ? exitFindings : exitClean;
}

function printOutcomes(outcomes: FileOutcome[], files: Array<{ file: string; findings: Array<Finding | NotebookFinding> }>, options: CheckOptions): void {
  if (options.statistics) printStatistics(outcomes, options.format);
  else if (options.format === 'json') {
    const findings = files.flatMap(({ file, findings }) => findings.map((f) => toJson(file, f)));
    process.stdout.write(JSON.stringify(findings, null, 2) + '\n');
  } else if (options.format === 'github') {
    process.stdout.write(githubAnnotations(files));
  } else if (options.format === 'sarif') {
    process.stdout.write(JSON.stringify(sarifLog(files, readVersion(), process.cwd()), null, 2) + '\n');
  } else {
    printText(outcomes, options.showFixes);
  }
}

/** `--statistics`: how many findings each rule has, most first, and how many a safe fix removes. */
function printStatistics(outcomes: FileOutcome[], format: CheckOptions['format']): void {
  const counts = new Map<string, { code: string; name: string; count: number; fixable: number }>();
  for (const finding of outcomes.flatMap((o) => o.result?.findings ?? [])) {
    const entry = counts.get(finding.code) ?? { code: finding.code, name: finding.name, count: 0, fixable: 0 };
    entry.count++;
    if (finding.fixes.some((f) => f.applicability === 'safe')) entry.fixable++;
    counts.set(finding.code, entry);
  }
  const rows = [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  if (format === 'json') {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const width = Math.max(1, ...rows.map((r) => String(r.count).length));
  for (const r of rows) process.stdout.write(`${String(r.count).padStart(width)}  ${pc.bold(r.code)}  ${r.name}${r.fixable > 0 ? `  (${r.fixable} fixable)` : ''}\n`);
}

/** A file's models; a notebook's with ranges relative to their cells, each with its `cell`. */
function modelsOf(outcome: FileOutcome): ModelReadiness[] {
  if (!outcome.result) return [];
  return outcome.program ? fileReadiness(outcome.file, outcome.result, cellLocator(outcome.program)).models : outcome.result.models;
}

/** "line 3", or "cell 2, line 3" in a notebook. */
function lineLabel(range: Range, cell: number | undefined): string {
  return `${cell === undefined ? '' : `cell ${cell}, `}line ${range.start.line + 1}`;
}

async function runReport(paths: string[], options: Omit<CheckOptions, 'fix' | 'failOn' | 'exitZero' | 'statistics'>): Promise<number> {
  const outcomes = await outcomesOf(paths, options, false, { versionView: true });
  // Findings on requirement files belong to no model: one "Dependencies" check per project.
  const levels = settingsFrom(options).rules;
  const projects = projectChecks(outcomes, (code) => (levels[code] === 'default' ? undefined : levels[code]));
  if (options.format === 'json') {
    const files = outcomes.map((o) => ({
      filename: o.file,
      kerasVersion: o.result?.version,
      models: modelsOf(o),
      ...(o.skipped ? { skipped: o.skipped } : {}),
    }));
    process.stdout.write(JSON.stringify([...files, ...projects.map((p) => ({ project: p.project, dependencies: p.check }))], null, 2) + '\n');
  } else {
    for (const o of outcomes) {
      if (o.skipped) process.stderr.write(`${o.file}: skipped: ${o.skipped}\n`);
      const result = o.result;
      const models = modelsOf(o);
      if (!result || models.length === 0) continue;
      const version = result.version.major ? `Keras ${result.version.major}` : 'Keras version unknown';
      process.stdout.write(`${pc.bold(o.file)} (${version}: ${result.version.source})\n`);
      for (const m of models) {
        const verdict = m.verdict === 'ready' ? pc.green('ready') : pc.red(`not ready: ${m.blocking} blocking`);
        const saves = m.saves.length > 0 ? m.saves.map((s) => `${s.method} (${lineLabel(s.range, s.cell)})`).join(', ') : 'not saved in this file';
        process.stdout.write(`  ${pc.bold(m.name)} (${lineLabel(m.definition, m.definitionCell)}, ${m.kind}): ${verdict}; ${saves}\n`);
        if (m.byVersion) process.stdout.write(`    ${versionLine('Keras 2', m.byVersion.keras2)}    ${versionLine('Keras 3', m.byVersion.keras3)}\n`);
        for (const c of m.checks) {
          const mark = c.status === 'pass' ? pc.green('pass') : c.status === 'off' ? pc.dim('off ') : pc.red('fail');
          process.stdout.write(`    ${mark}  ${c.title}\n`);
          for (const p of c.problems) {
            const cell = p.cell === undefined ? '' : `cell ${p.cell}:`;
            // A problem of a class imported from another module names that module's file.
            process.stdout.write(`          ${p.uri ?? o.file}:${cell}${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.code} ${p.message}\n`);
          }
        }
      }
    }
  }
  if (options.format !== 'json') {
    for (const { project, check } of projects) {
      const mark = check.status === 'pass' ? pc.green('pass') : check.status === 'off' ? pc.dim('off ') : pc.red('fail');
      process.stdout.write(`${pc.bold(project === '.' ? 'project' : `project ${project}`)}: dependencies\n    ${mark}  ${check.title}\n`);
      for (const p of check.problems) process.stdout.write(`          ${p.uri}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.code} ${p.message}\n`);
    }
  }
  const notReady = outcomes.some((o) => o.result?.models.some((m) => m.verdict === 'not-ready')) ||
    projects.some((p) => p.check.problems.some((problem) => problem.severity === 'error'));
  return notReady ? exitFindings : exitClean;
}

/** `Keras 3: not ready (KSM502)`: a model's verdict under one version. */
function versionLine(label: string, verdict: VersionVerdict): string {
  if (verdict.verdict === 'ready') return `${label}: ${pc.green('ready')}`;
  const codes = [...new Set(verdict.blocking.map((p) => p.code))].join(', ');
  return `${label}: ${pc.red(`not ready (${codes})`)}`;
}

function failOnParser(value: string): Severity {
  try {
    return parseFailOn(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function parseConcurrency(value: string): Concurrency {
  const lower = value.trim().toLowerCase();
  if (lower === 'off') return lower;
  const count = Number(lower);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('expected a positive number or "off"');
  return count;
}

function program(): Command {
  const cmd = new Command('ksm')
    .description('Keras SavedModel Lint: find what stops a Keras model from saving, reloading or serving')
    .version(readVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const versionOption = () =>
    new Option('--keras-version <version>', 'which Keras the keras package is (default: the configuration file, else auto)').choices([...kerasVersionSettings]);
  const ruleOption = () => listOption('--rule <code=level>', 'set rules to error|warning|information (info)|hint|off, comma-separated (repeatable)');
  const listOption = (flags: string, description: string) =>
    new Option(flags, description).argParser((value: string, previous: string[]) => [...previous, value]).default([]);
  const formatOption = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
  const checkFormatOption = () =>
    new Option('--format <format>', 'output format: text, json, github (workflow annotations) or sarif (SARIF 2.1.0)')
      .choices(['text', 'json', 'github', 'sarif'])
      .default('text');
  const stdinFilenameOption = () =>
    new Option('--stdin-filename <path>', 'with `-`: the file the text on standard input is (notebook or not, configuration, project)');
  const concurrencyOption = () =>
    new Option('--concurrency <n>', 'check Python files on n worker threads, or "off" (ignored with --fix)')
      .argParser(parseConcurrency)
      .default('off');

  cmd
    .command('check')
    .description('check Python files and Jupyter notebooks (directories are searched for .py and .ipynb files)')
    .argument('[paths...]', 'files or directories', [])
    .addOption(checkFormatOption())
    .option('--fix', 'apply every safe fix, then report what remains', false)
    .option('--show-fixes', 'with --fix: list the findings fixed in each file, by rule', false)
    .option('--diff', 'print the changes --fix would make as a unified diff, and write nothing (exit 1 when there are any)', false)
    .addOption(versionOption())
    .addOption(ruleOption())
    .addOption(listOption('--select <rules>', 'check only these rules: codes, prefixes (KSM3) or names, comma-separated (repeatable)'))
    .addOption(listOption('--extend-select <rules>', 'add these rules to the selection'))
    .addOption(listOption('--ignore <rules>', 'leave these rules out'))
    .addOption(
      new Option('--fail-on <level>', 'exit 1 only for findings at this level or above: error, warning (default), information (info), hint')
        .argParser(failOnParser),
    )
    .option('--exit-zero', 'exit 0 even when findings remain', false)
    .option('--statistics', 'print how many findings each rule has instead of the findings', false)
    .addOption(concurrencyOption())
    .addOption(stdinFilenameOption())
    .addOption(listOption('--exclude <globs>', 'leave out files and folders matching these globs (relative to the working directory) when walking folders; replaces the configuration\'s exclude'))
    .addOption(listOption('--extend-exclude <globs>', 'leave these out too, on top of the configuration\'s exclude'))
    .option('--no-respect-gitignore', 'check files that .gitignore files leave out, too')
    .action(async (paths: string[], options: CheckOptions) => {
      process.exitCode = await runCheck(paths, options);
    });

  cmd
    .command('report')
    .description('print the SavedModel readiness report of each model')
    .argument('[paths...]', 'files or directories', [])
    .addOption(formatOption())
    .addOption(versionOption())
    .addOption(ruleOption())
    .addOption(listOption('--select <rules>', 'report only these rules: codes, prefixes (KSM3) or names, comma-separated (repeatable)'))
    .addOption(listOption('--extend-select <rules>', 'add these rules to the selection'))
    .addOption(listOption('--ignore <rules>', 'leave these rules out'))
    .addOption(concurrencyOption())
    .addOption(stdinFilenameOption())
    .action(async (paths: string[], options: Omit<CheckOptions, 'fix' | 'failOn' | 'exitZero' | 'statistics'>) => {
      process.exitCode = await runReport(paths, options);
    });

  cmd
    .command('rules')
    .description('list the rules')
    .addOption(formatOption())
    .action((options: { format: string }) => {
      if (options.format === 'json') {
        const list = rules.map((r) => ({ code: r.code, name: r.name, summary: r.summary, severity: r.severity, fix: r.fixSafety, url: ruleDocUrl(r.code) }));
        process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      for (const r of rules) process.stdout.write(`${pc.bold(r.code)}  ${r.name.padEnd(28)} ${r.summary}\n`);
    });

  cmd
    .command('explain')
    .description("print a rule's documentation")
    .argument('<rule>', 'a rule code (KSM201) or name (layer-missing-get-config)')
    .action((key: string) => {
      const rule = findRule(key);
      if (!rule) throw new UsageError(`unknown rule "${key}" (see \`ksm rules\`)`);
      process.stdout.write(renderRuleDoc(rule));
    });

  cmd
    .command('server')
    .description('start the language server (for any LSP client)')
    .option('--stdio', 'talk LSP over stdin/stdout (the default)')
    .option('--node-ipc', 'talk LSP over Node IPC')
    .option('--socket <port>', 'talk LSP over a socket')
    .action(async () => {
      // The LSP library reads the transport from process.argv itself.
      if (!['--stdio', '--node-ipc'].some((a) => process.argv.includes(a)) && !process.argv.some((a) => a.startsWith('--socket'))) {
        process.argv.push('--stdio');
      }
      // The server is its own bundle beside this one (from source, its entry module), loaded only
      // here: `ksm check` neither parses nor loads the LSP library. Loading it starts it.
      const entry = [path.join(__dirname, 'server.js'), path.join(__dirname, '..', 'lsp', 'server-main.js')].find((f) => fs.existsSync(f));
      if (!entry) throw new Error(`the language server is missing beside ${__filename}`);
      require(entry);
    });
  return cmd;
}

function readVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(`${findPackageRoot()}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : exitClean;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; commander has printed the message.
      return error.exitCode === 0 ? exitClean : exitError;
    }
    if (error instanceof UsageError || error instanceof SelectionError) {
      process.stderr.write(`ksm: ${error.message}\n`);
      return exitError;
    }
    process.stderr.write(`ksm: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    return exitError;
  }
}

if (require.main === module) {
  // `ksm report | head` closes the pipe early: stop quietly, as other command-line tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? exitClean);
    throw error;
  });
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
