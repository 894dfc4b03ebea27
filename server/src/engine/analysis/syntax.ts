import type { Point, Tree } from 'web-tree-sitter';
import { complete, itemsPerStep, type Steps } from './steps';

/**
 * A plain-JavaScript copy of a tree-sitter tree, made in one cursor walk.
 *
 * Every property of a web-tree-sitter `Node` is a call into WebAssembly that copies the node
 * in and out of wasm memory; the analysis asks hundreds of thousands of such questions per
 * large file. The copy costs a few crossings per node, once; after it, navigation, text and
 * "descendants of type" are ordinary JavaScript. Nodes are kept in typed arrays indexed by
 * their preorder id (a node's descendants are the ids that follow it, up to its last
 * descendant), and a `SyntaxNode` object is made only for a node that a question reaches, so
 * a large file does not cost the garbage collector one object per node. `SyntaxNode` offers
 * the subset of the `Node` API the engine uses, with the same meaning.
 */
export class SyntaxTree {
  /** Number of nodes. */
  size = 0;
  private readonly typeIds: Uint16Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly parents: Int32Array;
  private readonly fieldIds: Uint16Array;
  private readonly firstChildren: Int32Array;
  private readonly nextSiblings: Int32Array;
  private readonly lastDescendants: Int32Array;
  private readonly flags: Uint8Array;
  private readonly typeNames: string[];
  private readonly fieldNames: Array<string | null>;
  /** Ids of the nodes of each type, in preorder. */
  private readonly idsByType = new Map<string, number[]>();
  private readonly nodesByType = new Map<string, SyntaxNode[]>();
  private objects: Array<SyntaxNode | undefined> = [];
  private lineStarts: number[] | undefined;

  constructor(readonly text: string, tree: Tree, copyNow = true) {
    const language = tree.language;
    this.typeNames = language.types.map((t) => t ?? 'ERROR');
    this.fieldNames = language.fields;
    // tree-sitter counts the visible nodes in one call: exactly the nodes the walk copies.
    const capacity = tree.rootNode.descendantCount + 1;
    this.typeIds = new Uint16Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.parents = new Int32Array(capacity);
    this.fieldIds = new Uint16Array(capacity);
    this.firstChildren = new Int32Array(capacity);
    this.nextSiblings = new Int32Array(capacity);
    this.lastDescendants = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    if (copyNow) complete(this.copy(tree));
  }

  /**
   * The copy of a tree, made in steps (see steps.ts). The tree must not change until the steps
   * end: a caller that edits it stops them first.
   */
  static *copied(text: string, tree: Tree): Steps<SyntaxTree> {
    const copy = new SyntaxTree(text, tree, false);
    yield* copy.copy(tree);
    return copy;
  }

  get root(): SyntaxNode {
    return this.node(0);
  }

  /** The node of an id (made on first use, then the same object). */
  node(id: number): SyntaxNode {
    return (this.objects[id] ??= new SyntaxNode(this, id));
  }

  /** The nodes of the given type anywhere in the file, in document order. */
  ofType(type: string): readonly SyntaxNode[] {
    let nodes = this.nodesByType.get(type);
    if (!nodes) this.nodesByType.set(type, (nodes = (this.idsByType.get(type) ?? []).map((id) => this.node(id))));
    return nodes;
  }

  /** The nodes of a type from `from` to `to` (ids, inclusive), in document order: a binary search, not a walk. */
  ofTypeBetween(type: string, from: number, to: number): SyntaxNode[] {
    const ids = this.idsByType.get(type);
    if (!ids) return [];
    const out: SyntaxNode[] = [];
    for (let i = firstAtOrAfter(ids, from); i < ids.length && ids[i]! <= to; i++) out.push(this.node(ids[i]!));
    return out;
  }

