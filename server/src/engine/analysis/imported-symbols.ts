import type { SyntaxNode } from './syntax';
import type { ImportTable } from './imports';
import { canonicalKeras } from './keras-names';
import type { ModuleClass, ModuleFunction, ModuleResolver, ModuleSummary } from './types';

/**
 * Names a file imports from other modules of its workspace (`from .layers import Scale`,
 * `from pkg.model import build`, `import pkg.layers as L`), resolved to what those modules
 * define, through the resolver the adapter gives. Resolution is lazy: a module is looked up
 * only when a name from it is used where a class or a model could be, and once per name.
 */

export type ImportedSymbol =
  | { kind: 'class'; cls: ModuleClass; module: ModuleSummary }
  | { kind: 'function'; fn: ModuleFunction; module: ModuleSummary };

/** How many re-exports (`from .layers import X` in a package's `__init__.py`) are followed. */
const maxReexports = 1;

/** `..pkg.layers.X` → level 2, module `pkg.layers`, symbol `X`. */
export function splitQualified(qualified: string): { level: number; module: string; symbol: string } | undefined {
  const level = qualified.length - qualified.replace(/^\.+/, '').length;
  const parts = qualified.slice(level).split('.');
  const symbol = parts.pop();
  if (!symbol) return undefined;
  return { level, module: parts.join('.'), symbol };
}

function isLibrary(qualified: string): boolean {
  return canonicalKeras(qualified) !== undefined || qualified === 'tensorflow' || qualified.startsWith('tensorflow.');
}

export class ImportedSymbols {
  private readonly cache = new Map<string, ImportedSymbol | undefined>();

  constructor(private readonly imports: ImportTable, private readonly resolver: ModuleResolver | undefined) {}

  /** What a reference (`Scale`, `L.Scale`, `build_model`) names in another module of the workspace. */
  lookup(node: SyntaxNode | null | undefined): ImportedSymbol | undefined {
    if (!this.resolver || !node) return undefined;
    const qualified = this.imports.qualify(node);
    if (qualified === undefined || isLibrary(qualified)) return undefined;
    if (this.cache.has(qualified)) return this.cache.get(qualified);
    const found = this.find(qualified, undefined, 0);
    this.cache.set(qualified, found);
    return found;
  }

  /** The class a reference names, when it is a Keras class of another module. */
  lookupClass(node: SyntaxNode | null | undefined): (ImportedSymbol & { kind: 'class' }) | undefined {
    const found = this.lookup(node);
    return found?.kind === 'class' ? found : undefined;
  }

  private find(qualified: string, from: ModuleSummary | undefined, depth: number): ImportedSymbol | undefined {
    const parts = splitQualified(qualified);
    if (!parts || (parts.level === 0 && parts.module === '')) return undefined;
    let module: ModuleSummary | undefined;
    try {
      module = this.resolver!(parts.module, parts.level, from);
    } catch {
      // A resolver that fails (a file that vanished) makes the name unknown, as without one.
      return undefined;
    }
    if (!module) return undefined;
    const cls = module.classes.find((c) => c.name === parts.symbol);
    if (cls) return { kind: 'class', cls, module };
    const fn = module.functions.find((f) => f.name === parts.symbol);
    if (fn) return { kind: 'function', fn, module };
    const reexported = module.imports[parts.symbol];
    return reexported !== undefined && depth < maxReexports && !isLibrary(reexported)
      ? this.find(reexported, module, depth + 1)
      : undefined;
  }
}
