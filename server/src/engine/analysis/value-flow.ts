import type { SyntaxNode } from './syntax';
import { functionReferenced } from './data-sources';
import { callArguments, ownNodes, type FileFacts } from './facts';
import { unparen, type ClassInfo, type FunctionInfo } from './semantic';

/**
 * What values flow into a name, an argument or a `yield`, and from which function: assignments,
 * stores into elements, appends, `for` loops, `self.` attributes set by any method of a class,
 * and the return values of the file's functions that are called. `ValueTracer` follows a
 * generator's output back along those flows and judges whether it keeps the values (reads,
 * stacks, selects), changes them (arithmetic, preprocessing calls) or does something not visible.
 */

// --- Does a generator change values? --------------------------------------------------------

export type Verdict =
  | { kind: 'keeps' }
  | { kind: 'unknown'; at: SyntaxNode }
  | { kind: 'changes'; at: SyntaxNode };

const keeps: Verdict = { kind: 'keeps' };

/** The strongest verdict over items: a change wins, then anything unknown. Stops at the first change. */
function strongest<T>(items: Iterable<T>, judge: (item: T) => Verdict): Verdict {
  let unknown: Verdict | undefined;
  for (const item of items) {
    const verdict = judge(item);
    if (verdict.kind === 'changes') return verdict;
    if (verdict.kind === 'unknown' && !unknown) unknown = verdict;
  }
  return unknown ?? keeps;
}

/** Calls that read or create raw data: what they return is data as it comes. */
const sourceFunctions = new Set([
  'numpy.load', 'numpy.loadtxt', 'numpy.genfromtxt', 'numpy.fromfile', 'numpy.frombuffer', 'numpy.memmap',
  'numpy.zeros', 'numpy.ones', 'numpy.empty', 'numpy.full', 'numpy.zeros_like', 'numpy.ones_like',
  'numpy.empty_like', 'numpy.full_like', 'numpy.arange', 'numpy.eye', 'tensorflow.zeros', 'tensorflow.ones',
  'tensorflow.io.read_file', 'cv2.imread', 'cv2.imdecode', 'PIL.Image.open', 'imageio.imread', 'imageio.v2.imread',
  'imageio.v3.imread', 'skimage.io.imread', 'matplotlib.pyplot.imread', 'h5py.File', 'pickle.load', 'pickle.loads',
  'json.load', 'json.loads', 'joblib.load', 'scipy.io.loadmat', 'soundfile.read', 'glob.glob', 'os.listdir',
]);
const sourcePrefixes = ['numpy.random.', 'tensorflow.random.', 'pandas.read_', 'os.path.', 'random.'];
/** Calls that stack, reshape, cast, select or flip their data argument without computing new values. */
const keepingFunctions = new Set([
  'numpy.array', 'numpy.asarray', 'numpy.asanyarray', 'numpy.ascontiguousarray', 'numpy.stack', 'numpy.concatenate',
  'numpy.vstack', 'numpy.hstack', 'numpy.dstack', 'numpy.column_stack', 'numpy.row_stack', 'numpy.expand_dims',
  'numpy.reshape', 'numpy.squeeze', 'numpy.transpose', 'numpy.moveaxis', 'numpy.swapaxes', 'numpy.take',
  'numpy.copy', 'numpy.flip', 'numpy.fliplr', 'numpy.flipud', 'numpy.rot90', 'numpy.roll', 'numpy.split',
  'numpy.array_split', 'numpy.atleast_1d', 'numpy.atleast_2d', 'numpy.atleast_3d', 'numpy.repeat', 'numpy.tile',
  'numpy.random.choice', 'numpy.random.permutation', 'numpy.float16', 'numpy.float32', 'numpy.float64',
  'numpy.int32', 'numpy.int64', 'numpy.uint8', 'tensorflow.constant', 'tensorflow.convert_to_tensor',
  'tensorflow.stack', 'tensorflow.concat', 'tensorflow.reshape', 'tensorflow.expand_dims', 'tensorflow.squeeze',
  'tensorflow.transpose', 'tensorflow.gather', 'tensorflow.cast', 'tensorflow.image.flip_left_right',
  'tensorflow.image.flip_up_down', 'tensorflow.image.random_flip_left_right', 'tensorflow.image.random_flip_up_down',
  'tensorflow.image.rot90', 'tensorflow.image.random_crop', 'cv2.flip', 'random.choice', 'random.choices',
  'random.sample', 'itertools.islice', 'itertools.cycle', 'itertools.chain', 'copy.copy', 'copy.deepcopy',
]);
/** Calls whose every positional argument is data (the others take data first and options after). */
const allArgumentsData = new Set(['zip', 'itertools.chain']);
/** Libraries whose other functions compute new values. */
const changingPrefixes = ['numpy.', 'tensorflow.', 'scipy.', 'cv2.', 'skimage.', 'sklearn.', 'librosa.', 'PIL.', 'torchvision.'];
/** Functions that are preprocessing wherever they are imported from. */
const changingSymbols = new Set(['preprocess_input', 'pad_sequences', 'to_categorical', 'smart_resize', 'per_image_standardization']);
const keepingKerasSymbols = new Set(['img_to_array', 'array_to_img']);

