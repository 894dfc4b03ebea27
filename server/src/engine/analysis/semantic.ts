import type { SyntaxNode, SyntaxTree } from './syntax';
import type { ImportTable } from './imports';
import { kerasSymbolOf } from './keras-names';
import type { ModelEvent, ModelFact } from './facts';

/**
 * The semantic model of one file: its scopes, classes, functions, calls and the bindings of
 * its names, each with one lookup and one policy. Built from the per-type node lists of the
 * tree's copy, without walking the tree again; model facts and rules ask it rather than
 * reading raw syntax for these questions.
 *
 * Policies, stated once:
 * - Scopes are the module and each function; a class body is not a scope of its own (its
 *   methods have an owner), nor is a lambda or a comprehension.
 * - A name called as `f(...)` reaches the function `f` defined in the calling scope, else in the
 *   nearest enclosing function that defines one, else at module level (Python's LEGB, without
 *   built-ins); within one scope the first definition wins.
 * - `self.m(...)` inside a method reaches `m` of the method's class, else of its in-file bases
 *   in the order Python's method resolution would try them.
 * - A name read in a scope is bound by that scope's last binding before the read; a name that
 *   a function neither binds nor takes as a parameter is read from the module (see `lookup`).
 */

export interface Binding {
  value: SyntaxNode;
  offset: number;
}

export interface Scope {
  node: SyntaxNode;
  function: FunctionInfo | undefined;
  models: ModelFact[];
  /** Every plain name assigned in the scope, with its values in order of offset. */
  bindings: Map<string, Binding[]>;
}

export interface FunctionInfo {
  name: string;
  node: SyntaxNode;
  params: string[];
  scope: Scope;
  /** The class whose method this is. */
  owner: ClassInfo | undefined;
  isGenerator: boolean;
  returns: ModelFact | undefined;
  /** What the function does to each parameter, in order. */
  paramEvents: Map<string, ModelEvent[]>;
}

export interface ClassInfo {
  name: string;
  node: SyntaxNode;
  nameNode: SyntaxNode;
  /** Base classes of the same file. */
  fileBases: ClassInfo[];
  /** Symbols of the Keras classes it derives from, directly or through file bases. */
  kerasBases: Set<string>;
  methods: Map<string, SyntaxNode>;
}

/** Where a name read in a scope gets its value, by `SemanticModel.lookup`. */
export type NameLookup =
  | { kind: 'local'; binding: Binding; scope: Scope }
  | { kind: 'parameter'; scope: Scope }
  /** A function reads a name it does not bind: every binding of it at module level. */
  | { kind: 'module'; bindings: readonly Binding[]; scope: Scope }
  | { kind: 'unbound' };

export class SemanticModel {
  readonly classes = new Map<string, ClassInfo>();
  readonly functions: FunctionInfo[] = [];
  readonly scopes: Scope[] = [];
  readonly moduleScope: Scope;
  private readonly scopeByNode = new Map<SyntaxNode, Scope>();
  private readonly functionByNode = new Map<SyntaxNode, FunctionInfo>();
  /** Per scope node: its functions (not methods) by name, the first definition winning. */
  private readonly definedIn = new Map<SyntaxNode, Map<string, FunctionInfo>>();
  private readonly callsByScope = new Map<Scope, SyntaxNode[]>();
  private readonly instantiationsByClass = new Map<string, SyntaxNode[]>();

  constructor(readonly tree: SyntaxTree, private readonly imports: ImportTable) {
    this.moduleScope = this.newScope(tree.root, undefined);
    this.collectClasses();
    this.collectFunctions();
    for (const scope of this.scopes) this.collectBindings(scope);
    for (const call of tree.ofType('call')) {
      pushTo(this.callsByScope, this.scopeAt(call), call);
      const fn = call.childForFieldName('function');
      if (fn?.type === 'identifier' && this.classes.has(fn.text)) pushTo(this.instantiationsByClass, fn.text, call);
    }
  }

  /** The scope (module or function) whose code holds a node. */
  scopeAt(node: SyntaxNode): Scope {
    return this.scopeByNode.get(scopeNodeOf(node)) ?? this.moduleScope;
  }

  /** The function a `def` defines. */
  functionOf(def: SyntaxNode): FunctionInfo | undefined {
    return this.functionByNode.get(def);
  }

  /** The calls whose code is the scope's own (not in a nested function), in document order. */
  callsIn(scope: Scope): readonly SyntaxNode[] {
    return this.callsByScope.get(scope) ?? [];
  }

  /** The calls `Cls(...)` of one of the file's classes, by name. */
  instantiations(className: string): readonly SyntaxNode[] {
    return this.instantiationsByClass.get(className) ?? [];
  }

  /** The function a call of `name` from `scope` reaches (see the policy above). */
  localFunction(name: string, from: Scope): FunctionInfo | undefined {
    let node = from.node;
    for (;;) {
      const found = this.definedIn.get(node)?.get(name);
      if (found) return found;
      if (node.type === 'module') return undefined;
      node = scopeNodeOf(node);
    }
  }

