import type { Point, Tree } from 'web-tree-sitter';

/**
 * A plain-JavaScript copy of a tree-sitter tree, made in one cursor walk.
 *
 * Every property of a web-tree-sitter `Node` is a call into WebAssembly that copies the node
 * in and out of wasm memory; the analysis asks hundreds of thousands of such questions per
 * large file. The copy costs one crossing per node and field, once; after it, navigation,
 * text and "descendants of type" are ordinary JavaScript. It offers the subset of the `Node`
 * API the engine uses, with the same meaning, so rules read it like a tree-sitter node.
 */
export class SyntaxTree {
  /** Every node in preorder: a node's id is its index here, its descendants follow it. */
  readonly nodes: SyntaxNode[] = [];
  readonly root: SyntaxNode;
  private readonly byType = new Map<string, SyntaxNode[]>();
  private lineStarts: number[] | undefined;

  constructor(readonly text: string, tree: Tree) {
    this.root = this.copy(tree);
  }

  /** The nodes of the given types anywhere in the file, in document order. */
  ofType(type: string): readonly SyntaxNode[] {
    return this.byType.get(type) ?? [];
  }

  /** The index where a zero-based row starts, or undefined past the last row. */
  lineStart(row: number): number | undefined {
    return (this.lineStarts ??= lineStartsOf(this.text))[row];
  }

  /** Zero-based row and UTF-16 column of an index, as tree-sitter reports them (rows end at `\n`). */
  position(index: number): Point {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    return { row: low, column: index - starts[low]! };
  }

  private copy(tree: Tree): SyntaxNode {
    const language = tree.language;
    const names = language.types;
    const fields = language.fields;
    const named = new Map<number, boolean>();
    const cursor = tree.walk();
    const open: SyntaxNode[] = [];
    try {
      for (;;) {
        const typeId = cursor.nodeTypeId;
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        const fieldId = cursor.currentFieldId;
        let isNamed = named.get(typeId);
        if (isNamed === undefined) {
          isNamed = typeId === errorTypeId || language.nodeTypeIsNamed(typeId);
          named.set(typeId, isNamed);
        }
        const parent = open.length > 0 ? open[open.length - 1]! : null;
        const type = names[typeId] ?? 'ERROR';
        // Only a zero-width node can be one the parser inserted to recover from an error.
        const isMissing = start === end && cursor.nodeIsMissing;
        const node = new SyntaxNode(this, this.nodes.length, type, start, end, parent, fields[fieldId] ?? null, isNamed, isMissing);
        this.nodes.push(node);
        let list = this.byType.get(type);
        if (!list) this.byType.set(type, (list = []));
        list.push(node);
        if (parent) {
          node.indexInParent = parent.children.length;
          parent.children.push(node);
        }
        if (cursor.gotoFirstChild()) {
          open.push(node);
          continue;
        }
        this.close(node);
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent() || open.length === 0) return this.nodes[0]!;
          this.close(open.pop()!);
        }
      }
    } finally {
      cursor.delete();
    }
  }

  private close(node: SyntaxNode): void {
    node.lastDescendantId = this.nodes.length - 1;
    if (node.type === 'ERROR' || node.isMissing) node.hasError = true;
    if (node.hasError && node.parent) node.parent.hasError = true;
  }
}

/** tree-sitter's symbol for error nodes. */
const errorTypeId = 65535;

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export class SyntaxNode {
  readonly children: SyntaxNode[] = [];
  /** Position among the parent's children. */
  indexInParent = 0;
  /** The id of the last node of this node's subtree (its own id when it has no children). */
  lastDescendantId: number;
  /** This node, or a node below it, is an error or a node the parser inserted. */
  hasError = false;
  private named: SyntaxNode[] | undefined;

  constructor(
    readonly tree: SyntaxTree,
    readonly id: number,
    readonly type: string,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: SyntaxNode | null,
    /** The field of the parent this node fills, if any (`name`, `body`, `function`…). */
    readonly fieldName: string | null,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
  ) {
    this.lastDescendantId = id;
  }

  get text(): string {
    return this.tree.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.tree.position(this.startIndex);
  }

  get endPosition(): Point {
    return this.tree.position(this.endIndex);
  }

  get namedChildren(): SyntaxNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get firstChild(): SyntaxNode | null {
    return this.children[0] ?? null;
  }

  get lastChild(): SyntaxNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  get firstNamedChild(): SyntaxNode | null {
    return this.namedChildren[0] ?? null;
  }

  get nextSibling(): SyntaxNode | null {
    return this.parent?.children[this.indexInParent + 1] ?? null;
  }

  get previousSibling(): SyntaxNode | null {
    return this.indexInParent > 0 ? this.parent!.children[this.indexInParent - 1]! : null;
  }

  childForFieldName(field: string): SyntaxNode | null {
    for (const child of this.children) if (child.fieldName === field) return child;
    return null;
  }

  childrenForFieldName(field: string): SyntaxNode[] {
    return this.children.filter((c) => c.fieldName === field);
  }

  /** This node or a node below it is `other`. */
  contains(other: SyntaxNode): boolean {
    return other.tree === this.tree && other.id >= this.id && other.id <= this.lastDescendantId;
  }

  /**
   * The nodes of the given types in this node's subtree, itself included, in document order;
   * a binary search in the file's per-type lists, not a walk.
   */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    if (typeof types === 'string') return this.inSubtree(this.tree.ofType(types));
    if (types.length === 1) return this.inSubtree(this.tree.ofType(types[0]!));
    return types.flatMap((t) => this.inSubtree(this.tree.ofType(t))).sort((a, b) => a.id - b.id);
  }

  /** The smallest node of this subtree that spans `index`, as tree-sitter's `descendantForIndex`. */
  descendantForIndex(index: number): SyntaxNode {
    let node: SyntaxNode = this;
    for (;;) {
      const child = node.children.find((c) => c.startIndex <= index && (index < c.endIndex || (c.startIndex === c.endIndex && index === c.endIndex)));
      if (!child) return node;
      node = child;
    }
  }

  private inSubtree(list: readonly SyntaxNode[]): SyntaxNode[] {
    const from = firstAtOrAfter(list, this.id);
    const to = firstAtOrAfter(list, this.lastDescendantId + 1);
    return list.slice(from, to);
  }
}

/** Index of the first node in an id-sorted list whose id is at least `id`. */
function firstAtOrAfter(list: readonly SyntaxNode[], id: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (list[mid]!.id < id) low = mid + 1;
    else high = mid;
  }
  return low;
}
