import type { SyntaxNode } from './syntax';
import { isKerasModelClass, ownNodes, type FileFacts, type ModelFact } from './facts';
import type { ImportTable } from './imports';
import { canonicalKeras, kerasSymbolOf, modelConstructors } from './keras-names';
import { layerCalls } from './save-calls';
import { ancestry, nodesWithin, type ClassInfo } from './semantic';
import { implementationOf, versionIn, type Implementation, type KerasVersions } from './version';

/**
 * Which Keras implementation each object of a model resolves to (rules.md, "Which Keras a name
 * means"): the model's own class, and the layers it is built from.
 */

/** One Keras object a model is made of. */
export interface ModelPart {
  /** Where a finding about it sits: a list element or `add` argument, a layer's constructor call, a base class. */
  anchor: SyntaxNode;
  /** The name whose import decides its implementation: the callee of its constructor, or the base class. */
  name: SyntaxNode;
  implementation: Implementation;
}

/** The Keras objects of one model: its own class and the layers it is built from. */
export interface ModelBuild {
  kind: 'sequential' | 'functional' | 'subclass';
  /** `Sequential(...)` / `Model(...)` (the model's definition), or the Keras base of its class. */
  own: ModelPart;
  /** The layers, in file order. */
  parts: ModelPart[];
  /** The file's models it describes: the model itself, or every instance of the class. */
  models: ModelFact[];
  /** The name to show: the bound name, the function that returns the model, or the class. */
  label: string;
}

/** Each Sequential and functional model defined in the file, and each of its Keras model classes. */
export function modelBuilds(facts: FileFacts): readonly ModelBuild[] {
  let builds = buildsByFacts.get(facts);
  if (!builds) buildsByFacts.set(facts, (builds = findBuilds(facts)));
  return builds;
}

const buildsByFacts = new WeakMap<FileFacts, readonly ModelBuild[]>();

function findBuilds(facts: FileFacts): ModelBuild[] {
  const builds: ModelBuild[] = [];
  for (const model of facts.models) {
    if (model.kind !== 'sequential' && model.kind !== 'functional') continue;
    const callee = model.definition.childForFieldName('function');
    const own = callee && part(facts.imports, model.definition, callee);
    if (!own) continue;
    const parts = model.kind === 'sequential' ? sequentialParts(facts, model) : functionalParts(facts, model);
    builds.push({ kind: model.kind, own, parts, models: [model], label: model.label });
  }
  for (const cls of facts.classes.values()) {
    if (!isKerasModelClass(cls)) continue;
    const own = kerasBase(facts.imports, cls);
    if (!own) continue;
    const models = facts.models.filter((m) => m.subclass === cls);
    builds.push({ kind: 'subclass', own, parts: subLayers(facts.imports, cls), models, label: `\`${cls.name}\`` });
  }
  return builds;
}

/** The Keras object a constructor call or base class stands for; undefined when it is not a Keras layer or model. */
function part(imports: ImportTable, anchor: SyntaxNode, name: SyntaxNode): ModelPart | undefined {
  const qualified = imports.qualify(name);
  const implementation = implementationOf(qualified);
  if (!implementation || !qualified) return undefined;
  if (implementation !== 'hub' && !isLayerOrModelName(canonicalKeras(qualified)!)) return undefined;
  return { anchor, name, implementation };
}

/** Layers, inputs and models: the objects whose class hierarchy a model cares about (not its losses or ops). */
function isLayerOrModelName(canonical: string): boolean {
  const symbol = kerasSymbolOf(canonical);
  if (!/^[A-Z]/.test(symbol)) return false;
  return canonical.startsWith('keras.layers.') || canonical.startsWith('keras.applications.') ||
    canonical === 'keras.Input' || ((canonical === `keras.${symbol}` || canonical === `keras.models.${symbol}`) && modelConstructors.has(symbol));
}

/** The Keras objects constructed by calls in a node (the node included), each anchored on `anchor`. */
function constructedIn(imports: ImportTable, node: SyntaxNode, anchor?: SyntaxNode): ModelPart[] {
  const found: ModelPart[] = [];
  for (const call of nodesWithin(node, 'call')) {
    const callee = call.childForFieldName('function');
    const p = callee && callee.type !== 'call' ? part(imports, anchor ?? call, callee) : undefined;
    if (p) found.push(p);
  }
  return found;
}

function sequentialParts(facts: FileFacts, model: ModelFact): ModelPart[] {
  const parts: ModelPart[] = [];
  for (const entry of model.layers) {
    parts.push(...constructedIn(facts.imports, entry.element, entry.element));
    if (entry.call && !entry.element.contains(entry.call)) parts.push(...constructedIn(facts.imports, entry.call, entry.element));
  }
  return parts;
}

