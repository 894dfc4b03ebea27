import type { AnalysisSettings } from '../engine/analysis/types';
import { settingsFrom, type SelectionOptions } from '../engine/selection';
import { ConfigFiles, ignoredFor } from './config-files';
import { ProjectVersions } from './project-files';

/** Where a file's project evidence is looked for, and what its dependency files are named relative to. */
export interface ProjectScope {
  stopAt?: string;
  namesRelativeTo?: string;
}

/**
 * The engine's settings for each file, built one way for the CLI and the language server: the
 * configuration file nearest above it (`[tool.ksm]`, `ksm.toml`) under what the user asked for
 * (the command line, or the editor's settings as rule levels and a Keras version), and, under
 * `auto`, the Keras version its project's dependency files declare. Both caches are kept here so
 * that a changed file can be forgotten.
 */
export class FileSettings {
  readonly configs = new ConfigFiles();
  readonly projects = new ProjectVersions();

  /** Throws ConfigError for an invalid configuration file, SelectionError for an invalid option. */
  settingsFor(file: string, user: SelectionOptions, scope: ProjectScope): AnalysisSettings {
    return this.withProjectVersion(file, this.configured(file, user), scope);
  }

  /** The configuration file's settings under the user's, without the project's Keras version. */
  configured(file: string, user: SelectionOptions): AnalysisSettings {
    const found = this.configs.configFor(file);
    return settingsFrom(user, found?.config, ignoredFor(found, file));
  }

  /** The settings with the project's Keras version when they leave it to `auto`. */
  withProjectVersion(file: string, settings: AnalysisSettings, scope: ProjectScope): AnalysisSettings {
    return settings.kerasVersion === 'auto' ? { ...settings, projectVersion: this.projects.versionFor(file, scope) } : settings;
  }

  clear(): void {
    this.configs.clear();
    this.projects.clear();
  }
}