const sourceBuiltins = new Set(['open', 'range', 'len', 'input']);
const keepingBuiltins = new Set([
  'list', 'tuple', 'zip', 'enumerate', 'sorted', 'reversed', 'next', 'iter', 'int', 'float', 'bool', 'str', 'dict', 'set',
]);
const changingBuiltins = new Set(['abs', 'round', 'sum', 'min', 'max', 'pow']);

const keepingMethods = new Set([
  'astype', 'reshape', 'copy', 'transpose', 'squeeze', 'flatten', 'ravel', 'tolist', 'to_numpy', 'numpy', 'get',
  'pop', 'take', 'swapaxes', 'item', 'sample', 'head', 'tail', 'repeat', 'iterrows', 'itertuples', 'items', 'values',
]);
const sourceMethods = new Set(['read', 'readline', 'readlines', 'load', 'imread']);
const changingMethods = new Set([
  'resize', 'normalize', 'standardize', 'transform', 'fit_transform', 'texts_to_sequences', 'texts_to_matrix',
  'sequences_to_matrix', 'encode', 'mean', 'std', 'sum', 'clip', 'round', 'cumsum', 'dot', 'map', 'apply',
]);
/** `ImageDataGenerator` augmentation applied by hand: augmentation belongs to training alone. */
const augmentationMethods = new Set(['random_transform', 'apply_transform']);

const valueOperators = new Set(['+', '-', '*', '/', '//', '%', '**', '@', '&', '|', '^', '<<', '>>']);
const appendMethods: Record<string, number> = { append: 0, extend: 0, insert: 1 };
export const tupleTypes = new Set(['tuple', 'expression_list']);
const patternTypes = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list']);
const listTypes = new Set(['list', 'list_comprehension']);
const yieldTypes = new Set(['yield']);
const returnTypes = new Set(['return_statement']);
const contributionTypes = new Set(['assignment', 'augmented_assignment', 'call', 'for_statement']);
const comprehensionTypes = new Set(['list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension']);
/** Enough for any real generator; one that needs more is reported as "cannot tell". */
const stepBudget = 20000;

/** A value that flows into a name: the expression and the function it is written in. */
export interface Contribution {
  node: SyntaxNode;
  fn: FunctionInfo;
  /** The element of `node` it receives (`X, y = load()`: X is element 0). */
  part?: number;
  verdict?: Verdict;
}

/** Follows the model input that a generator produces back to where its values come from. */
export class ValueTracer {
  private readonly outputsMemo = new Map<string, Verdict>();
  private readonly visiting = new Set<string>();
  private steps = 0;

  constructor(private readonly facts: FileFacts) {}

  /** What a generator yields (or a `__getitem__` returns) as the model's input: element 0 of a tuple. */
  inputOf(fn: FunctionInfo): Verdict {
    this.steps = 0;
    return this.outputs(fn, 0);
  }

  /** The values a function yields, or returns when it is not a generator; element `part` of tuples. */
  private outputs(fn: FunctionInfo, part: number | undefined): Verdict {
    const key = `${fn.node.id}:${part}`;
    const memo = this.outputsMemo.get(key);
    if (memo) return memo;
    if (this.visiting.has(key)) return keeps;
    this.visiting.add(key);
    const produced = yieldsOrReturns(fn);
    const verdict = strongest(produced, (n) => {
      const value = n.namedChildren.find((c) => c.type !== 'comment');
      return value ? this.element(value, fn, part) : keeps;
    });
    this.visiting.delete(key);
    this.outputsMemo.set(key, verdict);
    return verdict;
  }

