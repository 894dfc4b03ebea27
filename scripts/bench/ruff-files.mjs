// Whole-process Ruff: start Node, load Ruff's WebAssembly engine, read the files and check each
// with lint rules E, F and B. Prints {"files":…,"diagnostics":…} as JSON.
//   node scripts/bench/ruff-files.mjs <file-or-dir>...
import * as fs from 'node:fs';
import { pythonFiles } from './files.mjs';
import { ruffWorkspace } from './ruff.mjs';

const workspace = ruffWorkspace();
let files = 0;
let diagnostics = 0;
for (const file of pythonFiles(process.argv.slice(2))) {
  diagnostics += workspace.check(fs.readFileSync(file, 'utf8')).length;
  files++;
}
console.log(JSON.stringify({ files, diagnostics }));