  /**
   * The named nodes below `body`, in document order, of the given types (all when undefined),
   * without entering (or including) nodes of the `skip` types: a scope's own code.
   */
  nodesBelow(body: SyntaxNode, types: ReadonlySet<string> | undefined, skip: ReadonlySet<string>): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const last = this.lastDescendants[body.id]!;
    for (let id = body.id + 1; id <= last; id++) {
      const type = this.typeOf(id);
      if (skip.has(type)) {
        id = this.lastDescendants[id]!;
        continue;
      }
      if (this.flags[id]! & namedFlag && (!types || types.has(type))) out.push(this.node(id));
    }
    return out;
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

  // Node data, by id, for SyntaxNode.
  typeOf(id: number): string {
    return this.typeNames[this.typeIds[id]!] ?? 'ERROR';
  }
  startOf(id: number): number {
    return this.starts[id]!;
  }
  endOf(id: number): number {
    return this.ends[id]!;
  }
  parentOf(id: number): number {
    return this.parents[id]!;
  }
  fieldOf(id: number): string | null {
    return this.fieldNames[this.fieldIds[id]!] ?? null;
  }
  firstChildOf(id: number): number {
    return this.firstChildren[id]!;
  }
  nextSiblingOf(id: number): number {
    return this.nextSiblings[id]!;
  }
  lastDescendantOf(id: number): number {
    return this.lastDescendants[id]!;
  }
  hasFlag(id: number, flag: number): boolean {
    return (this.flags[id]! & flag) !== 0;
  }

  /** One cursor walk, pausing every `itemsPerStep` nodes; sets `size`. */
  private *copy(tree: Tree): Steps<void> {
    const language = tree.language;
    // Per type id: whether it is named, and its id list (a Map lookup per node costs more).
    const named: Array<boolean | undefined> = [];
    const idLists: Array<number[] | undefined> = [];
    const cursor = tree.walk();
    // The open ancestors of the cursor, and the last child seen under each.
    const open: number[] = [];
    const lastChild: number[] = [];
    let count = 0;
    try {
      for (;;) {
        if (count === this.typeIds.length) throw new Error('the tree holds more nodes than tree-sitter counted');
        if (count % itemsPerStep === itemsPerStep - 1) yield;
        const id = count++;
        const typeId = cursor.nodeTypeId;
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        let isNamed = named[typeId];
        if (isNamed === undefined) named[typeId] = isNamed = typeId === errorTypeId || language.nodeTypeIsNamed(typeId);
        this.typeIds[id] = typeId;
        this.starts[id] = start;
        this.ends[id] = end;
        this.fieldIds[id] = cursor.currentFieldId;
        this.firstChildren[id] = -1;
        this.nextSiblings[id] = -1;
        // Only a zero-width node can be one the parser inserted to recover from an error.
        const isMissing = start === end && cursor.nodeIsMissing;
        this.flags[id] = (isNamed ? namedFlag : 0) | (isMissing ? missingFlag | errorFlag : 0) | (typeId === errorTypeId ? errorFlag : 0);
        const depth = open.length;
        if (depth > 0) {
          const parent = open[depth - 1]!;
          this.parents[id] = parent;
          const previous = lastChild[depth - 1]!;
          if (previous < 0) this.firstChildren[parent] = id;
          else this.nextSiblings[previous] = id;
          lastChild[depth - 1] = id;
        } else {
          this.parents[id] = -1;
        }
        let ids = idLists[typeId];
        if (!ids) {
          const type = this.typeNames[typeId] ?? 'ERROR';
          ids = this.idsByType.get(type);
          if (!ids) this.idsByType.set(type, (ids = []));
          idLists[typeId] = ids;
        }
        ids.push(id);
        if (cursor.gotoFirstChild()) {
          open.push(id);
          lastChild.push(-1);
          continue;
        }
        this.close(id, count);
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent() || open.length === 0) {
            this.size = count;
            this.objects = new Array<SyntaxNode | undefined>(count);
            return;
          }
          lastChild.pop();
          this.close(open.pop()!, count);
        }
      }
    } finally {
      cursor.delete();
    }
  }

  private close(id: number, count: number): void {
    this.lastDescendants[id] = count - 1;
    const parent = this.parents[id]!;
    if (this.flags[id]! & errorFlag && parent >= 0) this.flags[parent]! |= errorFlag;
  }

}

