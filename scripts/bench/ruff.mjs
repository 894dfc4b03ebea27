// Ruff's engine compiled to WebAssembly (@astral-sh/ruff-wasm-nodejs), set up the same way for
// the in-process and the whole-process measurements: lint rules E, F and B selected.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const ruffSelect = ['E', 'F', 'B'];

export function ruffWorkspace() {
  const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');
  return new Workspace({ lint: { select: ruffSelect } }, PositionEncoding.Utf16);
}

export function ruffVersion() {
  return require('@astral-sh/ruff-wasm-nodejs').Workspace.version();
}
