import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  isProjectFileName,
  kerasVersionFromRequirements,
  projectFilePatterns,
  projectRequirements,
  type IncludeResolver,
  type ProjectFile,
} from '../engine/analysis/project-version';
import type { KerasVersionInfo } from '../engine/analysis/types';

/** Dependency files larger than this are not read: real ones are a few KiB. */
const maxProjectFileBytes = 1024 * 1024;

interface DirectoryEvidence {
  directory: string;
  /** Every path read for the directory, includes and missing ones too: a change to one makes the evidence stale. */
  read: Set<string>;
  /** Undefined when no dependency file of the directory names TensorFlow or Keras. */
  version: KerasVersionInfo | undefined;
  /** A `.git` folder or file is here: the walk up stops at a repository's root. */
  repositoryRoot: boolean;
}

/**
 * The Keras version that a Python file's project declares, read from the dependency files of
 * the nearest directory at or above the file whose dependency files name TensorFlow or Keras.
 * A directory whose files name neither (a `pyproject.toml` holding only tool settings, an
 * example's own `requirements.txt`) is passed over, so the project's pins still apply below it.
 * The walk stops at a repository root (a `.git` folder or file), at `stopAt` when the file is
 * inside it (a workspace folder, say), and at the file system root.
 *
 * What each directory gives is cached; `invalidate` forgets what depended on a changed file.
 */
export class ProjectVersions {
  /** Keyed by the folder that file names are shown relative to, and the directory. */
  private readonly cache = new Map<string, DirectoryEvidence>();

  /**
   * Project evidence for the Python file at `file`; undefined when no dependency file says
   * anything. Dependency files are named relative to `namesRelativeTo` (the working directory,
   * a workspace folder), else to `stopAt`, else to the directory they are found in; by their
   * full path when they are outside that folder.
   */
  versionFor(file: string, options: { stopAt?: string; namesRelativeTo?: string } = {}): KerasVersionInfo | undefined {
    let directory = path.dirname(path.resolve(file));
    const stop = options.stopAt !== undefined && isWithin(directory, path.resolve(options.stopAt)) ? path.resolve(options.stopAt) : undefined;
    const shownFrom = options.namesRelativeTo !== undefined ? path.resolve(options.namesRelativeTo) : stop;
    for (;;) {
      const evidence = this.evidence(directory, shownFrom ?? directory);
      if (evidence.version) return evidence.version;
      const parent = path.dirname(directory);
      if (evidence.repositoryRoot || directory === stop || parent === directory) return undefined;
      directory = parent;
    }
  }

  /**
   * Forgets what depended on `changed`: a dependency file or an included file that was
   * changed, created or deleted, or a folder that was removed. Returns whether anything was
   * forgotten, that is whether files analysed before may now get another version.
   */
  invalidate(changed: string): boolean {
    const target = path.resolve(changed);
    const dependencyFile = isProjectFileName(target) || path.basename(target) === '.git';
    let forgotten = false;
    for (const [key, evidence] of this.cache) {
      const stale = evidence.read.has(target) || isWithin(evidence.directory, target) || (dependencyFile && evidence.directory === path.dirname(target));
      if (stale) {
        this.cache.delete(key);
        forgotten = true;
      }
    }
    return forgotten;
  }

  clear(): void {
    this.cache.clear();
  }

  private evidence(directory: string, shownFrom: string): DirectoryEvidence {
    const key = `${shownFrom}\0${directory}`;
    let evidence = this.cache.get(key);
    if (!evidence) {
      evidence = readDirectory(directory, shownFrom);
      this.cache.set(key, evidence);
    }
    return evidence;
  }
}

function readDirectory(directory: string, shownFrom: string): DirectoryEvidence {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch {
    // An unreadable folder holds no evidence; the walk goes on above it.
  }
  const read = new Set<string>();
  const pathOf = new Map<string, string>();
  const load = (file: string): ProjectFile | undefined => {
    read.add(file);
    const text = readText(file);
    if (text === undefined) return undefined;
    const name = isWithin(file, shownFrom) ? path.relative(shownFrom, file) : file;
    pathOf.set(name, file);
    return { name, text };
  };
  // `-r` paths are relative to the including file; URLs are never fetched.
  const resolve: IncludeResolver = (target, from) => {
    const including = pathOf.get(from.name);
    if (!including || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return undefined;
    return load(path.resolve(path.dirname(including), target));
  };
  const names = entries.filter((e) => !e.isDirectory() && isProjectFileName(e.name)).map((e) => e.name);
  const files = names
    .sort((a, b) => fileOrder(a) - fileOrder(b) || a.localeCompare(b))
    .flatMap((name) => load(path.join(directory, name)) ?? []);
  return {
    directory,
    read,
    version: kerasVersionFromRequirements(projectRequirements(files, resolve)),
    repositoryRoot: entries.some((e) => e.name === '.git'),
  };
}

/** Files are read in the order of `projectFilePatterns` (requirements first), which names the evidence shown. */
function fileOrder(name: string): number {
  const lower = name.toLowerCase();
  const exact = projectFilePatterns.findIndex((p) => p.toLowerCase() === lower);
  if (exact !== -1) return exact;
  return lower === 'requirements.txt' ? -1 : 0;
}

function readText(file: string): string | undefined {
  try {
    if (fs.statSync(file).size > maxProjectFileBytes) return undefined;
    return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
}

/** Whether `inner` is `outer` or inside it. */
export function isWithin(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}
