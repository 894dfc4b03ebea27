import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import type { NotebookFinding } from '../engine/analysis/notebook';
import type { Finding, Position, Range, Severity } from '../engine/analysis/types';
import { packageVersion } from '../workspace/docs-location';
import { decodePython, findPythonFiles, GitignoreFilter, readPythonFile } from '../workspace/files';
import { isNotebookPath, parseNotebook, readNotebookFile } from '../workspace/notebook-files';
import { outputFormat, outputFormats } from './formats/index';
import { hiddenFixesNote, type CheckedFile, type FormatContext, type OutputFormat } from './formats/format';
import { fails, items, parseFailOn, SelectionError, settingsFrom, type SelectionOptions } from '../engine/selection';
import { ConfigError } from '../engine/config';
import { fileSizeForms, kerasVersionSettings, parseFileSize } from '../engine/settings-schema';
import { ConfigFiles, ignoredFor, isExcluded, type FoundConfig } from '../workspace/config-files';
import { checkFiles, FileChecker, projectChecks, type Concurrency, type FileOutcome, type FixMode } from './check-files';
import { fixToApply } from '../engine/fix-all';
import { findRequirementFiles } from '../workspace/project-files';
import { initParser } from '../engine/analysis/parser';
import { createTwoFilesPatch } from 'diff';
import { cellLocator, fileReadiness } from '../readiness';
import type { ModelReadiness } from '../protocol';
import type { AnalysisOptions } from '../engine/engine';
import type { ProblemFix, VersionVerdict } from '../engine/report';
import { renderRuleDoc, rulePageUrl } from '../engine/rule-docs';
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
  /** One of the names in formats/index.ts. */
  format: string;
  fix: boolean;
  /** `--unsafe-fixes` / `--no-unsafe-fixes`; undefined when the command line does not say: the configuration file, else off. */
  unsafeFixes?: boolean;
  concurrency: Concurrency;
  /** Undefined when the command line does not say: the configuration file, else warning. */
  failOn?: Severity;
  exitZero: boolean;
  statistics: boolean;
  /** `--output-file`: where the report goes instead of standard output. */
  outputFile?: string;
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

async function analyzeFiles(paths: string[], selection: SelectionOptions, fix: FixMode, concurrency: Concurrency, analysis: AnalysisOptions = {}): Promise<FileOutcome[]> {
  const files = await filesToCheck(paths, selection);
  return checkFiles(files, paths, selection, fix, concurrency, analysis);
}

/**
 * `ksm check -`: the text on standard input, checked as the file `--stdin-filename` names (which
 * decides notebook or Python, the configuration and the project), and shown under that name.
 * With `--fix` the fixed text is written to standard output instead of a report.
 */
async function analyzeStdin(selection: SelectionOptions & { stdinFilename?: string }, fix: FixMode, analysis: AnalysisOptions = {}): Promise<FileOutcome> {
  await initParser();
  const name = selection.stdinFilename ?? 'stdin.py';
  configFor(new ConfigFiles(), path.resolve(name));
  const bytes = fs.readFileSync(0);
  let fixed: string | undefined;
  // Only this text is fixed: fixes that belong in other modules are left.
  const checker = new FileChecker([process.cwd()], selection, false, analysis, false, fix !== false && fix.unsafe);
  const outcome = { ...checker.checkText(name, bytes, fix ? (text) => (fixed = text) : undefined), file: selection.stdinFilename ?? '-' };
  if (fix) process.stdout.write(fixed ?? Buffer.from(bytes).toString('utf8'));
  stdinSources.set(outcome, sourceOfBytes(name, bytes));
  return outcome;
}

/** A file's text, or a notebook's cells' texts, for the formats that show or hash it. */
type Source = string | string[] | undefined;

/** What standard input held, by the outcome that checked it (it cannot be read again). */
const stdinSources = new WeakMap<FileOutcome, Source>();

function sourceOfBytes(name: string, bytes: Uint8Array): Source {
  if (isNotebookPath(name)) {
    const read = parseNotebook(new TextDecoder().decode(bytes));
    return 'notebook' in read ? read.notebook.cells.map((c) => c.text) : undefined;
  }
  const read = decodePython(bytes);
  return 'text' in read ? read.text : undefined;
}

/** The outcomes of the paths a command names: files and folders, or `-` alone for standard input. */
async function outcomesOf(paths: string[], options: SelectionOptions & { stdinFilename?: string; concurrency: Concurrency }, fix: FixMode, analysis: AnalysisOptions = {}): Promise<FileOutcome[]> {
  if (!paths.includes('-')) return analyzeFiles(paths.length > 0 ? paths : ['.'], options, fix, options.concurrency, analysis);
  if (paths.length > 1) throw new UsageError('`-` (standard input) cannot be combined with other paths');
  if (fix !== false && fix.diff) throw new UsageError('--diff reads files; with `-`, use --fix, which prints the fixed text');
  return [await analyzeStdin(options, fix, analysis)];
}

