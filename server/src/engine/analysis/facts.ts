import type { SyntaxNode, SyntaxTree } from './syntax';
import { complete, type Steps } from './steps';
import { ImportedSymbols, type ImportedSymbol } from './imported-symbols';
import { ImportTable } from './imports';
import { kerasSymbolOf, knownLayers, modelConstructors } from './keras-names';
import type { ModuleResolver } from './types';
import { flattenTargets, lastBinding, nestedScopeTypes, SemanticModel, unparen, type ClassInfo, type FunctionInfo, type Scope } from './semantic';

/**
 * Model facts: where each model is defined in each scope, and the ordered events on it.
 * Rules read these instead of walking raw syntax.
 */

export type EventKind =
  | 'compile'
  | 'build-step' // fit, predict, evaluate, model(x), train_on_batch, build() without a shape
  | 'build-with-shape' // build(input_shape)
  | 'save' // model.save, save_model(model, ...)
  | 'export' // model.export, tf.saved_model.save(model, ...)
  | 'save-weights'
  | 'checkpoint' // a full-model ModelCheckpoint passed to fit: saves inside fit, after compile and build
  | 'checkpoint-weights' // ModelCheckpoint(save_weights_only=True)
  | 'add'
  | 'other';

export interface ModelEvent {
  kind: EventKind;
  /** `fit`, `save`, `save_model`, `tf.saved_model.save`, `__call__` ... */
  method: string;
  call: SyntaxNode;
  /** Where the event happens in its scope; for an event inside a local function, the call site. */
  offset: number;
  /** The call of a local function that performs this event on the model passed to it. */
  viaCall?: SyntaxNode;
  /** For a checkpoint: the training call it is passed to (`call` is the `ModelCheckpoint(...)`). */
  trainingCall?: SyntaxNode;
}

export type ModelKind =
  | 'sequential'
  | 'functional'
  | 'subclass'
  | 'clone' // clone_model, model_from_json: built, not compiled
  | 'loaded' // load_model: built and compiled
  | 'application' // keras.applications.*: built
  | 'helper' // returned by a local function, or by a function of another module
  | 'param'; // a function parameter, tracked to summarise what the function does to it

export interface LayerEntry {
  /** The list element or `add` argument as written (the anchor). */
  element: SyntaxNode;
  /** The layer call it stands for: the element itself, or the call a name was bound to. */
  call: SyntaxNode | undefined;
}

export interface ModelFact {
  id: number;
  /** The bound name as written: `model`, `self.model`; `<returned>` for a model created in a `return`. */
  name: string;
  /** How messages name the model: `` `model` ``, or "the model returned by `build_model()`". */
  label: string;
  scope: Scope;
  kind: ModelKind;
  /** The expression that created the model (a call), or the parameter. */
  definition: SyntaxNode;
  start: number;
  end: number;
  /** For Sequential: the list elements, then `add` arguments, in order. */
  layers: LayerEntry[];
  /** The list literal passed to Sequential, where a first element can be inserted. */
  layerList: SyntaxNode | undefined;
  events: ModelEvent[];
  /** For a model returned by a local function: the model inside that function. */
  origin: ModelFact | undefined;
  subclass: ClassInfo | undefined;
  /** The function (kind `helper`) or class (kind `subclass`) of another module that made the model. */
  imported?: ImportedSymbol;
  /** Used as a block of an outer model, which builds it. */
  usedAsBlock: boolean;
  /** Event kinds done to it in scopes whose order relative to this one is unknown. */
  unordered: Set<EventKind>;
}

export interface FileFacts {
  text: string;
  tree: SyntaxTree;
  root: SyntaxNode;
  imports: ImportTable;
  semantic: SemanticModel;
  /** Names imported from other modules of the workspace, resolved on use. */
  imported: ImportedSymbols;
  classes: Map<string, ClassInfo>;
  functions: FunctionInfo[];
  scopes: Scope[];
  /** Every model in the file, in order of definition (parameters excluded). */
  models: ModelFact[];
  /** Calls of `fit`/`evaluate`/`predict` and their generator forms on a model or Keras-like receiver. */
  trainingCalls: TrainingCall[];
}

