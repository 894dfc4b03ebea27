import type { SyntaxNode } from '../engine/analysis/syntax';
import type { Tree } from 'web-tree-sitter';
import { factsOf, runRules, unanalysableReason } from '../engine/engine';
import { classesUsedBy, importedClassesUsedBy } from '../engine/analysis/custom-classes';
import { classRegistration, isRegistered, isSerializable, storingCalls } from '../engine/analysis/custom-objects';
import { allEvents, callArguments, definingModel, isKerasLayerClass, isKerasModelClass, selfCompileCall, type FileFacts, type ModelFact } from '../engine/analysis/facts';
import { type FunctionInfo } from '../engine/analysis/semantic';
import { kerasSymbolOf, recurrentLayers, wrapperLayers } from '../engine/analysis/keras-names';
import { nodeRange } from '../engine/analysis/text';
import type { AnalysisSettings, Finding, ModuleClass, ModuleFunction, ModuleSummary, UsedClass } from '../engine/analysis/types';

/**
 * The digest of a module that other files importing it need (see ModuleSummary): computed from
 * the module's text alone, so that it can be cached per file and recomputed only when that
 * file changes.
 */

/** The rules whose findings on a class or a returned model hold wherever it is used. */
const summaryRules: ReadonlySet<string> = new Set(['KSM201', 'KSM202', 'KSM301']);
const unbuiltModelRule = 'KSM301';

const emptySummary = (): ModuleSummary => ({ classes: [], functions: [], imports: {} });

/** Kinds of model that have their weights as soon as they are made. */
const builtKinds = new Set(['functional', 'loaded', 'clone', 'application']);

/**
 * The summary of a parsed module, from the engine's analysis of it with the module's own
 * settings (Keras version, rule levels: a rule turned off there reports nothing here either);
 * empty when it cannot be analysed. Never throws. With `settings.modules`, the names the module
 * imports from other modules are followed (one hop: give it summaries made without one), so
 * that its functions list the imported classes their models use.
 */
export function summarizeModule(text: string, tree: Tree, settings: AnalysisSettings): ModuleSummary {
  if (unanalysableReason(text)) return emptySummary();
  try {
    const { facts, versions } = factsOf(text, tree, settings);
    const found = runRules(facts, versions, settings, summaryRules).findings;
    const classes = [...facts.classes.values()].filter((cls) => cls.kerasBases.size > 0).map((cls): ModuleClass => {
      const anchors = [cls.nameNode, cls.methods.get('__init__')?.childForFieldName('name')]
        .filter((n): n is SyntaxNode => n !== null && n !== undefined)
        .map((n) => n.startPosition);
      const registered = isRegistered(facts, cls);
      const registration = registered || !isSerializable(cls) ? undefined : classRegistration(facts, versions, cls);
      return {
        name: cls.name,
        range: nodeRange(cls.nameNode),
        kerasBases: [...cls.kerasBases],
        layer: isKerasLayerClass(cls),
        model: isKerasModelClass(cls),
        serializable: isSerializable(cls),
        registered,
        selfCompiles: selfCompileCall(cls) !== undefined,
        ...(registration ? { registration } : {}),
        problems: found
          .filter((f) => f.code !== unbuiltModelRule && anchors.some((a) => a.row === f.range.start.line && a.column === f.range.start.character))
          .map((f) => ({ code: f.code, severity: f.severity, message: f.message, range: f.range })),
      };
    });
    return {
      classes,
      functions: facts.functions.filter(isModuleLevel).flatMap((fn) => (fn.returns ? [returnedModel(facts, fn, fn.returns, found, classes)] : [])),
      imports: Object.fromEntries(facts.imports.bindings()),
    };
  } catch {
    return emptySummary();
  }
}

function isModuleLevel(fn: FunctionInfo): boolean {
  const statement = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node;
  return statement.parent?.type === 'module';
}

function returnedModel(facts: FileFacts, fn: FunctionInfo, model: ModelFact, found: Finding[], classes: ModuleClass[]): ModuleFunction {
  const events = allEvents(model);
  const defining = definingModel(model);
  const unbuilt = found.find((f) => f.code === unbuiltModelRule && f.modelIds.includes(model.id));
  const summary: ModuleFunction = {
    name: fn.name,
    range: nodeRange(fn.node.childForFieldName('name') ?? fn.node),
    kind: defining.kind,
    compiled: defining.kind === 'loaded' || model.unordered.has('compile') || events.some((e) => e.kind === 'compile'),
    built: builtKinds.has(defining.kind) ||
      events.some((e) => e.kind === 'build-step' || e.kind === 'build-with-shape') ||
      (defining.kind === 'sequential' && defining.layers.length > 0 && !unbuilt),
    classes: usedClasses(facts, model, classes),
  };
  const first = defining.layers[0]?.call;
  if (unbuilt && first) summary.unbuiltFirstLayer = { ...layerName(facts, first), range: unbuilt.range, fixes: unbuilt.fixes };
  return summary;
}

/** The module's classes and the imported ones that the model uses, each marked when the saved model stores it by name. */
function usedClasses(facts: FileFacts, model: ModelFact, classes: ModuleClass[]): UsedClass[] {
  const storing = storingCalls(facts, model);
  const stores = (calls: SyntaxNode[]): boolean => calls.some((call) => storing.some((s) => s.id === call.id));
  const own = [...classesUsedBy(facts, model)].flatMap((info): UsedClass[] => {
    const cls = classes.find((c) => c.name === info.name);
    if (!cls) return [];
    // The definitions of a subclassed model are among the storing calls: `Forecaster()`.
    return [{ cls, stored: storing.some((call) => call.childForFieldName('function')?.text === info.name) }];
  });
  const imported = [...importedClassesUsedBy(facts, model).values()].map((use): UsedClass => ({
    cls: use.cls,
    ...(use.uri !== undefined ? { uri: use.uri } : {}),
    stored: stores(use.calls),
  }));
  return [...own, ...imported];
}

/** `LSTM`, `Bidirectional(LSTM)`, or the callee as written for a layer that is not Keras's own. */
function layerName(facts: FileFacts, call: SyntaxNode): { name: string; recurrent: boolean } {
  const fn = call.childForFieldName('function');
  const keras = facts.imports.keras(fn);
  if (!keras) return { name: fn?.text ?? call.text, recurrent: false };
  const symbol = kerasSymbolOf(keras);
  const { positional, keywords } = callArguments(call);
  const inner = wrapperLayers.has(symbol) ? keywords.get('layer') ?? positional[0] : undefined;
  if (inner?.type === 'call') {
    const wrapped = layerName(facts, inner);
    return { name: `${symbol}(${wrapped.name})`, recurrent: wrapped.recurrent };
  }
  return { name: symbol, recurrent: recurrentLayers.has(symbol) };
}