  /** Element `part` of a value when its tuple structure is visible, else the whole value. */
  private element(node: SyntaxNode, fn: FunctionInfo, part: number | undefined): Verdict {
    const value = unparen(node);
    if (part === undefined) return this.expression(value, fn);
    if (tupleTypes.has(value.type)) {
      const item = value.namedChildren.filter((c) => c.type !== 'comment')[part];
      return item ? this.expression(item, fn) : keeps;
    }
    if (value.type === 'identifier') return this.name(value, fn, part);
    if (value.type === 'call') {
      const callee = value.childForFieldName('function');
      const called = callee && functionReferenced(this.facts, fn.scope, callee);
      if (called) return this.outputs(called, part);
    }
    return this.expression(value, fn);
  }

  private expression(node: SyntaxNode, fn: FunctionInfo): Verdict {
    if (++this.steps > stepBudget) return { kind: 'unknown', at: node };
    const value = unparen(node);
    switch (value.type) {
      case 'integer': case 'float': case 'string': case 'concatenated_string': case 'true': case 'false': case 'none':
      case 'ellipsis':
        return keeps;
      case 'identifier':
        return this.name(value, fn, undefined);
      case 'attribute':
        return this.attribute(value, fn);
      case 'subscript': {
        // Indexing and slicing select values; the index arithmetic does not touch them.
        const object = value.childForFieldName('value');
        return object ? this.expression(object, fn) : keeps;
      }
      case 'binary_operator':
        return this.binary(value, fn);
      case 'unary_operator': {
        const argument = value.childForFieldName('argument');
        return argument && isNumber(argument) ? keeps : { kind: 'changes', at: value };
      }
      case 'comparison_operator': case 'boolean_operator': case 'not_operator':
        return { kind: 'changes', at: value };
      case 'conditional_expression': {
        // `a if condition else b`: the condition is not a value that flows on.
        const [then, , otherwise] = value.namedChildren;
        return strongest([then, otherwise].filter((n): n is SyntaxNode => !!n), (n) => this.expression(n, fn));
      }
      case 'tuple': case 'expression_list': case 'list': case 'set':
        return strongest(value.namedChildren.filter((c) => c.type !== 'comment'), (n) => this.expression(n, fn));
      case 'dictionary':
        return strongest(value.namedChildren.filter((c) => c.type === 'pair'), (pair) => {
          const v = pair.childForFieldName('value');
          return v ? this.expression(v, fn) : keeps;
        });
      case 'list_splat': case 'keyword_argument': case 'parenthesized_expression': {
        const inner = value.childForFieldName('value') ?? value.namedChildren[0];
        return inner ? this.expression(inner, fn) : keeps;
      }
      case 'list_comprehension': case 'generator_expression': case 'set_comprehension': case 'dictionary_comprehension': {
        const body = value.childForFieldName('body');
        const item = body?.type === 'pair' ? body.childForFieldName('value') : body;
        return item ? this.expression(item, fn) : keeps;
      }
      case 'call':
        return this.call(value, fn);
      default:
        return { kind: 'unknown', at: value };
    }
  }

  private binary(node: SyntaxNode, fn: FunctionInfo): Verdict {
    const operator = node.childForFieldName('operator')?.text ?? '';
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return keeps;
    const operands = [left, right];
    if (operands.every(isNumber)) return keeps;
    // String building (`"data/" + name + ".npy"`) and list concatenation keep the values.
    if ((operator === '+' || operator === '%') && operands.some(isStringExpression)) return keeps;
    if (operator === '+' && operands.some((n) => listTypes.has(n.type))) {
      return strongest(operands, (n) => this.expression(n, fn));
    }
    return valueOperators.has(operator) ? { kind: 'changes', at: node } : { kind: 'unknown', at: node };
  }

  private name(node: SyntaxNode, fn: FunctionInfo, part: number | undefined): Verdict {
    const iterable = comprehensionSource(node, fn.node);
    if (iterable) return this.expression(iterable, fn);
    const name = node.text;
    const key = `name:${fn.node.id}:${name}:${part}`;
    if (this.visiting.has(key)) return keeps;
    this.visiting.add(key);
    // No assignment in the function: a parameter, a global or a builtin, which is data as it comes.
    const stores = contributions([fn], (t) => t.type === 'identifier' && t.text === name, this.nodesOf);
    const verdict = strongest(stores, (c) => this.judge(c, part));
    this.visiting.delete(key);
    return verdict;
  }