export interface TrainingCall {
  call: SyntaxNode;
  method: string;
  methodNode: SyntaxNode;
  scope: Scope;
  model: ModelFact | undefined;
}

const compileMethods = new Set(['compile']);
const buildStepMethods = new Set([
  'fit', 'fit_generator', 'evaluate', 'evaluate_generator', 'predict', 'predict_generator',
  'train_on_batch', 'test_on_batch', 'predict_on_batch',
]);
export const trainingMethods = new Set([
  'fit', 'fit_generator', 'evaluate', 'evaluate_generator', 'predict', 'predict_generator',
]);
const layerClassLike = new Set(['Layer', 'Model', 'Sequential', 'Functional', ...knownLayers]);

export function isKerasLayerClass(cls: ClassInfo): boolean {
  for (const base of cls.kerasBases) if (layerClassLike.has(base)) return true;
  return false;
}

export function isKerasModelClass(cls: ClassInfo): boolean {
  return cls.kerasBases.has('Model') || cls.kerasBases.has('Sequential') || cls.kerasBases.has('Functional');
}

export interface CallArguments {
  positional: readonly SyntaxNode[];
  keywords: ReadonlyMap<string, SyntaxNode>;
  keywordNodes: ReadonlyMap<string, SyntaxNode>;
}

/** Read once per call node: rules and facts ask for the same calls' arguments many times. */
const argumentsByCall = new WeakMap<SyntaxNode, CallArguments>();

/** Arguments of a call: positional values and keyword values by name. */
export function callArguments(call: SyntaxNode): CallArguments {
  let found = argumentsByCall.get(call);
  if (!found) argumentsByCall.set(call, (found = readArguments(call)));
  return found;
}

function readArguments(call: SyntaxNode): CallArguments {
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  const keywordNodes = new Map<string, SyntaxNode>();
  const args = call.childForFieldName('arguments');
  if (args?.type === 'argument_list') {
    for (const arg of args.namedChildren) {
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (name && value) {
          keywords.set(name, value);
          keywordNodes.set(name, arg);
        }
      } else if (arg.type !== 'comment') {
        positional.push(arg);
      }
    }
  }
  return { positional, keywords, keywordNodes };
}

/**
 * The named nodes of the given types (all of them by default) in a scope's own body, in
 * document order, without entering nested scopes.
 */
export function ownNodes(scopeNode: SyntaxNode, types?: ReadonlySet<string>): readonly SyntaxNode[] {
  // Rules ask for the same nodes of the same scopes again and again: walk each scope once per
  // tree and type set, and answer a narrower request from a wider walk already made.
  let byScope = ownNodesCache.get(scopeNode.tree);
  if (!byScope) {
    byScope = new Map();
    ownNodesCache.set(scopeNode.tree, byScope);
  }
  let walks = byScope.get(scopeNode.id);
  if (!walks) {
    walks = [];
    byScope.set(scopeNode.id, walks);
  }
  const same = walks.find((w) => w.types === types);
  if (same) return same.nodes;
  const wider = walks.find((w) => w.types === undefined || (types !== undefined && [...types].every((t) => w.types!.has(t))));
  const nodes = wider ? wider.nodes.filter((n) => !types || types.has(n.type)) : walkOwnNodes(scopeNode, types);
  walks.push({ types, nodes });
  return nodes;
}

/** Per tree, per scope node id: the walks made so far, by the type set they were made for. */
const ownNodesCache = new WeakMap<SyntaxTree, Map<number, Array<{ types: ReadonlySet<string> | undefined; nodes: readonly SyntaxNode[] }>>>();

function walkOwnNodes(scopeNode: SyntaxNode, types?: ReadonlySet<string>): SyntaxNode[] {
  const body = scopeNode.type === 'module' ? scopeNode : scopeNode.childForFieldName('body');
  return body ? scopeNode.tree.nodesBelow(body, types, nestedScopeTypes) : [];
}

const walkedTypes = new Set(['assignment', 'for_statement', 'with_item', 'as_pattern', 'call', 'return_statement', 'yield']);
const callNodeTypes = new Set(['call']);