  /** The function or method of the file that a call's function reaches from `scope`: `f(...)`, or `self.m(...)` in a method. */
  calledFunction(fnNode: SyntaxNode | null | undefined, scope: Scope): FunctionInfo | undefined {
    if (fnNode?.type === 'identifier') return this.localFunction(fnNode.text, scope);
    if (fnNode?.type !== 'attribute' || fnNode.childForFieldName('object')?.text !== 'self') return undefined;
    const owner = scope.function?.owner;
    const method = owner && methodOf(owner, fnNode.childForFieldName('attribute')?.text ?? '');
    return method ? this.functionOf(method) : undefined;
  }

  /**
   * Where a name read at `offset` in `scope` gets its value: the scope's last binding before
   * it; a parameter; or, inside a function that neither binds it nor takes it, the module's.
   */
  lookup(scope: Scope, name: string, offset: number): NameLookup {
    const local = lastBinding(scope, name, offset);
    if (local) return { kind: 'local', binding: local, scope };
    if (scope.function?.params.includes(name)) return { kind: 'parameter', scope };
    if (!scope.function || scope.bindings.has(name)) return { kind: 'unbound' };
    const bindings = this.moduleScope.bindings.get(name);
    return bindings ? { kind: 'module', bindings, scope: this.moduleScope } : { kind: 'unbound' };
  }

  private newScope(node: SyntaxNode, fn: FunctionInfo | undefined): Scope {
    const scope: Scope = { node, function: fn, models: [], bindings: new Map() };
    this.scopes.push(scope);
    this.scopeByNode.set(node, scope);
    return scope;
  }

  /**
   * The plain names the scope's own assignments bind, in order of offset (the end of the
   * assignment): `x = v` binds `x` to `v`; `a, b = 1, 2` binds each name to its own value; other
   * tuple targets, loop and `with` targets bind no known value.
   */
  private collectBindings(scope: Scope): void {
    const body = scope.node.type === 'module' ? scope.node : scope.node.childForFieldName('body');
    if (!body) return;
    const bind = (name: string, value: SyntaxNode, offset: number): void => {
      const list = scope.bindings.get(name);
      if (list) list.push({ value, offset });
      else scope.bindings.set(name, [{ value, offset }]);
    };
    // Stable: `a = b = 1` ends both assignments at one offset, the outer one first.
    const assignments = this.tree.nodesBelow(body, assignmentTypes, nestedScopeTypes).sort((a, b) => a.endIndex - b.endIndex);
    for (const assignment of assignments) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (!left || !right) continue;
      const targets = flattenTargets(left);
      const value = unparen(right);
      const offset = assignment.endIndex;
      if (targets.length === 1) {
        if (targets[0]!.type === 'identifier') bind(targets[0]!.text, value, offset);
        continue;
      }
      const values = value.type === 'expression_list' || value.type === 'tuple' ? value.namedChildren.filter((c) => c.type !== 'comment') : [];
      if (values.length !== targets.length) continue;
      targets.forEach((target, i) => {
        if (target.type === 'identifier') bind(target.text, unparen(values[i]!), offset);
      });
    }
  }

  private collectClasses(): void {
    for (const def of this.tree.ofType('class_definition')) {
      const nameNode = def.childForFieldName('name');
      if (!nameNode) continue;
      const methods = new Map<string, SyntaxNode>();
      for (const stmt of def.childForFieldName('body')?.namedChildren ?? []) {
        const fn = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
        if (fn?.type === 'function_definition') {
          const name = fn.childForFieldName('name')?.text;
          if (name) methods.set(name, fn);
        }
      }
      this.classes.set(nameNode.text, {
        name: nameNode.text, node: def, nameNode, fileBases: [], kerasBases: new Set(), methods,
      });
    }
    for (const cls of this.classes.values()) {
      const bases = cls.node.childForFieldName('superclasses');
      for (const base of bases?.namedChildren ?? []) {
        if (base.type === 'keyword_argument') continue;
        const keras = this.imports.keras(base);
        if (keras) cls.kerasBases.add(kerasSymbolOf(keras));
        else if (base.type === 'identifier' && this.classes.has(base.text) && base.text !== cls.name) {
          cls.fileBases.push(this.classes.get(base.text)!);
        }
      }
    }
    // Inherit Keras bases through file bases (guarding against cycles in broken code).
    const resolve = (cls: ClassInfo, seen: Set<ClassInfo>): Set<string> => {
      if (seen.has(cls)) return cls.kerasBases;
      seen.add(cls);
      for (const base of cls.fileBases) for (const k of resolve(base, seen)) cls.kerasBases.add(k);
      return cls.kerasBases;
    };
    for (const cls of this.classes.values()) resolve(cls, new Set());
  }

  private collectFunctions(): void {
    for (const def of this.tree.ofType('function_definition')) {
      const name = def.childForFieldName('name')?.text;
      if (!name) continue;
      const params: string[] = [];
      for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
        const id = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
        if (id?.type === 'identifier') params.push(id.text);
      }
      const classNode = enclosingClass(def);
      const owner = classNode ? this.classes.get(classNode.childForFieldName('name')?.text ?? '') : undefined;
      const info: FunctionInfo = {
        name, node: def, params, owner, isGenerator: false, returns: undefined, paramEvents: new Map(),
        scope: undefined as unknown as Scope,
      };
      info.scope = this.newScope(def, info);
      this.functions.push(info);
      this.functionByNode.set(def, info);
      // Methods are reached through `self.name`, not by their bare name.
      if (owner) continue;
      const enclosing = scopeNodeOf(def);
      let byName = this.definedIn.get(enclosing);
      if (!byName) this.definedIn.set(enclosing, (byName = new Map()));
      if (!byName.has(name)) byName.set(name, info);
    }
  }
}