/** The findings of a file (or those `# noqa` silences); a notebook's with ranges relative to their cells. */
function findingsOf(outcome: FileOutcome, which: 'findings' | 'suppressed' = 'findings'): Array<Finding | NotebookFinding> {
  const findings = outcome.result?.[which] ?? [];
  const program = outcome.program;
  return program ? findings.map((f) => program.mapFinding(f)) : findings;
}

/** Colour only on a terminal, and never with NO_COLOR set (to anything but the empty string). */
function colourWanted(): boolean {
  return !process.env['NO_COLOR'] && process.stdout.isTTY === true;
}

/**
 * The text a finding refers to, for the formats that show or hash it: the file as it is now
 * (after `--fix`), a notebook's cell, or what standard input held. Each is read once.
 */
function sourceReader(outcomes: readonly FileOutcome[]): FormatContext['source'] {
  const texts = new Map<string, Source>();
  const read = (file: string): Source => {
    const fromStdin = outcomes.find((o) => o.file === file && stdinSources.has(o));
    if (fromStdin) return stdinSources.get(fromStdin);
    try {
      if (isNotebookPath(file)) {
        const notebook = readNotebookFile(file);
        return 'notebook' in notebook ? notebook.notebook.cells.map((c) => c.text) : undefined;
      }
      const python = readPythonFile(file);
      return 'text' in python ? python.text : undefined;
    } catch {
      return undefined;
    }
  };
  return (file, cell) => {
    if (!texts.has(file)) texts.set(file, read(file));
    const text = texts.get(file);
    return typeof text === 'string' || text === undefined ? text : text[cell ?? 0];
  };
}

/**
 * `--diff`: what `--fix` would change, as a unified diff per file, and nothing written. Exit 1
 * when there is something to change.
 */
function printDiffs(outcomes: FileOutcome[], unsafe: boolean): number {
  let files = 0;
  let fixes = 0;
  for (const o of outcomes) {
    // A fix may change another file than the one it was reported in (a class's module).
    fixes += o.fixed;
    if (!o.change) continue;
    files++;
    process.stdout.write(createTwoFilesPatch(`a/${o.file}`, `b/${o.file}`, o.change.before, o.change.after, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
  }
  process.stdout.write(files === 0 ? 'No fixes to apply.\n' : `Would fix ${fixes} ${fixes === 1 ? 'problem' : 'problems'} in ${files} ${files === 1 ? 'file' : 'files'}.\n`);
  if (!unsafe) process.stdout.write(hiddenFixesNote(outcomes.flatMap((o) => o.result?.findings ?? [])));
  return files > 0 ? exitFindings : exitClean;
}

async function runCheck(paths: string[], options: CheckOptions): Promise<number> {
  // The command line's choice, else the configuration's where the run starts.
  const unsafe = options.unsafeFixes ?? configFor(new ConfigFiles(), process.cwd(), true)?.config.unsafeFixes ?? false;
  if (options.diff) return printDiffs(await outcomesOf(paths, options, { diff: true, unsafe }), unsafe);
  const format = outputFormat(options.format)!;
  const listsSuppressed = format.listsSuppressed === true && !options.statistics;
  const outcomes = await outcomesOf(paths, options, options.fix ? { diff: false, unsafe } : false, listsSuppressed ? { keepSuppressed: true } : {});
  const fromStdin = paths.includes('-');
  // The level that fails the run: the command line's, else the configuration's where the run starts.
  const failOn = options.failOn ?? configFor(new ConfigFiles(), process.cwd(), true)?.config.failOn ?? 'warning';
  const colour = colourWanted();
  for (const o of outcomes) if (o.skipped) process.stderr.write(`${o.file}: ${colour ? pc.yellow('skipped') : 'skipped'}: ${o.skipped}\n`);
  // `ksm check --fix -` has written the fixed text to standard output: no report beside it.
  if (!(fromStdin && options.fix)) {
    // A report written to a file is read by tools, not people: no colour in it.
    const report = options.statistics ? statistics(outcomes, options.format, unsafe) : emit(format, outcomes, options, colour && !options.outputFile, listsSuppressed, unsafe);
    if (options.outputFile) writeReport(options.outputFile, report);
    else process.stdout.write(report);
  }
  if (options.exitZero) return exitClean;
  const failing = outcomes.some((o) => (o.result?.findings ?? []).some((f) => fails(f.severity, failOn)));
  return failing ? exitFindings : exitClean;
}

function emit(format: OutputFormat, outcomes: FileOutcome[], options: CheckOptions, colour: boolean, listsSuppressed: boolean, unsafeFixes: boolean): string {
  const files: CheckedFile[] = outcomes.map((o) => ({
    file: o.file,
    findings: findingsOf(o),
    ...(listsSuppressed ? { suppressed: findingsOf(o, 'suppressed') } : {}),
    analysed: !!o.result && o.result.version.source !== 'not analysed',
    ...(o.skipped && (!o.result || o.result.version.source === 'not analysed') ? { skipped: o.skipped } : {}),
    fixed: o.fixed,
    ...(o.fixedRules ? { fixedRules: o.fixedRules } : {}),
  }));
  return format.emit(files, { version: packageVersion(), root: process.cwd(), colour, showFixes: options.showFixes, unsafeFixes, source: sourceReader(outcomes) });
}

/** `--output-file`: the report, in a file whose folder is made if need be. */
function writeReport(file: string, report: string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, report);
  } catch (error) {
    throw new UsageError(`cannot write --output-file ${file}: ${(error as Error).message}`);
  }
}