class FactBuilder {
  private readonly imports: ImportTable;
  private readonly imported: ImportedSymbols;
  private readonly semantic: SemanticModel;
  private readonly models: ModelFact[] = [];
  private readonly trainingCalls: TrainingCall[] = [];
  private readonly processed = new Set<Scope>();
  private readonly inProgress = new Set<Scope>();
  /** Events on names that are not bound in the scope where they happen. */
  private readonly foreignEvents: Array<{ name: string; kind: EventKind; scope: Scope }> = [];
  /** Module-level names that a function uses as a block of another model (see `noteModuleBlock`). */
  private readonly moduleBlocks = new Set<string>();
  private nextId = 1;
  private readonly moduleScope: Scope;

  constructor(private readonly text: string, private readonly tree: SyntaxTree, modules: ModuleResolver | undefined) {
    const root = tree.root;
    this.imports = new ImportTable(root);
    this.imported = new ImportedSymbols(this.imports, modules);
    this.semantic = new SemanticModel(tree, this.imports);
    this.moduleScope = this.semantic.moduleScope;
  }

  /** The facts, pausing after the module's scope and between functions. */
  *build(): Steps<FileFacts> {
    this.process(this.moduleScope);
    let sinceStep = 0;
    for (const fn of this.semantic.functions) {
      this.process(fn.scope);
      if (++sinceStep % functionsPerStep === 0) yield;
    }
    // Events done to a name from another scope have no known order relative to its own.
    for (const model of this.models) {
      for (const ev of this.foreignEvents) {
        if (ev.name === model.name && ev.scope !== model.scope) model.unordered.add(ev.kind);
      }
      if (model.scope === this.moduleScope && this.moduleBlocks.has(model.name)) markBlock(model);
    }
    return {
      text: this.text,
      tree: this.tree,
      root: this.tree.root,
      imports: this.imports,
      semantic: this.semantic,
      imported: this.imported,
      classes: this.semantic.classes,
      functions: this.semantic.functions,
      scopes: this.semantic.scopes,
      models: this.models.filter((m) => m.kind !== 'param').sort((a, b) => a.definition.startIndex - b.definition.startIndex),
      trainingCalls: this.trainingCalls,
    };
  }

  private process(scope: Scope): void {
    if (this.processed.has(scope) || this.inProgress.has(scope)) return;
    this.inProgress.add(scope);
    new ScopeWalker(this, scope).run();
    this.inProgress.delete(scope);
    this.processed.add(scope);
  }

  // --- services for ScopeWalker ---

  get importTable(): ImportTable {
    return this.imports;
  }

  get importedSymbols(): ImportedSymbols {
    return this.imported;
  }

  classNamed(name: string): ClassInfo | undefined {
    return this.semantic.classes.get(name);
  }

  /** The local function a call reaches, processed first so that its summary is known. */
  calledFunction(fnNode: SyntaxNode | null, scope: Scope): FunctionInfo | undefined {
    const info = this.semantic.calledFunction(fnNode, scope);
    if (info) this.process(info.scope);
    return info;
  }

  newModel(init: Omit<ModelFact, 'id' | 'label' | 'events' | 'usedAsBlock' | 'unordered' | 'end'> & { label?: string }): ModelFact {
    const model: ModelFact = {
      label: `\`${init.name}\``, ...init, id: this.nextId++, events: [], usedAsBlock: false, unordered: new Set(), end: Infinity,
    };
    this.models.push(model);
    init.scope.models.push(model);
    return model;
  }

  noteForeignEvent(name: string, kind: EventKind, scope: Scope): void {
    this.foreignEvents.push({ name, kind, scope });
  }

  /**
   * A function uses a name it does not bind (so a module-level one) as a block of another model:
   * marked once every scope is walked, since the module's model may be defined after the function.
   */
  noteModuleBlock(name: string): void {
    this.moduleBlocks.add(name);
  }

  noteTrainingCall(call: TrainingCall): void {
    this.trainingCalls.push(call);
  }
}

interface Action {
  offset: number;
  bind?: { targets: SyntaxNode[]; value: SyntaxNode | undefined };
  call?: SyntaxNode;
  ret?: SyntaxNode;
}

