import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { SyntaxTree } from './syntax';

let pythonParser: Parser | undefined;

/** The wasm files sit beside the bundle when shipped, and in node_modules during development. */
function locate(file: string, packageSubpath: string): string {
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  return require.resolve(packageSubpath);
}

/** Loads the tree-sitter runtime and the Python grammar once; later calls return at once. */
export async function initParser(): Promise<void> {
  if (pythonParser) return;
  await Parser.init({
    locateFile: () => locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm'),
  });
  const language = await Language.load(
    locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'),
  );
  const parser = new Parser();
  parser.setLanguage(language);
  pythonParser = parser;
}

/**
 * Parses Python source. With `oldTree` (already edited with `tree.edit`), tree-sitter reuses
 * the unchanged parts. The caller owns the returned tree and must `delete()` it.
 */
export function parsePython(text: string, oldTree?: Tree): Tree {
  if (!pythonParser) throw new Error('initParser() must finish before parsing');
  const tree = pythonParser.parse(text, oldTree ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Parses Python source into the engine's own copy of the tree; nothing is left to free. */
export function parseSyntax(text: string): SyntaxTree {
  const tree = parsePython(text);
  try {
    return new SyntaxTree(text, tree);
  } finally {
    tree.delete();
  }
}