/** tree-sitter's symbol for error nodes. */
const errorTypeId = 65535;
const namedFlag = 1;
const missingFlag = 2;
/** The node, or a node below it, is an error or a node the parser inserted. */
const errorFlag = 4;

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** A node of a `SyntaxTree`: a handle on its data there. */
export class SyntaxNode {
  private childList: SyntaxNode[] | undefined;
  private namedList: SyntaxNode[] | undefined;

  constructor(readonly tree: SyntaxTree, readonly id: number) {}

  get type(): string {
    return this.tree.typeOf(this.id);
  }

  get startIndex(): number {
    return this.tree.startOf(this.id);
  }

  get endIndex(): number {
    return this.tree.endOf(this.id);
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

  get parent(): SyntaxNode | null {
    const parent = this.tree.parentOf(this.id);
    return parent < 0 ? null : this.tree.node(parent);
  }

  /** The field of the parent this node fills, if any (`name`, `body`, `function`…). */
  get fieldName(): string | null {
    return this.tree.fieldOf(this.id);
  }

  get isNamed(): boolean {
    return this.tree.hasFlag(this.id, namedFlag);
  }

  get isMissing(): boolean {
    return this.tree.hasFlag(this.id, missingFlag);
  }

  /** This node, or a node below it, is an error or a node the parser inserted. */
  get hasError(): boolean {
    return this.tree.hasFlag(this.id, errorFlag);
  }

  /** The id of the last node of this node's subtree (its own id when it has no children). */
  get lastDescendantId(): number {
    return this.tree.lastDescendantOf(this.id);
  }

  get children(): SyntaxNode[] {
    if (!this.childList) {
      this.childList = [];
      for (let id = this.tree.firstChildOf(this.id); id >= 0; id = this.tree.nextSiblingOf(id)) this.childList.push(this.tree.node(id));
    }
    return this.childList;
  }

  get namedChildren(): SyntaxNode[] {
    return (this.namedList ??= this.children.filter((c) => c.isNamed));
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get firstChild(): SyntaxNode | null {
    const id = this.tree.firstChildOf(this.id);
    return id < 0 ? null : this.tree.node(id);
  }

  get lastChild(): SyntaxNode | null {
    const children = this.children;
    return children[children.length - 1] ?? null;
  }

  get firstNamedChild(): SyntaxNode | null {
    for (let id = this.tree.firstChildOf(this.id); id >= 0; id = this.tree.nextSiblingOf(id)) {
      if (this.tree.hasFlag(id, namedFlag)) return this.tree.node(id);
    }
    return null;
  }

  get nextSibling(): SyntaxNode | null {
    const id = this.tree.nextSiblingOf(this.id);
    return id < 0 ? null : this.tree.node(id);
  }

  get previousSibling(): SyntaxNode | null {
    const siblings = this.parent?.children ?? [];
    const index = siblings.indexOf(this);
    return index > 0 ? siblings[index - 1]! : null;
  }

  childForFieldName(field: string): SyntaxNode | null {
    for (let id = this.tree.firstChildOf(this.id); id >= 0; id = this.tree.nextSiblingOf(id)) {
      if (this.tree.fieldOf(id) === field) return this.tree.node(id);
    }
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
    const last = this.lastDescendantId;
    if (typeof types === 'string') return this.tree.ofTypeBetween(types, this.id, last);
    if (types.length === 1) return this.tree.ofTypeBetween(types[0]!, this.id, last);
    return types.flatMap((t) => this.tree.ofTypeBetween(t, this.id, last)).sort((a, b) => a.id - b.id);
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
}

/** Index of the first id in an ascending list that is at least `id`. */
function firstAtOrAfter(ids: readonly number[], id: number): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ids[mid]! < id) low = mid + 1;
    else high = mid;
  }
  return low;
}
