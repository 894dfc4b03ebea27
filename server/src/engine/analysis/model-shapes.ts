import type { SyntaxNode } from './syntax';
import { callArguments, definingModel, type FileFacts, type LayerEntry, type ModelFact } from './facts';
import { kerasSymbolOf } from './keras-names';
import { lastBinding, unparen, type Binding, type Scope } from './semantic';
import { dataShape, type Shape } from './shapes';

/**
 * What a model's code declares about the shapes it takes and gives, as written: the input shape
 * of one sample and the width of its output. Read from a `Sequential`'s layer list or a
 * functional model's `Input(...)` and output layer; undefined when the code does not show it.
 */

/** Keywords that declare a first layer's input shape, with or without the batch dimension. */
const sampleShapeKeywords = ['input_shape', 'shape'];
const batchShapeKeywords = ['batch_input_shape', 'batch_shape'];

/** The input shape of one sample (`(30, 1)`), as source text. */
export function declaredInputShape(facts: FileFacts, model: ModelFact): string | undefined {
  const defining = definingModel(model);
  if (defining.kind === 'sequential') {
    const first = defining.layers[0];
    return first?.call && shapeDeclaredBy(facts, first.call);
  }
  if (defining.kind === 'functional') {
    const { positional, keywords } = callArguments(defining.definition);
    const inputs = keywords.get('inputs') ?? positional[0];
    const input = inputs && followName(inputs, defining.scope);
    return input?.type === 'call' ? shapeDeclaredBy(facts, input) : undefined;
  }
  return undefined;
}

/** The number of units of the model's output layer (a `Dense`), as source text. */
export function outputWidth(facts: FileFacts, model: ModelFact): string | undefined {
  const defining = definingModel(model);
  let layer: SyntaxNode | undefined;
  if (defining.kind === 'sequential') {
    layer = lastEntry(defining.layers)?.call;
  } else if (defining.kind === 'functional') {
    const { positional, keywords } = callArguments(defining.definition);
    const outputs = keywords.get('outputs') ?? positional[1];
    // `Dense(1)(x)`: the layer is the callee of the call the output is bound to.
    const output = outputs && followName(outputs, defining.scope);
    const callee = output?.type === 'call' ? output.childForFieldName('function') : undefined;
    layer = callee?.type === 'call' ? callee : undefined;
  }
  if (!layer || kerasSymbolOf(facts.imports.keras(layer.childForFieldName('function')) ?? '') !== 'Dense') return undefined;
  const { positional, keywords } = callArguments(layer);
  const units = keywords.get('units') ?? positional[0];
  return units && /^\d+$/.test(units.text) ? units.text : undefined;
}

/** The sample shape an `Input`/`InputLayer` call or a first layer declares. */
function shapeDeclaredBy(facts: FileFacts, call: SyntaxNode): string | undefined {
  const keras = facts.imports.keras(call.childForFieldName('function'));
  if (!keras) return undefined;
  const { positional, keywords } = callArguments(call);
  for (const name of sampleShapeKeywords) {
    const shape = keywords.get(name);
    if (shape) return tupleText(shape);
  }
  if (kerasSymbolOf(keras) === 'Input' && positional[0]) return tupleText(positional[0]);
  for (const name of batchShapeKeywords) {
    const shape = unparen(keywords.get(name) ?? call);
    if (shape.type === 'tuple' && shape.namedChildren.length > 1) {
      const dims = shape.namedChildren.filter((c) => c.type !== 'comment').slice(1).map((c) => c.text);
      return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
    }
  }
  const inputDim = keywords.get('input_dim');
  return inputDim ? `(${inputDim.text},)` : undefined;
}

/** A tuple or list literal as a tuple's source text; undefined for anything else. */
function tupleText(node: SyntaxNode): string | undefined {
  const value = unparen(node);
  if (value.type === 'tuple') return value.text;
  if (value.type === 'list') return `(${value.namedChildren.filter((c) => c.type !== 'comment').map((c) => c.text).join(', ')}${value.namedChildren.length === 1 ? ',' : ''})`;
  return undefined;
}

/** A name's value: the last binding before it in the model's scope (followed a few times), else the node itself. */
function followName(node: SyntaxNode, scope: Scope): SyntaxNode | undefined {
  let value: SyntaxNode | undefined = unparen(node);
  for (let depth = 0; value?.type === 'identifier' && depth < 4; depth++) {
    const binding: Binding | undefined = lastBinding(scope, value.text, value.startIndex);
    value = binding && unparen(binding.value);
  }
  return value;
}

function lastEntry(layers: readonly LayerEntry[]): LayerEntry | undefined {
  return layers[layers.length - 1];
}

/**
 * The input shape of one sample (batch dimension dropped) read from the data the model is trained
 * or called on (`fit`, `predict`, `model(x)` …) in its scope; with only the feature count visible,
 * the other dimensions are `None`.
 */
export function trainingInputShape(facts: FileFacts, model: ModelFact): Shape | undefined {
  for (let m: ModelFact | undefined = model; m; m = m.origin) {
    for (const event of m.events) {
      if (event.kind !== 'build-step' || event.viaCall) continue;
      const { positional, keywords } = callArguments(event.call);
      const data = keywords.get('x') ?? positional[0];
      const shape = dataShape(data, m.scope, facts.imports, event.call.startIndex);
      if (!shape || shape.length < 2) continue;
      const input = shape.slice(1);
      const feature = input[input.length - 1];
      if (input.every((d) => d !== null)) return input;
      if (feature !== null && feature !== undefined) return [...input.slice(0, -1).map(() => null), feature];
    }
  }
  return undefined;
}