  private attribute(node: SyntaxNode, fn: FunctionInfo): Verdict {
    const object = node.childForFieldName('object');
    const name = node.childForFieldName('attribute')?.text ?? '';
    if (object?.type === 'identifier' && object.text === 'self' && fn.owner) return this.selfAttribute(fn.owner, name);
    if (this.facts.imports.qualify(node)) return keeps; // a module constant such as `np.pi`
    return object ? this.expression(object, fn) : keeps;
  }

  /** `self.x`: every value stored into it by a method of the class or its in-file bases. */
  private selfAttribute(cls: ClassInfo, name: string): Verdict {
    const key = `self:${cls.node.id}:${name}`;
    if (this.visiting.has(key)) return keeps;
    this.visiting.add(key);
    const methods = classMethods(this.facts, cls);
    const target = `self.${name}`;
    const stores = contributions(methods, (t) => t.type === 'attribute' && t.text === target, this.nodesOf);
    const verdict = strongest(stores, (c) => this.judge(c, undefined));
    this.visiting.delete(key);
    return verdict;
  }

  /** The statements of a function that can store into a name. */
  private readonly nodesOf = (fn: FunctionInfo): readonly SyntaxNode[] => ownNodes(fn.node, contributionTypes);

  private judge(contribution: Contribution, part: number | undefined): Verdict {
    return contribution.verdict ?? this.element(contribution.node, contribution.fn, contribution.part ?? part);
  }

  private call(node: SyntaxNode, fn: FunctionInfo): Verdict {
    const callee = node.childForFieldName('function');
    if (!callee) return { kind: 'unknown', at: node };
    const called = functionReferenced(this.facts, fn.scope, callee);
    if (called) return this.outputs(called, undefined);
    const imports = this.facts.imports;
    const { positional, keywords } = callArguments(node);
    const dataArguments = (qualified: string) => {
      if (allArgumentsData.has(qualified)) return positional;
      const first = positional[0] ?? keywords.get('a') ?? keywords.get('x') ?? keywords.get('arrays') ?? keywords.get('image');
      return first ? [first] : [];
    };
    const keras = imports.keras(callee);
    const qualified = keras ?? imports.qualify(callee);
    if (qualified) {
      const symbol = qualified.slice(qualified.lastIndexOf('.') + 1);
      if (changingSymbols.has(symbol)) return { kind: 'changes', at: node };
      if (keras) {
        if (symbol === 'load_img') {
          const size = keywords.get('target_size');
          return size && size.type !== 'none' ? { kind: 'changes', at: node } : keeps;
        }
        if (keepingKerasSymbols.has(symbol)) return strongest(dataArguments(qualified), (n) => this.expression(n, fn));
        return { kind: 'unknown', at: node };
      }
      if (keepingFunctions.has(qualified)) return strongest(dataArguments(qualified), (n) => this.expression(n, fn));
      if (sourceFunctions.has(qualified) || sourcePrefixes.some((p) => qualified.startsWith(p))) return keeps;
      if (changingPrefixes.some((p) => qualified.startsWith(p))) return { kind: 'changes', at: node };
      return { kind: 'unknown', at: node };
    }
    if (callee.type === 'identifier') {
      if (sourceBuiltins.has(callee.text)) return keeps;
      if (keepingBuiltins.has(callee.text)) return strongest(dataArguments(callee.text), (n) => this.expression(n, fn));
      if (changingBuiltins.has(callee.text)) return { kind: 'changes', at: node };
      return { kind: 'unknown', at: node };
    }
    if (callee.type === 'attribute') {
      const method = callee.childForFieldName('attribute')?.text ?? '';
      const object = callee.childForFieldName('object');
      if (keepingMethods.has(method)) return object ? this.expression(object, fn) : keeps;
      if (augmentationMethods.has(method)) return strongest(positional.slice(0, 1), (n) => this.expression(n, fn));
      if (sourceMethods.has(method)) return keeps;
      if (changingMethods.has(method)) return { kind: 'changes', at: node };
    }
    return { kind: 'unknown', at: node };
  }
}

