import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { parseConfig, type ProjectConfig } from '../engine/config';

/**
 * Finds the configuration that applies to a file: the nearest `ksm.toml`, `.ksm.toml` or
 * `pyproject.toml` with a `[tool.ksm]` table at or above it, not above a repository root (a
 * `.git` folder or file). In one folder `ksm.toml` wins over `.ksm.toml`, which wins over
 * `pyproject.toml`, as in Ruff. An invalid file throws its ConfigError when a file it applies to
 * is asked about. What each folder holds is cached; `invalidate` forgets a changed file.
 */

/** The configuration files, in the order they win within one folder. */
export const configFileNames = ['ksm.toml', '.ksm.toml', 'pyproject.toml'];

export interface FoundConfig {
  config: ProjectConfig;
  /** The folder the configuration's globs are relative to. */
  directory: string;
}

interface FolderEntry {
  found: FoundConfig | undefined;
  error: Error | undefined;
  repositoryRoot: boolean;
}

export class ConfigFiles {
  private readonly folders = new Map<string, FolderEntry>();

  /** The configuration for a file (or folder), or undefined when none applies. Throws ConfigError. */
  configFor(file: string, options: { isDirectory?: boolean } = {}): FoundConfig | undefined {
    let directory = options.isDirectory ? path.resolve(file) : path.dirname(path.resolve(file));
    for (;;) {
      const entry = this.folder(directory);
      if (entry.error) throw entry.error;
      if (entry.found) return entry.found;
      const parent = path.dirname(directory);
      if (entry.repositoryRoot || parent === directory) return undefined;
      directory = parent;
    }
  }

  /** Forgets a configuration file that changed, was created or was deleted; true when one is known. */
  invalidate(changed: string): boolean {
    if (!configFileNames.includes(path.basename(changed))) return false;
    return this.folders.delete(path.dirname(path.resolve(changed)));
  }

  clear(): void {
    this.folders.clear();
  }

  private folder(directory: string): FolderEntry {
    let entry = this.folders.get(directory);
    if (!entry) {
      entry = readFolder(directory);
      this.folders.set(directory, entry);
    }
    return entry;
  }
}

function readFolder(directory: string): FolderEntry {
  const repositoryRoot = fs.existsSync(path.join(directory, '.git'));
  for (const name of configFileNames) {
    const file = path.join(directory, name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    try {
      const config = parseConfig(file, text, name === 'pyproject.toml' ? 'pyproject' : 'ksm');
      if (config) return { found: { config, directory }, error: undefined, repositoryRoot };
    } catch (error) {
      return { found: undefined, error: error as Error, repositoryRoot };
    }
  }
  return { found: undefined, error: undefined, repositoryRoot };
}

/** The path of a file relative to a configuration's folder, with `/` separators, for its globs. */
function relativeTo(found: FoundConfig, file: string): string {
  return path.relative(found.directory, path.resolve(file)).split(path.sep).join('/');
}

/** Whether any glob matches a `/`-separated relative path or one of its folders (`tests` matches `tests/a.py`). */
export function globsMatch(globs: readonly string[], relative: string): boolean {
  if (globs.length === 0 || relative.startsWith('..')) return false;
  const isMatch = picomatch(globs.map((g) => g.replace(/\/$/, '')), { dot: true });
  const parts = relative.split('/');
  for (let i = 1; i <= parts.length; i++) if (isMatch(parts.slice(0, i).join('/'))) return true;
  // A bare name (`build`) matches at any depth, as in .gitignore.
  return globs.some((g) => !g.includes('/') && parts.some((p) => picomatch.isMatch(p, g, { dot: true })));
}

/**
 * True when the configuration excludes the file from folder walks. `exclude` (the command line's
 * `--exclude`, relative to `base`) replaces the configuration's list; `extend` adds to it.
 */
export function isExcluded(found: FoundConfig | undefined, file: string, commandLine: { exclude: string[]; extend: string[]; base: string } = { exclude: [], extend: [], base: '' }): boolean {
  const fromBase = path.relative(commandLine.base, path.resolve(file)).split(path.sep).join('/');
  if (globsMatch([...commandLine.exclude, ...commandLine.extend], fromBase)) return true;
  return commandLine.exclude.length === 0 && found !== undefined && globsMatch(found.config.exclude, relativeTo(found, file));
}

/** The rules the configuration's `per-file-ignores` turn off for the file. */
export function ignoredFor(found: FoundConfig | undefined, file: string): string[] {
  if (!found) return [];
  const relative = relativeTo(found, file);
  return found.config.perFileIgnores.filter((p) => globsMatch([p.glob], relative)).flatMap((p) => p.rules);
}
