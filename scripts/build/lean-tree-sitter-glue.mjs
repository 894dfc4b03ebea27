// An esbuild plugin that makes web-tree-sitter's JavaScript glue read and write wasm memory
// directly. The glue moves every node and cursor in and out of wasm memory word by word through
// Emscripten's generic `setValue`/`getValue` (a switch on a type string, then a DataView call);
// on a little-endian host (every platform Node ships for but s390x) a typed-array access is the
// same write, and the engine's one cursor walk per file takes about half the time. Big-endian
// hosts keep the original calls. Only `"i32"` accesses are rewritten; the result is checked by
// the test suite, which runs the bundled CLI.
import { readFile } from 'node:fs/promises';

/** The text of `source` from `open` (just after a `(`) to its matching `)`, split at top-level commas. */
function callArguments(source, open) {
  const args = [];
  let depth = 0;
  let start = open;
  for (let i = open; i < source.length; i++) {
    const ch = source[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) {
        args.push(source.slice(start, i).trim());
        return { args, end: i + 1 };
      }
      depth--;
    } else if (ch === ',' && depth === 0) {
      args.push(source.slice(start, i).trim());
      start = i + 1;
    }
  }
  return undefined;
}

export function leanGlue(source) {
  let out = '';
  let count = 0;
  let at = 0;
  const pattern = /\bC\.(setValue|getValue)\(/g;
  for (let match; (match = pattern.exec(source)); ) {
    const call = callArguments(source, match.index + match[0].length);
    if (!call) continue;
    const { args, end } = call;
    let replacement;
    if (match[1] === 'setValue' && args.length === 3 && args[2] === '"i32"') {
      replacement = `(littleEndianHost ? (C.HEAP32[(${args[0]}) >> 2] = ${args[1]}) : C.setValue(${args.join(', ')}))`;
    } else if (match[1] === 'getValue' && args.length === 2 && args[1] === '"i32"') {
      replacement = `(littleEndianHost ? C.HEAP32[(${args[0]}) >> 2] : C.getValue(${args.join(', ')}))`;
    }
    if (!replacement) continue;
    out += source.slice(at, match.index) + replacement;
    at = end;
    pattern.lastIndex = end;
    count++;
  }
  out += source.slice(at);
  const prelude = 'var littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;\n';
  return { code: prelude + out, count };
}

export const leanTreeSitterGlue = {
  name: 'lean-tree-sitter-glue',
  setup(build) {
    build.onLoad({ filter: /web-tree-sitter[\\/]web-tree-sitter\.c?js$/ }, async (args) => {
      const { code, count } = leanGlue(await readFile(args.path, 'utf8'));
      // A new web-tree-sitter that no longer uses these helpers should be noticed, not shipped slow.
      if (count < 40) throw new Error(`lean-tree-sitter-glue: only ${count} memory accesses rewritten in ${args.path}`);
      return { contents: code, loader: 'js' };
    });
  },
};
