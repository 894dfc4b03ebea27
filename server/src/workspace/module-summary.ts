import { SyntaxTree, type SyntaxNode } from '../engine/analysis/syntax';
import type { Tree } from 'web-tree-sitter';
import { unanalysableReason } from '../engine/engine';
import { layerMissingGetConfig } from '../engine/rules/KSM201-layer-missing-get-config';
import { layerInitMissingKwargs } from '../engine/rules/KSM202-layer-init-missing-kwargs';
import { isRegistered, isSerializable, storingCalls } from '../engine/rules/KSM203-custom-object-not-registered';
import { lstmMissingInputShape } from '../engine/rules/KSM301-lstm-missing-input-shape';
import type { Report, Rule } from '../engine/rules/rule';
import { classesUsedBy, importedClassesUsedBy } from '../engine/analysis/custom-classes';
import { allEvents, buildFacts, callArguments, definingModel, isKerasLayerClass, isKerasModelClass, selfCompileCall, type FileFacts, type FunctionInfo, type ModelFact } from '../engine/analysis/facts';
import { kerasSymbolOf, recurrentLayers, wrapperLayers } from '../engine/analysis/keras-names';
import { isSuppressed, noqaDirectives } from '../engine/analysis/noqa';
import { nodeRange } from '../engine/analysis/text';
import type { ModuleClass, ModuleFunction, ModuleProblem, ModuleResolver, ModuleSummary, UsedClass } from '../engine/analysis/types';
import { detectKerasVersion } from '../engine/analysis/version';

/**
 * The digest of a module that other files importing it need (see ModuleSummary): computed from
 * the module's text alone, so that it can be cached per file and recomputed only when that
 * file changes.
 */

/** The rules whose findings on a class or a returned model hold wherever it is used. */
const summaryRules: Rule[] = [layerMissingGetConfig, layerInitMissingKwargs, lstmMissingInputShape];

const emptySummary = (): ModuleSummary => ({ classes: [], functions: [], imports: {} });

/** Kinds of model that have their weights as soon as they are made. */
const builtKinds = new Set(['functional', 'loaded', 'clone', 'application']);

interface RuleFinding {
  code: string;
  report: Report;
  range: ModuleProblem['range'];
}

/**
 * The summary of a parsed module; empty when it cannot be analysed. Never throws. With a
 * resolver, the names the module imports from other modules are followed (one hop: give it
 * summaries made without one), so that its functions list the imported classes their models use.
 */
export function summarizeModule(text: string, tree: Tree, modules?: ModuleResolver): ModuleSummary {
  if (unanalysableReason(text)) return emptySummary();
  try {
    const facts = buildFacts(new SyntaxTree(text, tree), modules);
    const found = ruleFindings(facts);
    const classes = [...facts.classes.values()].filter((cls) => cls.kerasBases.size > 0).map((cls): ModuleClass => {
      const anchors = [cls.nameNode, cls.methods.get('__init__')?.childForFieldName('name')]
        .filter((n): n is SyntaxNode => n !== null && n !== undefined)
        .map((n) => n.startIndex);
      return {
        name: cls.name,
        range: nodeRange(cls.nameNode),
        kerasBases: [...cls.kerasBases],
        layer: isKerasLayerClass(cls),
        model: isKerasModelClass(cls),
        serializable: isSerializable(cls),
        registered: isRegistered(facts, cls),
        selfCompiles: selfCompileCall(cls) !== undefined,
        problems: found
          .filter((f) => f.code !== lstmMissingInputShape.code && f.report.node && anchors.includes(f.report.node.startIndex))
          .map((f) => ({ code: f.code, severity: f.report.severity, message: f.report.message, range: f.range })),
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

/** The findings of the summary rules, as the module's own analysis reports them (`# noqa` respected). */
function ruleFindings(facts: FileFacts): RuleFinding[] {
  const version = detectKerasVersion(facts.root, facts.imports, 'auto');
  const directives = noqaDirectives(facts.tree);
  const found: RuleFinding[] = [];
  for (const rule of summaryRules) {
    rule.run({
      facts,
      version,
      report(report) {
        const range = report.range ?? (report.node ? nodeRange(report.node) : undefined);
        if (range && !isSuppressed(directives, range.start.line, rule.code, rule.name)) found.push({ code: rule.code, report, range });
      },
    });
  }
  return found;
}

function isModuleLevel(fn: FunctionInfo): boolean {
  const statement = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node;
  return statement.parent?.type === 'module';
}

function returnedModel(facts: FileFacts, fn: FunctionInfo, model: ModelFact, found: RuleFinding[], classes: ModuleClass[]): ModuleFunction {
  const events = allEvents(model);
  const defining = definingModel(model);
  const unbuilt = found.find((f) => f.code === lstmMissingInputShape.code && f.report.models?.includes(model));
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
  if (unbuilt && first) summary.unbuiltFirstLayer = { ...layerName(facts, first), range: unbuilt.range };
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
