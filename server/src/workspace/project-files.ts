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
import { legacyKerasUses, type LegacyKerasUse } from '../engine/analysis/dependency-pins';
import { NotebookProgram } from '../engine/analysis/notebook';
import type { ProjectInput } from '../engine/project';
import { globSync } from 'tinyglobby';
import { ignoredFolders, readPythonFile } from './files';
import { isNotebookPath, readNotebookFile, type NotebookRead } from './notebook-files';

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

/** A directory's dependency files, read, with the resolver of their includes. */
interface DirectoryFiles {
  entries: fs.Dirent[];
  files: ProjectFile[];
  resolve: IncludeResolver;
  /** Every path read, includes and missing ones too. */
  read: Set<string>;
}

/** The editor's text of a file that is open, by path; undefined to read the file on disk. */
export type TextOf = (file: string) => string | undefined;

/**
 * Reads the dependency files of a directory, named relative to `shownFrom` (by full path
 * outside it). Includes are followed relative to the including file, only inside `within`
 * when given; URLs are never fetched.
 */
function readDirectoryFiles(directory: string, shownFrom: string, within?: string, textOf?: TextOf): DirectoryFiles {
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
    const text = textOf?.(file) ?? readText(file);
    if (text === undefined) return undefined;
    const name = isWithin(file, shownFrom) ? path.relative(shownFrom, file) : file;
    pathOf.set(name, file);
    return { name, text };
  };
  const resolve: IncludeResolver = (target, from) => {
    const including = pathOf.get(from.name);
    if (!including || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return undefined;
    const file = path.resolve(path.dirname(including), target);
    return within === undefined || isWithin(file, within) ? load(file) : undefined;
  };
  const names = entries.filter((e) => !e.isDirectory() && isProjectFileName(e.name)).map((e) => e.name);
  const files = names
    .sort((a, b) => fileOrder(a) - fileOrder(b) || a.localeCompare(b))
    .flatMap((name) => load(path.join(directory, name)) ?? []);
  return { entries, files, resolve, read };
}

function readDirectory(directory: string, shownFrom: string): DirectoryEvidence {
  const { entries, files, resolve, read } = readDirectoryFiles(directory, shownFrom);
  return {
    directory,
    read,
    version: kerasVersionFromRequirements(projectRequirements(files, resolve)),
    repositoryRoot: entries.some((e) => e.name === '.git'),
  };
}

/** Python files read below a project for its uses of tf_keras, at most; a larger tree is read this far. */
const maxProjectPythonFiles = 2000;

/**
 * A project for the requirement-file rules: the dependency files of one directory, which are
 * one environment, and where the Python files below it use tf_keras. Nothing outside the
 * directory is read (an include that leaves it is not followed). Names are relative to
 * `namesRelativeTo` (the working directory, a workspace folder). `textOf` gives the editor's
 * text of open files. Undefined when the directory holds no dependency file. The parser must be
 * initialised.
 */
export function readProject(directory: string, namesRelativeTo: string, textOf?: TextOf): ProjectInput | undefined {
  const root = path.resolve(directory);
  const shownFrom = path.resolve(namesRelativeTo);
  const { files, resolve } = readDirectoryFiles(root, shownFrom, root, textOf);
  if (files.length === 0) return undefined;
  const python = globSync('**/*.{py,ipynb}', { cwd: root, ignore: ignoredFolders.map((f) => `**/${f}/**`), dot: false, followSymbolicLinks: false })
    .filter((name) => !isProjectFileName(name))
    .sort()
    .slice(0, maxProjectPythonFiles);
  const legacyUses = python.flatMap((name) => {
    const file = path.join(root, name);
    const shown = isWithin(file, shownFrom) ? path.relative(shownFrom, file) : file;
    if (isNotebookPath(file)) return notebookLegacyUses(file, shown);
    let text = textOf?.(file);
    try {
      if (text === undefined) {
        const read = readPythonFile(file);
        if ('text' in read) text = read.text;
      }
    } catch {
      // A file removed or unreadable since the walk has no uses.
    }
    return text === undefined ? [] : legacyKerasUses(shown, text);
  });
  return { files, resolve, legacyUses };
}

/**
 * A notebook's uses of tf_keras, its Python cells read as one program (with its `%env` lines).
 * A location in a closed notebook has no line of its own, so each use says which cell and line
 * it is on and points at the notebook's start.
 */
function notebookLegacyUses(file: string, shown: string): LegacyKerasUse[] {
  let read: NotebookRead;
  try {
    read = readNotebookFile(file);
  } catch {
    return [];
  }
  if ('skipped' in read) return [];
  const program = new NotebookProgram(read.notebook.cells);
  const start = { line: 0, character: 0 };
  return legacyKerasUses(shown, program.text, program.envMagics()).map((use) => {
    const at = program.toCell(use.range.start);
    return at ? { ...use, range: { start, end: start }, where: `${shown}, cell ${at.cell + 1}, line ${at.position.line + 1}` } : use;
  });
}

/** Whether a path is a requirement file that the project rules read and that is not Python (setup.py is both). */
export function isRequirementFile(file: string): boolean {
  return isProjectFileName(file) && !file.endsWith('.py');
}

/** The requirement files (other than setup.py) in the folders among `paths`, searched as Python files are. */
export function findRequirementFiles(paths: readonly string[]): string[] {
  return findFiles(paths, isRequirementFile);
}

/** The projects below the folders among `paths`: the directories holding dependency files, setup.py included. */
export function findProjectDirectories(paths: readonly string[]): string[] {
  return projectDirectories(findFiles(paths, isProjectFileName));
}

function findFiles(paths: readonly string[], wanted: (file: string) => boolean): string[] {
  return paths.filter((p) => fs.statSync(p).isDirectory()).flatMap((p) =>
    globSync('**/*', { cwd: p, ignore: ignoredFolders.map((f) => `**/${f}/**`), dot: false, followSymbolicLinks: false })
      .filter(wanted)
      .sort()
      .map((m) => path.join(p, m)));
}

/** The directories of the dependency files among `files`, once each, in order: the projects they belong to. */
export function projectDirectories(files: readonly string[]): string[] {
  return [...new Set(files.filter(isProjectFileName).map((f) => path.dirname(path.resolve(f))))];
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