/** Walks one scope's statements in order and records its models and their events. */
class ScopeWalker {
  private readonly current = new Map<string, ModelFact>();
  private readonly imports: ImportTable;

  constructor(private readonly file: FactBuilder, private readonly scope: Scope) {
    this.imports = file.importTable;
  }

  run(): void {
    const fn = this.scope.function;
    if (fn) {
      for (const param of fn.params) {
        if (param === 'self' || param === 'cls') continue;
        const model = this.file.newModel({
          name: param, scope: this.scope, kind: 'param', definition: fn.node, start: fn.node.startIndex,
          layers: [], layerList: undefined, origin: undefined, subclass: undefined,
        });
        this.current.set(param, model);
      }
    }
    const actions: Action[] = [];
    for (const node of ownNodes(this.scope.node, walkedTypes)) {
      if (node.type === 'yield') {
        if (fn) fn.isGenerator = true;
      } else if (node.type === 'assignment') {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right') ?? undefined;
        if (left) actions.push({ offset: node.endIndex, bind: { targets: flattenTargets(left), value: right && unparen(right) } });
      } else if (node.type === 'for_statement' || node.type === 'with_item' || node.type === 'as_pattern') {
        const left = node.childForFieldName('left') ?? node.childForFieldName('alias');
        if (left) actions.push({ offset: node.startIndex, bind: { targets: flattenTargets(left), value: undefined } });
      } else if (node.type === 'call') {
        actions.push({ offset: node.startIndex, call: node });
      } else if (node.type === 'return_statement') {
        const value = node.firstNamedChild;
        if (value) actions.push({ offset: node.endIndex, ret: unparen(value) });
      }
    }
    actions.sort((a, b) => a.offset - b.offset);
    for (const action of actions) {
      if (action.bind) this.bind(action.bind.targets, action.bind.value, action.offset);
      else if (action.call) this.onCall(action.call);
      else if (action.ret) this.onReturn(action.ret, action.offset);
    }
    if (fn) {
      for (const param of fn.params) {
        const model = this.scope.models.find((m) => m.kind === 'param' && m.name === param);
        if (model) fn.paramEvents.set(param, model.events);
      }
    }
  }

  private bind(targets: SyntaxNode[], value: SyntaxNode | undefined, offset: number): void {
    // A model kept on `self` in a Layer/Model class (or in a list or dict held there) is one of its blocks.
    const kept = value !== undefined && targets.length === 1 && this.heldOnSelf(targets[0]!);
    // The names' bindings are the semantic model's; here, which models the targets now hold.
    for (const target of targets) {
      const key = target.text;
      const previous = this.current.get(key);
      if (previous) {
        previous.end = offset;
        this.current.delete(key);
      }
      if ((target.type === 'identifier' || target.type === 'attribute') && value && targets.length === 1) {
        const model = this.modelFrom(value, key, offset);
        if (model) {
          this.current.set(key, model);
          if (kept) markBlock(model);
        }
      }
    }
    if (kept) this.markHeld(value);
  }

  /** The target is an attribute of `self` (or an item of one) in a method of a Layer/Model class. */
  private heldOnSelf(target: SyntaxNode): boolean {
    const owner = this.scope.function?.owner;
    if (!owner || !isKerasLayerClass(owner)) return false;
    let node: SyntaxNode | null = unparen(target);
    while (node?.type === 'subscript') node = node.childForFieldName('value');
    return node?.type === 'attribute' && node.childForFieldName('object')?.text === 'self';
  }

  /**
   * Marks as blocks the models a value holds: a model's name, the call of a local function that
   * returns one, or the elements of a list, tuple, dict or comprehension of these.
   */
  private markHeld(value: SyntaxNode, depth = 0): void {
    const node = unparen(value);
    if (depth > 4) return;
    if (heldCollections.has(node.type)) {
      for (const element of node.namedChildren) this.markHeld(element, depth + 1);
    } else if (node.type === 'pair') {
      const held = node.childForFieldName('value');
      if (held) this.markHeld(held, depth + 1);
    } else if (comprehensions.has(node.type)) {
      const body = node.childForFieldName('body');
      if (body) this.markHeld(body, depth + 1);
    } else if (node.type === 'identifier' || node.type === 'attribute') {
      const model = this.current.get(node.text);
      if (model) markBlock(model);
      else if (node.type === 'identifier' && this.readsModuleName(node.text)) this.file.noteModuleBlock(node.text);
    } else if (node.type === 'call') {
      const helper = this.file.calledFunction(node.childForFieldName('function'), this.scope);
      if (helper?.returns) markBlock(helper.returns);
    }
  }

