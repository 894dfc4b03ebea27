import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import { glob } from 'tinyglobby';
import ignore, { type Ignore } from 'ignore';
import { describeSize, maxFileBytes } from '../engine/engine';

/** Folders never searched: version control, dependencies, virtual environments, caches. */
export const ignoredFolders = ['.git', '.hg', 'node_modules', '.venv', 'venv', '.tox', '.nox', '__pycache__', 'site-packages', '.mypy_cache', '.ipynb_checkpoints'];

export type ReadResult = { text: string } | { skipped: string };

/** PEP 263: `# -*- coding: latin-1 -*-` on one of the first two lines. */
const codingPattern = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/**
 * Reads a Python source file as Python would: UTF-8 (a BOM is dropped) unless a PEP 263
 * declaration names another encoding. Too large, binary or undecodable files are skipped with
 * the reason, never guessed at.
 */
export function readPythonFile(file: string, limit = maxFileBytes): ReadResult {
  const stat = fs.statSync(file);
  if (stat.size > limit) return { skipped: `larger than ${describeSize(limit)}` };
  const bytes = fs.readFileSync(file);
  return decodePython(bytes);
}

/** Python spellings of encodings that the WHATWG decoder knows by another label. */
const pythonEncodingAliases: Record<string, string> = {
  'latin-1': 'latin1',
  'iso-latin-1': 'latin1',
  'utf-8-sig': 'utf-8',
  utf8: 'utf-8',
  'cp-1252': 'windows-1252',
};

/** The encoding a Python file's bytes declare (PEP 263), as the WHATWG decoder names it; UTF-8 when none. */
export function declaredEncoding(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 400)).toString('latin1').split(/\r?\n/).slice(0, 2);
  for (const line of head) {
    const match = codingPattern.exec(line);
    if (match) return pythonEncodingAliases[match[1]!.toLowerCase().replace(/_/g, '-')] ?? match[1]!.toLowerCase();
  }
  return 'utf-8';
}

export function decodePython(bytes: Uint8Array): ReadResult {
  if (bytes.includes(0)) return { skipped: 'holds NUL bytes (binary?)' };
  const encoding = declaredEncoding(bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return { skipped: `declares an unknown encoding "${encoding}"` };
  }
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { skipped: encoding === 'utf-8' ? 'not valid UTF-8 and declares no other encoding (PEP 263)' : `not valid ${encoding}` };
  }
}

/**
 * The Python files and Jupyter notebooks named by `paths`: files as given, directories
 * searched recursively for `.py` and `.ipynb` files. Throws when a path does not exist.
 */
export async function findPythonFiles(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new Error(`no such file or directory: ${p}`);
    }
    if (stat.isFile()) {
      found.push(p);
      continue;
    }
    const matches = await glob('**/*.{py,ipynb}', {
      cwd: p,
      ignore: ignoredFolders.map((f) => `**/${f}/**`),
      dot: false,
      followSymbolicLinks: false,
    });
    found.push(...matches.sort().map((m) => path.join(p, m)));
  }
  return found;
}

/**
 * Whether `.gitignore` files leave a file out, as git reads them: each `.gitignore` from the
 * file's folder up to the repository root (a `.git` folder or file) applies to the paths below
 * it, and the nearest one that says anything about the path (ignored, or re-included with `!`)
 * decides. Parsed files are cached per folder.
 */
export class GitignoreFilter {
  private readonly folders = new Map<string, { rules: Ignore | undefined; repositoryRoot: boolean }>();

  ignores(file: string): boolean {
    const absolute = path.resolve(file);
    for (let directory = path.dirname(absolute); ; ) {
      const folder = this.folder(directory);
      if (folder.rules) {
        const verdict = folder.rules.test(path.relative(directory, absolute).split(path.sep).join('/'));
        if (verdict.ignored) return true;
        if (verdict.unignored) return false;
      }
      const parent = path.dirname(directory);
      if (folder.repositoryRoot || parent === directory) return false;
      directory = parent;
    }
  }

  private folder(directory: string): { rules: Ignore | undefined; repositoryRoot: boolean } {
    let folder = this.folders.get(directory);
    if (!folder) {
      let rules: Ignore | undefined;
      try {
        rules = ignore().add(fs.readFileSync(path.join(directory, '.gitignore'), 'utf8'));
      } catch {
        rules = undefined;
      }
      folder = { rules, repositoryRoot: fs.existsSync(path.join(directory, '.git')) };
      this.folders.set(directory, folder);
    }
    return folder;
  }
}
