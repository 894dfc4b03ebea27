import type { SyntaxNode } from './syntax';
import { canonicalKeras, starExports } from './keras-names';
import type { TextEdit } from './types';
import { rangeOf } from './text';

interface FromImport {
  /** The canonical Keras module, e.g. `keras.layers`. */
  module: string;
  /** The last imported name node, after which more names can be appended. */
  lastName: SyntaxNode;
}

/**
 * Maps every name bound by the file's imports to its fully qualified name, so that Keras is
 * recognised however it is spelled and never by spelling alone.
 */
export class ImportTable {
  private readonly bound = new Map<string, string>();
  private readonly starModules: string[] = [];
  private readonly shadowed = new Set<string>();
  private readonly kerasFromImports: FromImport[] = [];
  /** `qualify`'s answers, by node. */
  private readonly qualified = new Map<SyntaxNode, string | undefined>();

  constructor(root: SyntaxNode) {
    for (const node of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
      if (!node) continue;
      if (node.type === 'import_statement') this.addImport(node);
      else this.addFromImport(node);
    }
    // A class or function the file defines itself hides an imported name of the same spelling.
    for (const child of root.namedChildren) {
      const def = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
      if (def && (def.type === 'class_definition' || def.type === 'function_definition')) {
        const name = def.childForFieldName('name')?.text;
        if (name) this.shadowed.add(name);
      }
    }
  }

  private addImport(node: SyntaxNode): void {
    for (const name of node.childrenForFieldName('name')) {
      if (!name) continue;
      if (name.type === 'aliased_import') {
        const module = name.childForFieldName('name')?.text;
        const alias = name.childForFieldName('alias')?.text;
        if (module && alias) this.bound.set(alias, module);
      } else {
        // `import a.b.c` binds `a`.
        const first = name.text.split('.')[0];
        if (first) this.bound.set(first, first);
      }
    }
  }

  private addFromImport(node: SyntaxNode): void {
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    // A relative module keeps its dots (`.layers`, `..`): its names are the workspace's, never Keras.
    const relative = moduleNode.type === 'relative_import';
    const module = moduleNode.text;
    const canonicalModule = relative ? undefined : canonicalKeras(module);
    if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
      if (canonicalModule) this.starModules.push(canonicalModule);
      return;
    }
    const member = (name: string) => (module.endsWith('.') ? `${module}${name}` : `${module}.${name}`);
    const names = node.childrenForFieldName('name').filter((n): n is SyntaxNode => n !== null);
    for (const name of names) {
      if (name.type === 'aliased_import') {
        const imported = name.childForFieldName('name')?.text;
        const alias = name.childForFieldName('alias')?.text;
        if (imported && alias) this.bound.set(alias, member(imported));
      } else {
        this.bound.set(name.text, member(name.text));
      }
    }
    const lastName = names[names.length - 1];
    if (canonicalModule && lastName) this.kerasFromImports.push({ module: canonicalModule, lastName });
  }

  /** The qualified name an identifier or attribute chain refers to, if it comes from an import. */
  qualify(node: SyntaxNode | null | undefined): string | undefined {
    if (!node) return undefined;
    // Rules ask about the same callees again and again: each node is resolved once.
    const known = this.qualified.get(node);
    if (known !== undefined || this.qualified.has(node)) return known;
    const found = this.resolve(node);
    this.qualified.set(node, found);
    return found;
  }

  private resolve(node: SyntaxNode): string | undefined {
    if (node.type === 'identifier') {
      const name = node.text;
      if (this.shadowed.has(name)) return undefined;
      const bound = this.bound.get(name);
      if (bound) return bound;
      for (const module of this.starModules) {
        if (starExports[module]?.has(name)) return `${module}.${name}`;
      }
      return undefined;
    }
    if (node.type === 'attribute') {
      const base = this.qualify(node.childForFieldName('object'));
      const attr = node.childForFieldName('attribute')?.text;
      return base && attr ? `${base}.${attr}` : undefined;
    }
    return undefined;
  }

  /** The canonical Keras name (`keras.layers.LSTM`) of a reference, or undefined if not Keras. */
  keras(node: SyntaxNode | null | undefined): string | undefined {
    const qualified = this.qualify(node);
    return qualified === undefined ? undefined : canonicalKeras(qualified);
  }

  /** True when the file imports Keras or TensorFlow at all. */
  get usesKeras(): boolean {
    if (this.starModules.length > 0) return true;
    for (const q of this.bound.values()) {
      if (canonicalKeras(q) || q === 'tensorflow' || q.startsWith('tensorflow.')) return true;
    }
    return false;
  }

  /** The shortest local name an import binds to exactly this qualified name (`tensorflow` → `tf`). */
  localName(qualified: string): string | undefined {
    let best: string | undefined;
    for (const [local, bound] of this.bound) {
      if (bound === qualified && !this.shadowed.has(local) && (!best || local.length < best.length)) best = local;
    }
    return best;
  }

  /** Every local name the imports bind, with its qualified name (relative ones keep their dots: `.layers.X`). */
  bindings(): ReadonlyMap<string, string> {
    return this.bound;
  }

  /** True when some import in the file names this qualified module or one of its members. */
  importsFrom(prefix: string): boolean {
    for (const q of this.bound.values()) if (q === prefix || q.startsWith(prefix + '.')) return true;
    return false;
  }

  /**
   * How this file can write a canonical Keras name, such as `keras.Input` → `tf.keras.Input`,
   * `keras.Input`, `layers.Input` or `Input`. When no imported name reaches it, the name is
   * appended to an existing `from <keras module> import ...` (returned as an extra edit).
   * Undefined when neither works.
   */
  spell(canonical: string, alternatives: string[] = []): { text: string; edits: TextEdit[] } | undefined {
    const targets = [canonical, ...alternatives];
    let best: string | undefined;
    for (const [local, qualified] of this.bound) {
      if (this.shadowed.has(local)) continue;
      for (const target of targets) {
        let spelled: string | undefined;
        const root = canonicalKeras(qualified);
        if (root && (target === root || target.startsWith(root + '.'))) spelled = local + target.slice(root.length);
        else if (qualified === 'tensorflow') spelled = `${local}.${target}`;
        if (spelled && (!best || spelled.length < best.length)) best = spelled;
      }
    }
    if (best) return { text: best, edits: [] };
    for (const target of targets) {
      const dot = target.lastIndexOf('.');
      const module = target.slice(0, dot);
      const symbol = target.slice(dot + 1);
      const from = this.kerasFromImports.find((f) => f.module === module);
      if (from) {
        return {
          text: symbol,
          edits: [{ range: rangeOf(from.lastName.endPosition), newText: `, ${symbol}` }],
        };
      }
    }
    return undefined;
  }
}
