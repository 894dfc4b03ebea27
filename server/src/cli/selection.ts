import type { AnalysisSettings, KerasVersionSetting, RuleSetting, Severity } from '../engine/analysis/types';
import { findRule, rules } from '../engine/rules/index';
import type { Rule } from '../engine/rules/rule';

/**
 * Which rules a CLI run checks and at which level, and which findings fail it, from its options:
 * `--select`/`--extend-select`/`--ignore` (codes, prefixes such as `KSM3`, or names; repeatable
 * and comma-separated, as Ruff reads them), `--rule CODE=LEVEL`, and `--fail-on`.
 */

export class SelectionError extends Error {}

/** Severities from the most to the least severe. */
export const severityOrder: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

/** A level as users write it: any case, `info` for `information`. */
function level(value: string): Severity | 'off' | 'default' | undefined {
  const lower = value.trim().toLowerCase();
  if (lower === 'info') return 'information';
  return (['error', 'warning', 'information', 'hint', 'off', 'default'] as const).find((l) => l === lower);
}

/** A fail-on level (`error`, `warning`, `information` or `info`, `hint`), for commander's argParser. */
export function parseFailOn(value: string): Severity {
  const parsed = level(value);
  if (!parsed || parsed === 'off' || parsed === 'default') throw new SelectionError(`--fail-on ${value}: expected one of error, warning, information (or info), hint`);
  return parsed;
}

/** The items of repeatable, comma-separated options. */
function items(values: readonly string[]): string[] {
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
function selectedRules(options: SelectionOptions): Set<Rule> {
  const select = items(options.select);
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
  apply(options.select, '--select', true);
  apply(options.extendSelect, '--extend-select', true);
  apply(options.ignore, '--ignore', false);
  return new Set(rules.filter((r) => verdict.get(r)!.on));
}

export interface SelectionOptions {
  kerasVersion: KerasVersionSetting;
  rule: string[];
  select: string[];
  extendSelect: string[];
  ignore: string[];
}

/** The engine's settings for the run: the selected rules at their levels, every other rule off. */
export function settingsFrom(options: SelectionOptions): AnalysisSettings {
  const settings: AnalysisSettings = { kerasVersion: options.kerasVersion, rules: {} };
  const selected = selectedRules(options);
  for (const r of rules) if (!selected.has(r)) settings.rules[r.code] = 'off';
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
