import type { AnalysisSettings, KerasVersionSetting, RuleSetting, Severity } from './analysis/types';
import type { ProjectConfig } from './config';
import { findRule, rules } from './rules/index';
import { parseRuleLevel, severities } from './settings-schema';
import type { Rule } from '../engine/rules/rule';

/**
 * Which rules a run checks and at which level, and which findings fail it, from the command line's
 * options (or the editor's settings) over the configuration file:
 * `--select`/`--extend-select`/`--ignore` (codes, prefixes such as `KSM3`, or names; repeatable
 * and comma-separated, as Ruff reads them), `--rule CODE=LEVEL`, and `--fail-on`.
 */

export class SelectionError extends Error {}

/** Severities from the most to the least severe. */
export const severityOrder: readonly Severity[] = severities;
const level = parseRuleLevel;

/** A fail-on level (`error`, `warning`, `information` or `info`, `hint`), for commander's argParser. */
export function parseFailOn(value: string): Severity {
  const parsed = level(value);
  if (!parsed || parsed === 'off' || parsed === 'default') throw new SelectionError(`--fail-on ${value}: expected one of error, warning, information (or info), hint`);
  return parsed;
}

/** The items of repeatable, comma-separated options. */
export function items(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * The rules a selector names, and how specific it is: a code or a name names one rule (most
 * specific), a prefix (`KSM3`, `KSM`) names those whose code starts with it.
 */
function rulesNamed(selector: string, option: string): { rules: Rule[]; specificity: number } {
  const named = findRule(selector);
  if (named) return { rules: [named], specificity: named.code.length };
  const prefix = selector.toUpperCase();
  const matching = /^KSM\d*$/.test(prefix) ? rules.filter((r) => r.code.startsWith(prefix)) : [];
  if (matching.length === 0) throw new SelectionError(`${option} ${selector}: no rule has that code, prefix or name (see \`ksm rules\`)`);
  return { rules: matching, specificity: prefix.length };
}

/**
 * The rules a run checks. As in Ruff, for each rule the most specific selector that names it
 * decides (`--ignore KSM5 --extend-select KSM501` keeps KSM501); at equal specificity `--ignore`
 * wins. Without `--select`, every rule starts selected.
 */
function selectedRules(selection: { select: string[]; extendSelect: string[]; ignore: string[] }): Set<Rule> {
  const select = items(selection.select);
  const verdict = new Map<Rule, { on: boolean; specificity: number }>();
  for (const r of rules) verdict.set(r, { on: select.length === 0, specificity: -1 });
  const apply = (values: string[], option: string, on: boolean): void => {
    for (const value of items(values)) {
      const { rules: named, specificity } = rulesNamed(value, option);
      for (const r of named) {
        const current = verdict.get(r)!;
        if (specificity > current.specificity || (specificity === current.specificity && !on)) verdict.set(r, { on, specificity });
      }
    }
  };
  apply(selection.select, '--select', true);
  apply(selection.extendSelect, '--extend-select', true);
  apply(selection.ignore, '--ignore', false);
  return new Set(rules.filter((r) => verdict.get(r)!.on));
}

export interface SelectionOptions {
  /** Undefined when the command line does not say: the configuration file, else `auto`. */
  kerasVersion?: KerasVersionSetting;
  rule: string[];
  select: string[];
  extendSelect: string[];
  ignore: string[];
  /** Files larger than this many bytes are skipped; undefined: the configuration file's, else 2 MiB. */
  maxFileSize?: number;
}

/**
 * The engine's settings for a file: the selected rules at their levels, every other rule off.
 * The command line goes over the configuration file: `--select` replaces its `select` and
 * `extend-select`, `--extend-select` and `--ignore` add to its lists, `--rule` levels go over
 * its `severity`, `--keras-version` over its `keras-version`, `--max-file-size` over its `max-file-size`. The file's `per-file-ignores`
 * (see config-files.ts `ignoredFor`) turn their rules off whatever selects them.
 */
export function settingsFrom(options: SelectionOptions, config?: ProjectConfig, perFileIgnores: readonly string[] = []): AnalysisSettings {
  const fromCommandLine = options.select.length > 0;
  const selected = selectedRules({
    select: fromCommandLine ? options.select : config?.select ?? [],
    extendSelect: [...(fromCommandLine ? [] : config?.extendSelect ?? []), ...options.extendSelect],
    ignore: [...(config?.ignore ?? []), ...options.ignore],
  });
  // `per-file-ignores` are the last word for their files, whatever else selects the rule.
  for (const selector of perFileIgnores) for (const r of rulesNamed(selector, 'per-file-ignores').rules) selected.delete(r);
  const settings: AnalysisSettings = { kerasVersion: options.kerasVersion ?? config?.kerasVersion ?? 'auto', rules: {} };
  const maxFileBytes = options.maxFileSize ?? config?.maxFileBytes;
  if (maxFileBytes !== undefined) settings.maxFileBytes = maxFileBytes;
  for (const r of rules) if (!selected.has(r)) settings.rules[r.code] = 'off';
  for (const [code, level] of Object.entries(config?.severity ?? {})) if (selected.has(findRule(code)!)) settings.rules[code] = level;
  for (const item of items(options.rule)) {
    const [key = '', value = ''] = item.split('=');
    const rule = findRule(key);
    if (!rule) throw new SelectionError(`unknown rule "${key}" in --rule ${item} (see \`ksm rules\`)`);
    const parsed = level(value);
    if (!parsed) throw new SelectionError(`--rule ${item}: the level must be one of error, warning, information (or info), hint, off, default`);
    // A level for a rule the selection leaves out does not turn it back on.
    if (selected.has(rule)) settings.rules[rule.code] = parsed as RuleSetting;
  }
  return settings;
}

/** True when a finding of this severity fails a run that fails on `failOn` and above. */
export function fails(severity: Severity, failOn: Severity): boolean {
  return severityOrder.indexOf(severity) <= severityOrder.indexOf(failOn);
}
