// Whole-process baseline: start Node, load web-tree-sitter and the Python grammar, read the
// files and parse each (then free the tree). Prints {"files":…,"lines":…,"errors":…} as JSON.
//   node scripts/bench/parse-files.mjs <file-or-dir>...
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { pythonFiles } from './files.mjs';

const require = createRequire(import.meta.url);
const { Parser, Language } = require('web-tree-sitter');

await Parser.init({ locateFile: () => require.resolve('web-tree-sitter/web-tree-sitter.wasm') });
const parser = new Parser();
parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
let files = 0;
let lines = 0;
let errors = 0;
for (const file of pythonFiles(process.argv.slice(2))) {
  const text = fs.readFileSync(file, 'utf8');
  const tree = parser.parse(text);
  if (tree.rootNode.hasError) errors++;
  lines += tree.rootNode.endPosition.row;
  tree.delete();
  files++;
}
console.log(JSON.stringify({ files, lines, errors }));
