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

/** Bytes per unit of a file size; binary, as `describeSize` reports sizes (`500k` is 500 KiB). */
const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/**
 * A file size as people write it, in bytes: `2MiB`, `500k`, `1.5 MB`, or a number of bytes
 * (`2097152`, also as a TOML integer). Undefined when it is none, or not a whole positive number of bytes.
 */
export function parseFileSize(value: unknown): number | undefined {
  const match = typeof value === 'number' ? [String(value), String(value), ''] : typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
  const unit = match ? sizeUnits[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isFinite(bytes) && bytes >= 1 ? Math.round(bytes) : undefined;
}

/** How `parseFileSize` takes a size, for messages. */
export const fileSizeForms = 'a size such as 2MiB, 500k or 1048576 (bytes)';

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
  'max-file-size': 'files larger than this are skipped, with the reason: "2MiB" (the default), "500k", or bytes',
} as const;

export type ConfigKey = keyof typeof configKeys;
