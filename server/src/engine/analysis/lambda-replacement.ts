import type { SyntaxNode } from './syntax';
import { callArguments, type FileFacts } from './facts';
import { lastBinding, nodesWithin, unparen } from './semantic';
import { constantTransform } from './constant-arithmetic';
import { replaceNode } from './edits';
import { registeredLayer } from './custom-layers';
import type { Fix } from './types';
import type { KerasVersions } from './version';

/*
 * A `Lambda` layer replaced by a layer that saves by name (KSM503's fix, and KSM205's for a
 * `Lambda` of a named function).
 */

/** Activation functions by the qualified names a lambda calls them with, and their `Activation` name. */
const activationModules = ['keras.activations', 'keras.ops', 'keras.backend', 'tensorflow.nn', 'tensorflow.math'];
const activationNames = new Set(['relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'softplus', 'softsign', 'swish', 'silu', 'exponential', 'hard_sigmoid', 'leaky_relu', 'mish']);

/**
 * The `Lambda` replaced by a layer that saves by name: a built-in one where the lambda's body is
 * that layer's job (`Rescaling`, `Activation`), else a registered custom layer generated above the
 * model whose `call` returns the body. Unsafe: the model's layers change.
 */
export function lambdaReplacementFixes(facts: FileFacts, versions: KerasVersions, call: SyntaxNode): Fix[] {
  const { positional, keywords, keywordNodes } = callArguments(call);
  // The replacement computes its own output shape; other arguments (`arguments`, `mask`) would be lost.
  if (positional.length > 2 || [...keywords.keys()].some((k) => k !== 'function' && k !== 'output_shape' && !keptArguments.has(k))) return [];
  const kept = [...keywordNodes.entries()].filter(([k]) => keptArguments.has(k)).map(([, node]) => node.text);
  const withKept = (args: string) => [args, ...kept].filter(Boolean).join(', ');
  const scope = facts.semantic.scopeAt(call);
  const written = unparen(keywords.get('function') ?? positional[0]!);
  const fn = written.type === 'identifier' ? unparen(lastBinding(scope, written.text, call.startIndex)?.value ?? written) : written;
  const builtInFix = (builtIn: { layer: string; args: string } | undefined): Fix[] | undefined => {
    const spelled = builtIn && facts.imports.spell(`keras.layers.${builtIn.layer}`);
    if (!builtIn || !spelled) return undefined;
    const text = `${spelled.text}(${withKept(builtIn.args)})`;
    return [{ title: `Replace the \`Lambda\` with \`${text}\``, applicability: 'unsafe', edits: [...spelled.edits, replaceNode(call, text)] }];
  };
  if (fn.type === 'identifier' || fn.type === 'attribute') {
    const activation = activationOf(facts, fn);
    const builtIn = builtInFix(activation ? { layer: 'Activation', args: `"${activation}"` } : undefined);
    if (builtIn) return builtIn;
    const custom = customLayerFix(facts, versions, call, `${fn.text}(inputs)`, withKept(''));
    return custom ? [custom] : [];
  }
  const parameters = fn.childForFieldName('parameters')?.namedChildren ?? [];
  const body = fn.childForFieldName('body');
  const parameter = parameters[0];
  if (fn.type !== 'lambda' || parameters.length !== 1 || parameter?.type !== 'identifier' || !body) return [];
  const builtIn = builtInFix(builtInLayer(facts, body, parameter.text, call.startIndex));
  if (builtIn) return builtIn;
  // A nested lambda or comprehension could rebind the parameter; renaming it there is not safe.
  if (['lambda', 'list_comprehension', 'generator_expression', 'dictionary_comprehension', 'set_comprehension'].some((t) => nodesWithin(body, t).length > 0)) return [];
  const renamed = renameParameter(body, parameter.text);
  if (renamed.includes('\n')) return [];
  const custom = customLayerFix(facts, versions, call, renamed, withKept(''));
  return custom ? [custom] : [];
}

/** Arguments of the base `Layer` that the replacement takes as the `Lambda` did. */
const keptArguments = new Set(['name', 'input_shape', 'dtype', 'trainable']);

/** `x / 255` → Rescaling, `tf.nn.relu(x)` → Activation("relu"), when the body is only that, of the parameter. */
function builtInLayer(facts: FileFacts, body: SyntaxNode, parameter: string, before: number): { layer: string; args: string } | undefined {
  const value = unparen(body);
  const transform = constantTransform(facts, value, before);
  if (transform && unparen(transform.operand).type === 'identifier' && unparen(transform.operand).text === parameter) {
    return { layer: transform.layer, args: transform.args };
  }
  if (value.type !== 'call') return undefined;
  const activation = activationOf(facts, value.childForFieldName('function'));
  const { positional, keywords } = callArguments(value);
  if (!activation || keywords.size > 0 || positional.length !== 1 || unparen(positional[0]!).text !== parameter) return undefined;
  return { layer: 'Activation', args: `"${activation}"` };
}

/** The `Activation` name of a reference to an activation function (`tf.nn.relu` → `relu`). */
function activationOf(facts: FileFacts, reference: SyntaxNode | null): string | undefined {
  const qualified = facts.imports.qualify(reference);
  const canonical = qualified && (facts.imports.keras(reference) ?? qualified);
  const dot = canonical?.lastIndexOf('.') ?? -1;
  const module = canonical?.slice(0, dot);
  const name = canonical?.slice(dot + 1);
  return module && name && activationModules.includes(module) && activationNames.has(name) ? name : undefined;
}

/**
 * The `Lambda` replaced by a registered custom layer generated above the model (module names its
 * body reads are read as they are), whose `call` returns `returned`: the lambda's body with its
 * parameter renamed to `inputs`, or the named function called on them.
 */
function customLayerFix(facts: FileFacts, versions: KerasVersions, call: SyntaxNode, returned: string, callArguments: string): Fix | undefined {
  const version = versions.at(call.childForFieldName('function'));
  const layer = registeredLayer(facts, version, call, 'LambdaLayer', [`return ${returned}`]);
  if (!layer) return undefined;
  return {
    title: `Replace the \`Lambda\` with a registered custom layer \`${layer.className}\``,
    applicability: 'unsafe',
    edits: [...layer.edits, replaceNode(call, `${layer.className}(${callArguments})`)],
  };
}

/** The body's text with every use of the parameter as a name renamed to `inputs`. */
function renameParameter(body: SyntaxNode, parameter: string): string {
  const uses = nodesWithin(body, 'identifier').filter((id) => {
    if (id.text !== parameter) return false;
    const parent = id.parent;
    // `obj.x` and `f(x=...)` are not the parameter.
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) return false;
    return !(parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id);
  });
  let text = body.text;
  for (const id of [...uses].sort((a, b) => b.startIndex - a.startIndex)) {
    const at = id.startIndex - body.startIndex;
    text = text.slice(0, at) + 'inputs' + text.slice(at + id.text.length);
  }
  return text;
}
