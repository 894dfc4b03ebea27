import type { SyntaxNode } from '../analysis/syntax';
import { insertBefore, removeArgument, replaceNode, statementOf } from '../analysis/edits';
import { callArguments } from '../analysis/facts';
import { kerasSymbolOf } from '../analysis/keras-names';
import { lastBinding, unparen, type Scope } from '../analysis/semantic';
import { eolOf, indentOf, positionOf } from '../analysis/text';
import type { Fix, KerasVersionInfo, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const removedInputArguments: Rule = {
  code: 'KSM303',
  name: 'removed-input-arguments',
  summary: '`batch_input_shape=` on a layer or `Input`, or `Input(tensor=...)` on a non-Keras tensor, which Keras 3 rejects',
  severity: 'error under Keras 3; warning when the version is unknown; silent under Keras 2',
  fixSafety: 'safe or unsafe by case',
  check: 'input-shape',
  docs: {
    what:
      'Flags, when the call is Keras 3\'s (the implementation its name resolves to):\n\n' +
      '- `batch_input_shape=` on a Keras layer other than `InputLayer` (which accepts it from Keras 3.0.2 on);\n' +
      '- `keras.Input(batch_input_shape=...)`;\n' +
      '- `keras.Input(tensor=t)` where `t` is a backend variable, constant or placeholder, a TensorFlow constant or ' +
      'variable, a NumPy array, or `K.concatenate`/`K.stack` of those, written in the argument or bound to the name ' +
      'in the same scope.\n\n' +
      'The anchor is the argument. Under Keras 3 the finding is an **error**; with the version unknown, a ' +
      '**warning** whose explanation names both behaviours.',
    why:
      'Keras 3, which TensorFlow 2.16 and later install, rejects keywords a layer does not know: "Unrecognized ' +
      'keyword arguments passed to LSTM: {\'batch_input_shape\': …}". `keras.Input` takes no `**kwargs`, so ' +
      '`batch_input_shape=` there is a `TypeError`, and it accepts only a symbolic tensor as `tensor=`: "Argument ' +
      '`input_tensor` must be a KerasTensor. Received invalid type: …". The model is never built, so there is ' +
      'nothing to save. Keras 2 accepted all three.',
    notFlagged:
      '`InputLayer(batch_input_shape=...)`; `Input(tensor=other_model.output)` and other Keras tensors, and names ' +
      'whose value is not visible in the same scope; layers of other libraries and of the file\'s own classes; files ' +
      'and names under Keras 2.',
    example: [
      'model = keras.Sequential([',
      '    layers.LSTM(32, stateful=True, batch_input_shape=(16, 10, 8)),',
      '    layers.Dense(1),',
      '])',
    ].join('\n'),
    fixed: [
      'model = keras.Sequential([',
      '    keras.Input(shape=(10, 8), batch_size=16),',
      '    layers.LSTM(32, stateful=True),',
      '    layers.Dense(1),',
      '])',
    ].join('\n'),
    fix:
      '`batch_input_shape=(B, *S)` written as a tuple: on the first layer of a `Sequential`, *declare the input* ' +
      'with `keras.Input(shape=S, batch_size=B)` inserted before it and the argument removed; on `keras.Input`, ' +
      '*use `shape=S, batch_size=B`*; on a layer called on a tensor (`Dense(4, batch_input_shape=...)(x)`), *remove ' +
      'it* (safe: the layer takes its shape from that tensor, in Keras 2 as well). Safe when `B` is `None` (then ' +
      '`batch_size` is left out); unsafe otherwise, ' +
      'since a stateful model keeps its batch size only through `batch_size`, which must be checked. ' +
      '`Input(tensor=...)` has no fix: Keras 3 needs a symbolic `Input(shape=...)`, fed with the data when the ' +
      'model is called or fitted.',
    references: [
      'https://keras.io/guides/migrating_to_keras_3/',
      'https://keras.io/api/layers/core_layers/input/',
      'https://keras.io/api/models/sequential/',
    ],
  },
  run(context) {
    for (const argument of context.facts.tree.ofType('keyword_argument')) {
      const name = argument.childForFieldName('name')?.text;
      if (name !== 'batch_input_shape' && name !== 'tensor') continue;
      const call = argument.parent?.parent;
      const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
      const keras = callee ? context.facts.imports.keras(callee) : undefined;
      if (!call || !callee || !keras || (!keras.startsWith('keras.layers.') && keras !== 'keras.Input')) continue;
      const version = context.versions.at(callee);
      if (version.major === 2) continue;
      const symbol = kerasSymbolOf(keras);
      if (name === 'batch_input_shape' && symbol !== 'InputLayer') reportBatchShape(context, call, symbol, argument, version);
      else if (name === 'tensor' && symbol === 'Input') checkTensor(context, call, argument, version);
    }
  },
};

const ofKeras3 = 'Keras 3, which TensorFlow 2.16 and later install,';

function reportBatchShape(context: RuleContext, call: SyntaxNode, symbol: string, argument: SyntaxNode, version: KerasVersionInfo): void {
  const raised = symbol === 'Input'
    ? '`TypeError`: `Input` takes no `**kwargs`'
    : `"Unrecognized keyword arguments passed to ${symbol}: {'batch_input_shape': …}"`;
  const message = version.major === 3 ? 'Keras 3 removed `batch_input_shape`' : '`batch_input_shape` fails under Keras 3';
  const detail = version.major === 3
    ? `Keras 3 raises ${raised}. Declare the input with \`Input(shape=..., batch_size=...)\`.`
    : `${ofKeras3} raises ${raised}; Keras 2 accepts it. \`Input(shape=..., batch_size=...)\` works in both.`;
  context.report({
    node: argument,
    severity: version.major === 3 ? 'error' : 'warning',
    message,
    detail,
    fixes: batchShapeFixes(context, call, symbol, argument),
  });
}

function batchShapeFixes(context: RuleContext, call: SyntaxNode, symbol: string, argument: SyntaxNode): Fix[] {
  const value = argument.childForFieldName('value');
  const dims = value && unparen(value).type === 'tuple' ? unparen(value).namedChildren.filter((c) => c.type !== 'comment') : [];
  if (dims.length < 2 || dims.some((d) => d.type === 'list_splat')) return [];
  const batch = dims[0]!.text;
  const sample = dims.slice(1).map((d) => d.text);
  const input = `shape=(${sample.join(', ')}${sample.length === 1 ? ',' : ''})${batch === 'None' ? '' : `, batch_size=${batch}`}`;
  const applicability = batch === 'None' ? 'safe' : 'unsafe';
  const check = batch === 'None' ? '' : ' (check: a stateful model needs this batch size)';
  if (symbol === 'Input') {
    if (callArguments(call).keywords.has('shape')) return [];
    return [{ title: `Use \`${input}\`${check}`, applicability, edits: [replaceNode(argument, input)], preferred: true }];
  }
  // `Dense(4, batch_input_shape=...)(x)`: the layer takes its shape from the tensor it is called on.
  if (call.parent?.type === 'call' && call.parent.childForFieldName('function')?.id === call.id) {
    return [{ title: 'Remove `batch_input_shape=`: the layer takes its shape from the tensor it is called on', applicability: 'safe', edits: [removeArgument(argument)], preferred: true }];
  }
  const spelled = context.facts.imports.spell('keras.Input', ['keras.layers.Input']);
  const layer = spelled && `${spelled.text}(${input})`;
  const inserted = layer && insertInput(context, call, layer);
  if (!spelled || !layer || !inserted) return [];
  return [{
    title: `Declare the input with \`${layer}\`${check}`,
    applicability,
    edits: [inserted, removeArgument(argument), ...spelled.edits],
    preferred: true,
  }];
}

/** Inserts an input layer before a `Sequential`'s first layer, when the call is one: a list element, or the first `add`. */
function insertInput(context: RuleContext, call: SyntaxNode, layer: string): TextEdit | undefined {
  const text = context.facts.text;
  const model = context.facts.models.find((m) => m.kind === 'sequential' && m.layers[0]?.call?.id === call.id);
  const element = model?.layers[0]?.element;
  if (!model || !element) return undefined;
  if (model.layerList && element.parent?.id === model.layerList.id) {
    const lineStart = text.lastIndexOf('\n', element.startIndex - 1) + 1;
    if (/^[ \t]*$/.test(text.slice(lineStart, element.startIndex))) {
      const at = { line: element.startPosition.row, character: 0 };
      return { range: { start: at, end: at }, newText: `${indentOf(element, text)}${layer},${eolOf(text)}` };
    }
    const at = positionOf(element.startPosition);
    return { range: { start: at, end: at }, newText: `${layer}, ` };
  }
  const add = element.parent?.parent;
  const receiver = add?.type === 'call' ? add.childForFieldName('function')?.childForFieldName('object') : undefined;
  return add && receiver ? insertBefore(statementOf(add), `${receiver.text}.add(${layer})`, text) : undefined;
}

function checkTensor(context: RuleContext, call: SyntaxNode, argument: SyntaxNode, version: KerasVersionInfo): void {
  const value = argument.childForFieldName('value');
  const scope = context.facts.semantic.scopeAt(call);
  const origin = value && concreteValue(context, scope, value, call.startIndex, 0);
  if (!origin) return;
  const raised = '"Argument `input_tensor` must be a KerasTensor. Received invalid type: …"';
  const why = `\`${origin}\` makes a concrete value, not a symbolic tensor`;
  const message = `\`tensor=\` is given a concrete value, which ${version.major === 3 ? 'Keras 3 rejects' : 'fails under Keras 3'}`;
  const detail = version.major === 3
    ? `Keras 3 raises ${raised}: ${why}. Declare \`Input(shape=...)\` and feed the value as data when the model is called or fitted.`
    : `${ofKeras3} raises ${raised}: ${why}; Keras 2 accepts it. Keras 3 needs \`Input(shape=...)\`, ` +
      'fed with the value as data when the model is called or fitted.';
  context.report({ node: argument, severity: version.major === 3 ? 'error' : 'warning', message, detail });
}

/** Functions that make a concrete (non-symbolic) tensor or array, by qualified name. */
const concreteMakers = new Set([
  'tensorflow.constant', 'tensorflow.Variable', 'tensorflow.convert_to_tensor',
]);
const backendMakers = new Set(['variable', 'constant', 'placeholder']);
const backendJoins = new Set(['concatenate', 'stack']);

/**
 * The function that makes a value, as written, when it is a concrete tensor or array: a call of
 * a maker above, `np.*`, or a backend join of such values; a name is followed to its value in
 * the same scope. Undefined when it may be a Keras tensor or is not visible.
 */
function concreteValue(context: RuleContext, scope: Scope, node: SyntaxNode, before: number, depth: number): string | undefined {
  const n = unparen(node);
  if (depth > 4) return undefined;
  if (n.type === 'identifier') {
    const binding = lastBinding(scope, n.text, before);
    return binding && concreteValue(context, scope, binding.value, binding.offset, depth + 1);
  }
  if (n.type !== 'call') return undefined;
  const fn = n.childForFieldName('function');
  const qualified = context.facts.imports.qualify(fn);
  if (!fn || !qualified) return undefined;
  if (concreteMakers.has(qualified) || qualified.startsWith('numpy.')) return fn.text;
  const keras = context.facts.imports.keras(fn);
  if (!keras?.startsWith('keras.backend.')) return undefined;
  const symbol = kerasSymbolOf(keras);
  if (backendMakers.has(symbol)) return fn.text;
  if (!backendJoins.has(symbol)) return undefined;
  const parts = callArguments(n).positional[0];
  const list = parts && unparen(parts);
  if (!list || (list.type !== 'list' && list.type !== 'tuple')) return undefined;
  const elements = list.namedChildren.filter((c) => c.type !== 'comment');
  const all = elements.length > 0 && elements.every((e) => concreteValue(context, scope, e, before, depth + 1) !== undefined);
  return all ? fn.text : undefined;
}
