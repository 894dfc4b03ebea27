/**
 * Every setting users write, defined once: the levels, the Keras versions, and the keys of the
 * configuration file (`[tool.ksm]` in pyproject.toml, or ksm.toml). The CLI's options, the
 * language server's settings, the VS Code manifest and the README are checked against it.
 */

/** The levels of a finding, from the most to the least severe. */
export const severities = ['error', 'warning', 'information', 'hint'] as const;
/** What a rule can be set to: a level, `off`, or `default` (its own level). */
export const ruleLevels = [...severities, 'off', 'default'] as const;
/** Which Keras the `keras` package is: from evidence, or said. */
export const kerasVersionSettings = ['auto', '2', '3'] as const;

export type SeverityName = (typeof severities)[number];
export type RuleLevel = (typeof ruleLevels)[number];
export type KerasVersionName = (typeof kerasVersionSettings)[number];

/** A level as people write it: any case, and `info` for `information`. Undefined when it is none. */
export function parseRuleLevel(value: string): RuleLevel | undefined {
  const lower = value.trim().toLowerCase();
  if (lower === 'info') return 'information';
  return ruleLevels.find((l) => l === lower);
}

/** A Keras version setting as people write it: `"3"`, `3`, `"auto"`. */
export function parseKerasVersion(value: unknown): KerasVersionName | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  return kerasVersionSettings.find((v) => v === text);
}

/** The keys of the configuration file, with what each holds. */
export const configKeys = {
  'keras-version': 'which Keras the `keras` package is: "auto" (from evidence), "2" or "3"',
  select: 'the rules to check: codes, prefixes (`KSM3`) or names; every rule when absent',
  'extend-select': 'rules to check on top of `select`',
  ignore: 'rules not to check',
  severity: 'a table of levels by rule code or name: "error", "warning", "information" (or "info"), "hint", "off", "default"',
  'per-file-ignores': 'a table from file globs (relative to the configuration file) to the rules not checked in those files',
  exclude: 'globs (relative to the configuration file) of files and folders not checked when a folder is',
  'fail-on': 'the lowest level that fails `ksm check`: "error", "warning" (the default), "information" or "hint"',
  'unsafe-fixes': 'true to let `ksm check --fix` and `--diff` apply unsafe fixes too (default false)',
} as const;

export type ConfigKey = keyof typeof configKeys;