  /** A function reads `name` from the module: it neither binds it nor takes it as a parameter. */
  private readsModuleName(name: string): boolean {
    const fn = this.scope.function;
    return fn !== undefined && !fn.params.includes(name) && !this.scope.bindings.has(name);
  }

  /** Inside a method of a Layer/Model class (`call`, `train_step`, ...), whose arguments are tensors of its graph. */
  private inLayerMethod(): boolean {
    const owner = this.scope.function?.owner;
    return owner !== undefined && isKerasLayerClass(owner);
  }

  /** A new model when `value` creates one, else undefined. */
  private modelFrom(value: SyntaxNode, name: string, offset: number, label?: string): ModelFact | undefined {
    if (value.type !== 'call') return undefined;
    const fnNode = value.childForFieldName('function');
    if (!fnNode) return undefined;
    const base = { name, ...(label ? { label } : {}), scope: this.scope, definition: value, start: offset, layers: [] as LayerEntry[], layerList: undefined as SyntaxNode | undefined, origin: undefined as ModelFact | undefined, subclass: undefined as ClassInfo | undefined };
    const keras = this.imports.keras(fnNode);
    if (keras) {
      const symbol = kerasSymbolOf(keras);
      if (symbol === 'Sequential') {
        const { positional, keywords } = callArguments(value);
        const list = keywords.get('layers') ?? positional[0];
        const model = this.file.newModel({ ...base, kind: 'sequential' });
        if (list && (list.type === 'list' || list.type === 'tuple')) {
          model.layerList = list;
          for (const element of list.namedChildren) {
            if (element.type === 'comment') continue;
            model.layers.push({ element, call: this.layerCall(element, value.startIndex) });
            this.markListed(element);
          }
        }
        return model;
      }
      if (modelConstructors.has(symbol)) return this.file.newModel({ ...base, kind: 'functional' });
      if (symbol === 'load_model') return this.file.newModel({ ...base, kind: 'loaded' });
      if (symbol === 'clone_model' || symbol === 'model_from_json' || symbol === 'model_from_config' || symbol === 'model_from_yaml') {
        return this.file.newModel({ ...base, kind: 'clone' });
      }
      if (keras.startsWith('keras.applications.')) return this.file.newModel({ ...base, kind: 'application' });
      return undefined;
    }
    if (fnNode.type === 'identifier') {
      const cls = this.file.classNamed(fnNode.text);
      if (cls && isKerasModelClass(cls)) {
        const model = this.file.newModel({ ...base, kind: 'subclass', subclass: cls });
        // A class whose `__init__` calls `self.compile(...)` gives compiled instances.
        const compile = selfCompileCall(cls);
        if (compile) this.addEvent(model, { kind: 'compile', method: 'compile', call: compile, offset });
        return model;
      }
    }
    const helper = this.file.calledFunction(fnNode, this.scope);
    if (helper?.returns) return this.file.newModel({ ...base, kind: 'helper', origin: helper.returns });
    return this.importedModel(value, fnNode, base, offset);
  }

  /**
   * A model made by another module: returned by its function, or an instance of its model class.
   * What that module does to it before it arrives here (compile) counts at the call.
   */
  private importedModel(value: SyntaxNode, fnNode: SyntaxNode, base: Omit<ModelFact, 'id' | 'label' | 'events' | 'usedAsBlock' | 'unordered' | 'end' | 'kind'> & { label?: string }, offset: number): ModelFact | undefined {
    const imported = this.file.importedSymbols.lookup(fnNode);
    if (!imported || (imported.kind === 'class' && !imported.cls.model)) return undefined;
    const model = this.file.newModel({ ...base, kind: imported.kind === 'function' ? 'helper' : 'subclass', imported });
    const compiled = imported.kind === 'function' ? imported.fn.compiled : imported.cls.selfCompiles;
    if (compiled) this.addEvent(model, { kind: 'compile', method: 'compile', call: value, offset });
    return model;
  }