function isNumber(node: SyntaxNode): boolean {
  const value = unparen(node);
  if (value.type === 'unary_operator') {
    const argument = value.childForFieldName('argument');
    return !!argument && isNumber(argument);
  }
  return value.type === 'integer' || value.type === 'float';
}

function isStringExpression(node: SyntaxNode): boolean {
  const value = unparen(node);
  if (value.type === 'string' || value.type === 'concatenated_string') return true;
  if (value.type !== 'binary_operator') return false;
  return [value.childForFieldName('left'), value.childForFieldName('right')].some((n) => !!n && isStringExpression(n));
}

/** For a name bound by a comprehension around it (`[f(x) for x in xs]`), the iterable (`xs`). */
function comprehensionSource(node: SyntaxNode, stop: SyntaxNode): SyntaxNode | undefined {
  for (let p = node.parent; p && p.id !== stop.id; p = p.parent) {
    if (!comprehensionTypes.has(p.type)) continue;
    for (const clause of p.namedChildren.filter((c) => c.type === 'for_in_clause')) {
      const left = clause.childForFieldName('left');
      if (left && targetsOf(left).some((t) => t.text === node.text)) return clause.childForFieldName('right') ?? undefined;
    }
  }
  return undefined;
}

function targetsOf(left: SyntaxNode): SyntaxNode[] {
  const node = unparen(left);
  return patternTypes.has(node.type) ? node.namedChildren : [node];
}

/** `X[i][j]` → `X`: storing into an element changes what the array holds. */
function storageBase(target: SyntaxNode): SyntaxNode {
  let node = target;
  while (node.type === 'subscript') {
    const value = node.childForFieldName('value');
    if (!value) break;
    node = value;
  }
  return node;
}

/**
 * Every value that flows into a target in the given functions: assignments (with the tuple
 * element for `a, b = ...`), stores into its elements, `+=` and other augmented assignments,
 * `append`/`extend`/`insert`, and the iterable of a `for` loop over it.
 */
export function contributions(
  functions: FunctionInfo[],
  isTarget: (target: SyntaxNode) => boolean,
  nodesOf: (fn: FunctionInfo) => readonly SyntaxNode[],
): Contribution[] {
  const found: Contribution[] = [];
  for (const fn of functions) {
    for (const node of nodesOf(fn)) {
      if (node.type === 'assignment') {
        let right = node.childForFieldName('right');
        while (right?.type === 'assignment') right = right.childForFieldName('right');
        const left = node.childForFieldName('left');
        if (!left || !right) continue;
        const targets = targetsOf(left);
        targets.forEach((target, i) => {
          if (isTarget(storageBase(target))) found.push({ node: right, fn, ...(targets.length > 1 ? { part: i } : {}) });
        });
      } else if (node.type === 'augmented_assignment') {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right || !isTarget(storageBase(left))) continue;
        const extendsList = node.childForFieldName('operator')?.text === '+=' && listTypes.has(right.type);
        found.push(extendsList ? { node: right, fn } : { node, fn, verdict: { kind: 'changes', at: node } });
      } else if (node.type === 'call') {
        const callee = node.childForFieldName('function');
        const position = appendMethods[callee?.childForFieldName('attribute')?.text ?? ''];
        const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
        const item = position === undefined ? undefined : callArguments(node).positional[position];
        if (object && item && isTarget(object)) found.push({ node: item, fn });
      } else if (node.type === 'for_statement') {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left && right && targetsOf(left).some(isTarget)) found.push({ node: right, fn });
      }
    }
  }
  return found;
}

/** The `yield` expressions of a generator, else the `return` statements (named nodes: `yield` is a keyword too). */
export function yieldsOrReturns(fn: FunctionInfo): SyntaxNode[] {
  return ownNodes(fn.node, fn.isGenerator ? yieldTypes : returnTypes).filter((n) => n.isNamed);
}

export function classMethods(facts: FileFacts, cls: ClassInfo, seen = new Set<ClassInfo>()): FunctionInfo[] {
  if (seen.has(cls)) return [];
  seen.add(cls);
  const own = [...cls.methods.values()].map((m) => facts.semantic.functionOf(m)).filter((f): f is FunctionInfo => !!f);
  return [...own, ...cls.fileBases.flatMap((base) => classMethods(facts, base, seen))];
}