/** `--statistics`: how many findings each rule has, most first, and how many a fix `--fix` applies removes. */
function statistics(outcomes: FileOutcome[], format: CheckOptions['format'], unsafe: boolean): string {
  const counts = new Map<string, { code: string; name: string; count: number; fixable: number }>();
  for (const finding of outcomes.flatMap((o) => o.result?.findings ?? [])) {
    const entry = counts.get(finding.code) ?? { code: finding.code, name: finding.name, count: 0, fixable: 0 };
    entry.count++;
    if (fixToApply(finding, unsafe)) entry.fixable++;
    counts.set(finding.code, entry);
  }
  const rows = [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  const width = Math.max(1, ...rows.map((r) => String(r.count).length));
  return rows.map((r) => `${String(r.count).padStart(width)}  ${pc.bold(r.code)}  ${r.name}${r.fixable > 0 ? `  (${r.fixable} fixable)` : ''}\n`).join('');
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
    const report = [...files, ...projects.map((p) => ({ project: p.project, dependencies: p.check }))];
    process.stdout.write(JSON.stringify(report, (_key, value: unknown) => (isPosition(value) ? { line: value.line + 1, character: value.character + 1 } : value), 2) + '\n');
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
            if (p.fix) process.stdout.write(`            fix (${p.fix.applicability}): ${p.fix.title}${landsIn(p.fix)}\n`);
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

/**
 * A position of the readiness report, which the JSON report shows 1-based as `ksm check` does
 * (the report's objects are the editor's, 0-based, as the language server sends them).
 */
function isPosition(value: unknown): value is Position {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && typeof (value as Position).line === 'number' && typeof (value as Position).character === 'number';
}

/** " (edits pkg/layers.py:4)": where a fix lands when that is another module; empty otherwise. */
function landsIn(fix: ProblemFix): string {
  const files = fix.otherFiles ?? [];
  return files.length === 0 ? '' : ` (edits ${files.map((f) => `${f.uri}:${f.range.start.line + 1}`).join(', ')})`;
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

function fileSizeParser(value: string): number {
  const bytes = parseFileSize(value);
  if (bytes === undefined) throw new InvalidArgumentError(`expected ${fileSizeForms}`);
  return bytes;
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
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const versionOption = () =>
    new Option('--keras-version <version>', 'which Keras the keras package is (default: the configuration file, else auto)').choices([...kerasVersionSettings]);
  const ruleOption = () => listOption('--rule <code=level>', 'set rules to error|warning|information (info)|hint|off, comma-separated (repeatable)');
  const listOption = (flags: string, description: string) =>
    new Option(flags, description).argParser((value: string, previous: string[]) => [...previous, value]).default([]);
  const formatOption = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
  const checkFormatOption = () =>
    new Option('--format <format>', `output format: ${outputFormats.map((f) => `${f.name} (${f.description})`).join('; ')}`)
      .choices(outputFormats.map((f) => f.name))
      .default(outputFormats[0]!.name);
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
    .addOption(new Option('--unsafe-fixes', 'with --fix or --diff: apply unsafe fixes too (default: the configuration\'s unsafe-fixes, else off)'))
    .addOption(new Option('--no-unsafe-fixes', 'apply only safe fixes, whatever the configuration says'))
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
    .option('-o, --output-file <path>', 'write the report to this file instead of standard output (skip messages stay on stderr)')
    .option('--statistics', 'print how many findings each rule has instead of the findings', false)
    .addOption(concurrencyOption())
    .addOption(new Option('--max-file-size <size>', 'skip files larger than this: 2MiB, 500k, or bytes (default: the configuration\'s max-file-size, else 2MiB)').argParser(fileSizeParser))
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
        const list = rules.map((r) => ({ code: r.code, name: r.name, summary: r.summary, severity: r.severity, fix: r.fixSafety, url: rulePageUrl(r.code) }));
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
