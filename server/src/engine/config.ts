import type * as Toml from 'smol-toml' with { 'resolution-mode': 'import' };
import { findRule, rules } from './rules/index';
import { configKeys, fileSizeForms, parseFileSize, parseKerasVersion, parseRuleLevel, severities, type KerasVersionName, type RuleLevel, type SeverityName } from './settings-schema';

// smol-toml ships a CommonJS build under its "require" condition (see project-version.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const toml = require('smol-toml') as typeof Toml;

/**
 * The project configuration: `[tool.ksm]` in `pyproject.toml`, or the top level of `ksm.toml`.
 * Pure: the caller finds and reads the file; this reads and checks its text against the schema.
 */

export interface ProjectConfig {
  /** The file, as the caller names it (for messages). */
  file: string;
  kerasVersion?: KerasVersionName;
  select?: string[];
  extendSelect: string[];
  ignore: string[];
  /** Levels by rule code. */
  severity: Record<string, RuleLevel>;
  /** Globs relative to the configuration file's folder, with the rules not checked in matching files. */
  perFileIgnores: Array<{ glob: string; rules: string[] }>;
  exclude: string[];
  failOn?: SeverityName;
  /** `unsafe-fixes`: `--fix` applies unsafe fixes too. */
  unsafeFixes?: boolean;
  maxFileBytes?: number;
}

/** What is wrong with a configuration file, and where. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, readonly key: string | undefined, readonly reason: string) {
    super(`${file}${line ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${reason}`);
  }
}

/** The configuration a file holds; undefined for a `pyproject.toml` without `[tool.ksm]`. Throws ConfigError. */
export function parseConfig(file: string, text: string, kind: 'pyproject' | 'ksm'): ProjectConfig | undefined {
  let root: Toml.TomlTable;
  try {
    root = toml.parse(text);
  } catch (error) {
    const line = (error as { line?: number }).line;
    throw new ConfigError(file, line, undefined, `not valid TOML (${firstLine((error as Error).message)})`);
  }
  const table = kind === 'ksm' ? root : tableAt(root, ['tool', 'ksm']);
  if (!table) return undefined;
  const at = (key: string) => lineOf(text, key, kind === 'pyproject' ? 'tool.ksm' : undefined);
  const fail = (key: string, reason: string): never => {
    throw new ConfigError(file, at(key), key, reason);
  };
  const config: ProjectConfig = { file, extendSelect: [], ignore: [], severity: {}, perFileIgnores: [], exclude: [] };
  for (const [key, value] of Object.entries(table)) {
    switch (key as keyof typeof configKeys) {
      case 'keras-version': {
        const version = parseKerasVersion(value);
        if (!version) fail(key, `expected "auto", "2" or "3", got ${show(value)}`);
        config.kerasVersion = version;
        break;
      }
      case 'select':
        config.select = selectors(value, key, fail);
        break;
      case 'extend-select':
        config.extendSelect = selectors(value, key, fail);
        break;
      case 'ignore':
        config.ignore = selectors(value, key, fail);
        break;
      case 'severity': {
        if (!isTable(value)) fail(key, 'expected a table of rule = level');
        for (const [name, level] of Object.entries(value as Toml.TomlTable)) {
          const rule = findRule(name);
          if (!rule) fail(`${key}.${name}`, 'no rule has that code or name (see `ksm rules`)');
          const parsed = typeof level === 'string' ? parseRuleLevel(level) : undefined;
          if (!parsed) fail(`${key}.${name}`, `expected one of error, warning, information (or info), hint, off, default; got ${show(level)}`);
          config.severity[rule!.code] = parsed!;
        }
        break;
      }
      case 'per-file-ignores': {
        if (!isTable(value)) fail(key, 'expected a table of glob = [rules]');
        for (const [glob, named] of Object.entries(value as Toml.TomlTable)) config.perFileIgnores.push({ glob, rules: selectors(named, `${key}."${glob}"`, fail) });
        break;
      }
      case 'exclude':
        config.exclude = strings(value, key, fail);
        break;
      case 'fail-on': {
        const level = typeof value === 'string' ? parseRuleLevel(value) : undefined;
        if (!level || !severities.includes(level as SeverityName)) fail(key, `expected "error", "warning", "information" or "hint", got ${show(value)}`);
        config.failOn = level as SeverityName;
        break;
      }
      case 'unsafe-fixes':
        if (typeof value !== 'boolean') fail(key, `expected true or false, got ${show(value)}`);
        config.unsafeFixes = value as boolean;
        break;
      case 'max-file-size':
        config.maxFileBytes = parseFileSize(value) ?? fail(key, `expected ${fileSizeForms}, got ${show(value)}`);
        break;
      default:
        fail(key, `unknown key; the keys are ${Object.keys(configKeys).join(', ')}`);
    }
  }
  return config;
}

/** True when a rule selector (a code, a prefix such as `KSM3`, or a name) names at least one rule. */
export function isRuleSelector(selector: string): boolean {
  if (findRule(selector)) return true;
  const prefix = selector.trim().toUpperCase();
  return /^KSM\d*$/.test(prefix) && rules.some((r) => r.code.startsWith(prefix));
}

function selectors(value: unknown, key: string, fail: (key: string, reason: string) => never): string[] {
  const list = strings(value, key, fail);
  for (const selector of list) if (!isRuleSelector(selector)) fail(key, `"${selector}": no rule has that code, prefix or name (see \`ksm rules\`)`);
  return list;
}

function strings(value: unknown, key: string, fail: (key: string, reason: string) => never): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(key, `expected a list of strings, got ${show(value)}`);
  return value as string[];
}

function isTable(value: unknown): value is Toml.TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function tableAt(root: Toml.TomlTable, path: string[]): Toml.TomlTable | undefined {
  let table: unknown = root;
  for (const key of path) table = isTable(table) ? table[key] : undefined;
  return isTable(table) ? table : undefined;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/**
 * The one-based line where a key is written (`key = …`, or a `[section.key]` header), after the
 * section's own header when there is one; for a dotted key (`severity.KSM301`) its last part,
 * else its table.
 */
function lineOf(text: string, key: string, section: string | undefined): number | undefined {
  const lines = text.split(/\r?\n/);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\"]/g, '\\$&');
  const parts = key.split('.').map((p) => p.replace(/^"|"$/g, ''));
  const start = section ? Math.max(0, lines.findIndex((l) => new RegExp(`^\\s*\\[\\s*${escape(section)}\\s*\\]`).test(l))) : 0;
  const find = (pattern: RegExp) => {
    for (let i = start; i < lines.length; i++) if (pattern.test(lines[i]!)) return i + 1;
    return undefined;
  };
  // The key itself (`KSM301 = …`, also inside an inline table), else its table, else its first part.
  for (let n = parts.length; n > 0; n--) {
    const leaf = escape(parts[n - 1]!);
    const header = escape([section, ...parts.slice(0, n)].filter(Boolean).join('.'));
    const line = find(new RegExp(`^\\s*\\[\\s*${header}\\s*[\\].]`)) ?? find(new RegExp(`(^|[{,])\\s*["']?${leaf}["']?\\s*=`));
    if (line) return line;
  }
  return undefined;
}
