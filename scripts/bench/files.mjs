// Python files of a directory (recursive, sorted) or the files named; shared by the bench's
// whole-process scripts so that each reads the same files the same way.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function pythonFiles(paths) {
  const out = [];
  const walk = (p) => {
    if (fs.statSync(p).isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) walk(path.join(p, entry));
    } else if (p.endsWith('.py')) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}