function functionalParts(facts: FileFacts, model: ModelFact): ModelPart[] {
  const parts: ModelPart[] = [];
  for (const call of layerCalls(facts, model)) {
    const callee = call.childForFieldName('function');
    const p = callee && callee.type !== 'call' ? part(facts.imports, call, callee) : undefined;
    if (p) parts.push(p);
  }
  return parts.sort((a, b) => a.anchor.startIndex - b.anchor.startIndex);
}

const assignmentTypes: ReadonlySet<string> = new Set(['assignment']);

/** The layers a model class (or an in-file base of it) binds on `self`, in file order. */
function subLayers(imports: ImportTable, cls: ClassInfo): ModelPart[] {
  const parts: ModelPart[] = [];
  for (const c of ancestry(cls)) {
    for (const method of c.methods.values()) {
      const selfName = method.childForFieldName('parameters')?.namedChildren.find((p) => p.type === 'identifier')?.text;
      if (!selfName) continue;
      for (const assignment of ownNodes(method, assignmentTypes)) {
        const left = assignment.childForFieldName('left');
        const right = assignment.childForFieldName('right');
        if (left?.type === 'attribute' && left.childForFieldName('object')?.text === selfName && right) {
          parts.push(...constructedIn(imports, right));
        }
      }
    }
  }
  return parts.sort((a, b) => a.anchor.startIndex - b.anchor.startIndex);
}

/** The Keras model class a class derives from, directly or through an in-file base. */
function kerasBase(imports: ImportTable, cls: ClassInfo): ModelPart | undefined {
  for (const c of ancestry(cls)) {
    for (const base of c.node.childForFieldName('superclasses')?.namedChildren ?? []) {
      const p = base.type === 'identifier' || base.type === 'attribute' ? part(imports, base, base) : undefined;
      if (p) return p;
    }
  }
  return undefined;
}

/** The import statement that binds the first identifier of a name, when an import of the file does. */
export function importOf(facts: FileFacts, name: SyntaxNode): SyntaxNode | undefined {
  let root = name;
  while (root.type === 'attribute') root = root.childForFieldName('object')!;
  return root.type === 'identifier' ? importBinding(facts, root.text, name.startIndex) : undefined;
}

/** The last import statement before `offset` that binds `local`. */
export function importBinding(facts: FileFacts, local: string, offset: number): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  for (const type of ['import_statement', 'import_from_statement']) {
    for (const statement of facts.tree.ofType(type)) {
      const earlier = statement.startIndex < offset && (!found || statement.startIndex > found.startIndex);
      if (earlier && bindsName(statement, local)) found = statement;
    }
  }
  return found;
}

function bindsName(statement: SyntaxNode, local: string): boolean {
  return statement.childrenForFieldName('name').some((n) => {
    if (n.type === 'aliased_import') return n.childForFieldName('alias')?.text === local;
    return statement.type === 'import_statement' ? n.text.split('.')[0] === local : n.text === local;
  });
}

/** The dotted module each implementation's names live under. */
const implementationRoot: Record<Exclude<Implementation, 'hub'>, string> = {
  keras: 'keras',
  'tf.keras': 'tensorflow.keras',
  tf_keras: 'tf_keras',
};

/**
 * How the file's imports can write the same Keras object in another implementation
 * (`keras.layers.Dense` as `tf.keras.layers.Dense`): the shortest spelling through a name an
 * import binds, or undefined when none reaches it.
 */
export function spellIn(imports: ImportTable, name: SyntaxNode, implementation: Exclude<Implementation, 'hub'>): string | undefined {
  const canonical = imports.keras(name);
  if (!canonical) return undefined;
  const target = implementationRoot[implementation] + canonical.slice('keras'.length);
  let best: string | undefined;
  for (const [local, qualified] of imports.bindings()) {
    if (qualified.startsWith('.')) continue;
    let spelled: string | undefined;
    if (target === qualified) spelled = local;
    else if (target.startsWith(qualified + '.')) spelled = local + target.slice(qualified.length);
    if (spelled && (!best || spelled.length < best.length)) best = spelled;
  }
  return best;
}

/**
 * Evidence that the `keras` package is multi-backend keras 2.3 or older, whose classes are its own
 * rather than TensorFlow's: a pin below 2.4, or an import of `keras.backend.tensorflow_backend`.
 */
export function multiBackendKeras(versions: KerasVersions): boolean {
  if (versionIn(versions.keras, [2, 0], [2, 4]) === true) return true;
  return versions.keras.major !== 3 && versions.keras.range === undefined &&
    versions.evidence.some((e) => e.range?.high !== undefined && e.range.high[0] === 2 && e.range.high[1] <= 4);
}