  /** The layer call a list element or `add` argument stands for, following a name bound in this scope. */
  private layerCall(element: SyntaxNode, before: number): SyntaxNode | undefined {
    const node = unparen(element);
    if (node.type === 'call') return node;
    if (node.type === 'identifier') {
      const value = lastBinding(this.scope, node.text, before)?.value;
      return value?.type === 'call' ? value : undefined;
    }
    return undefined;
  }

  /** A model listed or added inside another model is a block of it. */
  private markListed(element: SyntaxNode): void {
    const model = this.current.get(unparen(element).text);
    if (model) markBlock(model);
  }

  private onReturn(value: SyntaxNode, offset: number): void {
    const fn = this.scope.function;
    if (!fn || fn.returns) return;
    const model = this.current.get(value.text) ?? this.modelFrom(value, '<returned>', offset, `the model returned by \`${fn.name}()\``);
    if (model && model.kind !== 'param') fn.returns = model;
  }

  private onCall(call: SyntaxNode): void {
    const fnNode = call.childForFieldName('function');
    if (!fnNode) return;
    const { positional, keywords } = callArguments(call);

    if (fnNode.type === 'attribute') {
      const receiver = fnNode.childForFieldName('object');
      const methodNode = fnNode.childForFieldName('attribute');
      const method = methodNode?.text ?? '';
      if (receiver && listMethods.has(method) && this.heldOnSelf(receiver)) {
        for (const arg of positional) this.markHeld(arg);
      }
      const model = receiver ? this.current.get(receiver.text) : undefined;
      if (trainingMethods.has(method) && methodNode && receiver) {
        if (model || this.imports.usesKeras) {
          this.file.noteTrainingCall({ call, method, methodNode, scope: this.scope, model: model?.kind === 'param' ? undefined : model });
        }
      }
      if (model) {
        const kind = methodKind(method, positional.length > 0 || keywords.has('input_shape'));
        if (kind === 'add') {
          const layer = positional[0] ?? keywords.get('layer');
          if (layer) {
            model.layers.push({ element: layer, call: this.layerCall(layer, call.startIndex) });
            this.markListed(layer);
          }
        }
        this.addEvent(model, { kind, method, call, offset: call.startIndex });
        if (method === 'fit' || method === 'fit_generator') {
          for (const checkpoint of this.checkpointsPassed(keywords.get('callbacks'), call.startIndex)) {
            this.addEvent(model, { ...checkpoint, offset: call.startIndex, trainingCall: call });
          }
        }
        return;
      }
      if (receiver && (receiver.type === 'identifier' || receiver.text.startsWith('self.'))) {
        const kind = methodKind(method, positional.length > 0);
        if (kind !== 'other' && kind !== 'add') this.file.noteForeignEvent(receiver.text, kind, this.scope);
      }
    }

    // model(x): a build step, or, on a tensor of a model graph, use as a block.
    const called = this.current.get(fnNode.text);
    const arg = positional[0];
    const onTensor = this.inLayerMethod() || (arg !== undefined && this.isTensor(arg, call.startIndex));
    if (called) {
      if (onTensor) markBlock(called);
      else this.addEvent(called, { kind: 'build-step', method: '__call__', call, offset: call.startIndex });
      return;
    }
    if (onTensor && fnNode.type === 'identifier' && this.readsModuleName(fnNode.text)) this.file.noteModuleBlock(fnNode.text);

    // A model passed to the constructor of a custom Layer/Model class is one of its blocks.
    const cls = fnNode.type === 'identifier' ? this.file.classNamed(fnNode.text) : undefined;
    if (cls && isKerasLayerClass(cls)) {
      for (const value of [...positional, ...keywords.values()]) this.markHeld(value);
    }

    // `conv_block(64)(x)`: the model a local function returns, called where it is created, is a
    // block of the model being built; it is never bound, so nothing else can save it.
    const creator = fnNode.type === 'call' ? fnNode.childForFieldName('function') : null;
    const helper = creator && positional.length > 0 ? this.file.calledFunction(creator, this.scope) : undefined;
    if (helper?.returns) {
      markBlock(helper.returns);
      return;
    }

    const keras = this.imports.keras(fnNode);
    const qualified = this.imports.qualify(fnNode);
    if ((keras && kerasSymbolOf(keras) === 'save_model') || qualified === 'tensorflow.saved_model.save') {
      const target = positional[0] ?? keywords.get('model') ?? keywords.get('obj');
      const model = target && this.current.get(target.text);
      if (model) {
        const isTf = qualified === 'tensorflow.saved_model.save';
        this.addEvent(model, {
          kind: isTf ? 'export' : 'save', method: isTf ? 'tf.saved_model.save' : 'save_model', call, offset: call.startIndex,
        });
      }
      return;
    }

    // A local function that does things to the model passed to it: those events count here.
    const fn = this.file.calledFunction(fnNode, this.scope);
    if (fn) {
      const params = fn.params.filter((p) => p !== 'self' && p !== 'cls');
      const passed: Array<[string, SyntaxNode]> = positional.map((arg, i) => [params[i] ?? '', arg]);
      for (const [name, value] of keywords) passed.push([name, value]);
      for (const [param, arg] of passed) {
        const model = this.current.get(arg.text);
        const events = fn.paramEvents.get(param);
        if (!model || !events) continue;
        for (const ev of events) {
          this.addEvent(model, { ...ev, offset: call.startIndex, viaCall: ev.viaCall ?? call });
        }
      }
    }
  }

