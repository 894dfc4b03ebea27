import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

let packageRoot: string | undefined;

/** The folder of the installed package (or extension), found by walking up from this file. */
export function findPackageRoot(): string {
  if (packageRoot) return packageRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && fs.readFileSync(manifest, 'utf8').includes('"keras-savedmodel-lint"')) break;
    const parent = path.dirname(dir);
    if (parent === dir) {
      dir = path.resolve(__dirname, '..');
      break;
    }
    dir = parent;
  }
  packageRoot = dir;
  return dir;
}

/** The rule's documentation page, shipped inside the package as docs/rules/CODE.md. */
export function ruleDocUrl(code: string): string {
  return pathToFileURL(path.join(findPackageRoot(), 'docs', 'rules', `${code}.md`)).href;
}

/** The package's version, from its package.json ("unknown" if that cannot be read). */
export function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(findPackageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
