import type { Connection } from 'vscode-languageserver';
import type { AnalysisSettings } from '../engine/analysis/types';
import { parseFileSize, parseKerasVersion, parseRuleLevel } from '../engine/settings-schema';
import { settingsSection } from '../protocol';
import { findRule } from '../engine/rules/index';
import type { SelectionOptions } from '../engine/selection';

/** The `kerasSavedModel` settings section: the engine's settings plus the on/off switch. */
export interface ServerSettings extends AnalysisSettings {
  enable: boolean;
  /** Analyse as the user types, or only when the file is saved. */
  run: 'onType' | 'onSave';
  /** Globs, relative to the workspace folder, of files the editor does not check. */
  exclude: string[];
}

export const defaultServerSettings: ServerSettings = { enable: true, run: 'onType', exclude: [], kerasVersion: 'auto', rules: {} };


function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a settings object as a client sent it, keeping what is valid and taking the rest from
 * `fallback`. Clients configured by hand (Neovim, Helix, Emacs) send anything, so nothing is
 * trusted: `kerasVersion = 3` written as a TOML number is accepted too.
 */
export function normalizeSettings(raw: unknown, fallback: ServerSettings): ServerSettings {
  if (!isObject(raw)) return fallback;
  const settings: ServerSettings = { ...fallback, rules: { ...fallback.rules } };
  if (typeof raw.enable === 'boolean') settings.enable = raw.enable;
  if (raw.run === 'onType' || raw.run === 'onSave') settings.run = raw.run;
  if (Array.isArray(raw.exclude)) settings.exclude = raw.exclude.filter((g): g is string => typeof g === 'string' && g.trim() !== '');
  const version = parseKerasVersion(raw.kerasVersion);
  if (version) settings.kerasVersion = version;
  // A number of MiB, read by the one size parser the CLI and the configuration file use.
  const maxFileBytes = typeof raw.maxFileSize === 'number' ? parseFileSize(`${raw.maxFileSize}MiB`) : undefined;
  if (maxFileBytes) settings.maxFileBytes = maxFileBytes;
  if (isObject(raw.rules)) {
    for (const [key, value] of Object.entries(raw.rules)) {
      const level = typeof value === 'string' ? parseRuleLevel(value) : undefined;
      if (level) settings.rules[key] = level;
    }
  }
  return settings;
}

/** A settings object that may be wrapped in its section, as `didChangeConfiguration` often sends it. */
export function unwrapSection(raw: unknown): unknown {
  return isObject(raw) && isObject(raw[settingsSection]) ? raw[settingsSection] : raw;
}

/**
 * Settings per resource. Clients with `workspace/configuration` are asked once per document
 * (cached until the configuration changes); for other clients every document gets the base
 * settings: `initializationOptions`, replaced by what `didChangeConfiguration` pushes.
 */
export class SettingsStore {
  private base: ServerSettings = defaultServerSettings;
  private readonly cache = new Map<string, Promise<ServerSettings>>();

  constructor(
    private readonly connection: Connection,
    private readonly pull: () => boolean,
  ) {}

  setBase(raw: unknown): void {
    this.base = normalizeSettings(unwrapSection(raw), defaultServerSettings);
  }

  /** Forgets every cached value (after `didChangeConfiguration`). */
  reset(): void {
    this.cache.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  get(uri: string): Promise<ServerSettings> {
    let settings = this.cache.get(uri);
    if (!settings) {
      settings = this.getMany([uri]).then(([one]) => one ?? this.base);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  /** Settings for many resources in one `workspace/configuration` request. */
  async getMany(uris: string[]): Promise<ServerSettings[]> {
    if (!this.pull() || uris.length === 0) return uris.map(() => this.base);
    try {
      const values: unknown[] = await this.connection.workspace.getConfiguration(
        uris.map((scopeUri) => ({ scopeUri, section: settingsSection })),
      );
      return uris.map((_, i) => normalizeSettings(values?.[i], this.base));
    } catch (error) {
      this.connection.console.warn(`Could not read the ${settingsSection} settings; using defaults: ${String(error)}`);
      return uris.map(() => this.base);
    }
  }
}

/**
 * The editor's settings as the CLI's options: a Keras version other than `auto` goes over the
 * configuration file's. Its rule levels are applied after the file's selection (see
 * `editorRuleLevels`): a level the user set in the editor turns the rule on even where the file
 * ignores it, since the user asked for it there.
 */
export function editorSelection(settings: ServerSettings): SelectionOptions {
  return { kerasVersion: settings.kerasVersion === 'auto' ? undefined : settings.kerasVersion, rule: [], select: [], extendSelect: [], ignore: [] };
}

/** The editor's rule levels by rule code; keys the engine does not know are left out (the normaliser keeps any key). */
export function editorRuleLevels(settings: ServerSettings): AnalysisSettings['rules'] {
  const levels: AnalysisSettings['rules'] = {};
  for (const [key, level] of Object.entries(settings.rules)) {
    const rule = findRule(key);
    if (rule) levels[rule.code] = level;
  }
  return levels;
}