  /** The `ModelCheckpoint(...)` calls in a `callbacks=` value (see `callbackCalls`). */
  private checkpointsPassed(callbacks: SyntaxNode | undefined, before: number): Array<Pick<ModelEvent, 'kind' | 'method' | 'call'>> {
    const found: Array<Pick<ModelEvent, 'kind' | 'method' | 'call'>> = [];
    for (const n of callbackCalls(callbacks, this.scope, before)) {
      const keras = this.imports.keras(n.childForFieldName('function'));
      if (!keras || kerasSymbolOf(keras) !== 'ModelCheckpoint') continue;
      const weightsOnly = callArguments(n).keywords.get('save_weights_only');
      const value = weightsOnly ? unparen(weightsOnly).text : 'False';
      // A value the file computes says neither: no event.
      if (value === 'True') found.push({ kind: 'checkpoint-weights', method: 'ModelCheckpoint', call: n });
      else if (value === 'False') found.push({ kind: 'checkpoint', method: 'ModelCheckpoint', call: n });
    }
    return found;
  }

  private addEvent(model: ModelFact, event: ModelEvent): void {
    model.events.push(event);
  }

  /**
   * A value of a functional graph: `keras.Input(...)`, a layer called where it is made
   * (`Dense(3)(x)`), a model called on anything, or a layer or op named otherwise applied to one.
   */
  private isTensor(arg: SyntaxNode, before: number, depth = 0): boolean {
    const node = unparen(arg);
    let value: SyntaxNode | undefined = node;
    if (node.type === 'identifier') value = lastBinding(this.scope, node.text, before)?.value;
    if (!value || value.type !== 'call' || depth > 6) return false;
    const fnNode = value.childForFieldName('function');
    if (!fnNode) return false;
    if (fnNode.type === 'call') return true; // Dense(3)(x)
    const keras = this.imports.keras(fnNode);
    if (keras && kerasSymbolOf(keras) === 'Input') return true;
    if (this.current.has(fnNode.text)) return true; // other_model(x)
    const first = callArguments(value).positional[0];
    return first !== undefined && this.isTensor(first, value.startIndex, depth + 1);
  }
}

/** Collections whose elements a value held on `self` holds too. */
const heldCollections = new Set(['list', 'tuple', 'set', 'dictionary', 'expression_list']);
const comprehensions = new Set(['list_comprehension', 'set_comprehension', 'generator_expression', 'dictionary_comprehension']);
/** Methods that put a value into a list held on `self`. */
const listMethods = new Set(['append', 'extend', 'insert']);