/** Nodes that open a scope of their own, or a body that is not the enclosing scope's code. */
export const nestedScopeTypes: ReadonlySet<string> = new Set(['function_definition', 'class_definition', 'lambda']);
const assignmentTypes: ReadonlySet<string> = new Set(['assignment']);

/** Unwraps `(x)` to `x`. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1 && n.firstNamedChild) n = n.firstNamedChild;
  return n;
}

/** The names an assignment target binds: `a`, or each of `a, (b, c)`. */
export function flattenTargets(left: SyntaxNode): SyntaxNode[] {
  const node = unparen(left);
  if (node.type === 'pattern_list' || node.type === 'tuple_pattern' || node.type === 'list_pattern' || node.type === 'tuple' || node.type === 'list') {
    return node.namedChildren.flatMap(flattenTargets);
  }
  return [node];
}

/** The class whose body directly defines a method (possibly decorated), if any. */
function enclosingClass(def: SyntaxNode): SyntaxNode | undefined {
  let parent = def.parent;
  if (parent?.type === 'decorated_definition') parent = parent.parent;
  const cls = parent?.parent;
  return parent?.type === 'block' && cls?.type === 'class_definition' ? cls : undefined;
}

/** The function or module whose code holds a node (the node itself when it is the module). */
function scopeNodeOf(node: SyntaxNode): SyntaxNode {
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== 'function_definition' && n.type !== 'module') n = n.parent;
  return n ?? node;
}

/** A method of a class of the file, looked up through its in-file bases, depth first. */
export function methodOf(cls: ClassInfo, name: string): SyntaxNode | undefined {
  for (const c of ancestry(cls)) {
    const method = c.methods.get(name);
    if (method) return method;
  }
  return undefined;
}

/** The class followed by its in-file bases, nearest first, each once. */
export function ancestry(cls: ClassInfo): ClassInfo[] {
  const out: ClassInfo[] = [];
  const visit = (c: ClassInfo): void => {
    if (out.includes(c)) return;
    out.push(c);
    for (const base of c.fileBases) visit(base);
  };
  visit(cls);
  return out;
}

/**
 * The nodes of a type inside a node, the node itself included, in document order: read from
 * the file's per-type index with a binary search, not by walking the subtree.
 */
export function nodesWithin(node: SyntaxNode, type: string): readonly SyntaxNode[] {
  return node.descendantsOfType(type);
}

/** The node is, or holds, an identifier `name`. */
export function mentionsName(node: SyntaxNode, name: string): boolean {
  return nodesWithin(node, 'identifier').some((id) => id.text === name);
}

/** The last value bound to `name` in `scope` at or before `offset` (bindings are kept in offset order). */
export function lastBinding(scope: Scope, name: string, offset: number): Binding | undefined {
  const list = scope.bindings.get(name);
  if (!list) return undefined;
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (list[mid]!.offset <= offset) low = mid + 1;
    else high = mid;
  }
  return low > 0 ? list[low - 1] : undefined;
}

function pushTo<K>(map: Map<K, SyntaxNode[]>, key: K, node: SyntaxNode): void {
  const list = map.get(key);
  if (list) list.push(node);
  else map.set(key, [node]);
}

/**
 * Whether a node is inside the body of a `try` one of whose handlers catches an error named by
 * `errors` (or everything: a bare `except`, `Exception`, `BaseException`): the file has planned
 * for that failure. With `withinFunction`, a `try` outside the node's function does not count.
 */
export function insideTryCatching(node: SyntaxNode, errors: readonly string[], withinFunction = false): boolean {
  const caught = new RegExp(`\\b(${[...errors, 'Exception', 'BaseException'].join('|')})\\b`);
  for (let child: SyntaxNode = node, p = child.parent; p && !(withinFunction && p.type === 'function_definition'); child = p, p = p.parent) {
    if (p.type !== 'try_statement' || child.fieldName !== 'body') continue;
    for (const clause of p.namedChildren) {
      if (clause.type !== 'except_clause') continue;
      const header = clause.text.slice(0, clause.text.indexOf(':'));
      if (/^except\s*$/.test(header) || caught.test(header)) return true;
    }
  }
  return false;
}