/** A block of another model, which builds it; so is the model inside the local function that returned it. */
function markBlock(model: ModelFact): void {
  for (let m: ModelFact | undefined = model; m && !m.usedAsBlock; m = m.origin) m.usedAsBlock = true;
}

/** The `self.compile(...)` call in the `__init__` of a class or of one of its in-file bases. */
export function selfCompileCall(cls: ClassInfo, seen = new Set<ClassInfo>()): SyntaxNode | undefined {
  if (seen.has(cls)) return undefined;
  seen.add(cls);
  const init = cls.methods.get('__init__');
  const selfName = init?.childForFieldName('parameters')?.namedChildren.find((p) => p.type === 'identifier')?.text;
  const own = init && selfName ? ownNodes(init, callNodeTypes).find((call) => {
    const fn = call.childForFieldName('function');
    return fn?.type === 'attribute' && fn.childForFieldName('object')?.text === selfName && fn.childForFieldName('attribute')?.text === 'compile';
  }) : undefined;
  if (own) return own;
  for (const base of cls.fileBases) {
    const inherited = selfCompileCall(base, seen);
    if (inherited) return inherited;
  }
  return undefined;
}

/**
 * The calls in a `callbacks=` value: a list or tuple (or a name bound to one in the scope before
 * `before`, or a sum of those), whose elements are the calls or names bound to them.
 */
export function callbackCalls(callbacks: SyntaxNode | undefined, scope: Scope, before: number): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const follow = (node: SyntaxNode, depth: number): SyntaxNode | undefined => {
    const n = unparen(node);
    if (n.type !== 'identifier' || depth > 4) return n;
    const value = lastBinding(scope, n.text, before)?.value;
    return value && follow(value, depth + 1);
  };
  const visit = (node: SyntaxNode | undefined, depth: number): void => {
    const n = node && follow(node, depth);
    if (!n || depth > 4) return;
    if (n.type === 'list' || n.type === 'tuple') {
      for (const element of n.namedChildren) visit(element, depth + 1);
    } else if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
      visit(n.childForFieldName('left') ?? undefined, depth + 1);
      visit(n.childForFieldName('right') ?? undefined, depth + 1);
    } else if (n.type === 'call') {
      found.push(n);
    }
  };
  visit(callbacks, 0);
  return found;
}

function methodKind(method: string, hasArgument: boolean): EventKind {
  if (compileMethods.has(method)) return 'compile';
  if (buildStepMethods.has(method)) return 'build-step';
  if (method === 'build') return hasArgument ? 'build-with-shape' : 'build-step';
  if (method === 'save') return 'save';
  if (method === 'export') return 'export';
  if (method === 'save_weights') return 'save-weights';
  if (method === 'add') return 'add';
  return 'other';
}

/** The facts of a file; `modules` resolves the names it imports from other modules of its workspace. */
export function buildFacts(tree: SyntaxTree, modules?: ModuleResolver): FileFacts {
  return complete(factSteps(tree, modules));
}

/** `buildFacts` in steps (see steps.ts). */
export function* factSteps(tree: SyntaxTree, modules?: ModuleResolver): Steps<FileFacts> {
  const builder = new FactBuilder(tree.text, tree, modules);
  yield;
  return yield* builder.build();
}

/** Functions whose facts are built between two pauses. */
const functionsPerStep = 64;

/** Events of a model including those done inside the helper that returned it, in order. */
export function allEvents(model: ModelFact): ModelEvent[] {
  const own = model.events.filter((e) => e.offset >= model.start && e.offset <= model.end);
  if (!model.origin) return own;
  return [...allEvents(model.origin), ...own];
}

/** The model whose layers define this one (the model inside a helper, followed to the end). */
export function definingModel(model: ModelFact): ModelFact {
  let m = model;
  const seen = new Set<ModelFact>();
  while (m.origin && !seen.has(m)) {
    seen.add(m);
    m = m.origin;
  }
  return m;
}
