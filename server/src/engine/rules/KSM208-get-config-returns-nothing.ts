import { configFamily, configVariable, ownGetConfig, type ConfigFamily, type GetConfigMethod } from '../analysis/config-methods';
import { modelsUsing } from '../analysis/custom-classes';
import { insertAfter, replaceNode } from '../analysis/edits';
import type { ClassInfo } from '../analysis/semantic';
import { indentOf } from '../analysis/text';
import type { Fix, TextEdit } from '../analysis/types';
import type { Rule, RuleContext } from './rule';

export const getConfigReturnsNothing: Rule = {
  code: 'KSM208',
  name: 'get-config-returns-nothing',
  summary: 'A `get_config` of a custom class that returns nothing, so every full-model save fails',
  severity: 'error',
  fixSafety: 'safe',
  check: 'custom-objects',
  docs: {
    what:
      'Flags the `get_config` of a custom layer or model, or of a custom `Loss`, `Metric`, ' +
      '`LearningRateSchedule`, `Regularizer`, `Constraint` or `Initializer` subclass, whose body has no `return` ' +
      'with a value: no `return` at all, a bare `return`, or only `return None`. Returns inside nested ' +
      'functions, lambdas and classes do not count. The typical case builds `config` and forgets to return it.',
    why:
      'The method returns `None`, and every full-model save of a model that uses the object fails (a ' +
      '`ModelCheckpoint` at the end of the first epoch, `clone_model` too). Keras 3 and Keras 2.13–2.15 ' +
      '`.keras` saves raise "TypeError: The `get_config()` method of <obj> should return a dict. It returned: ' +
      'None"; the `.h5` and Keras 2 SavedModel writers fail with that error or with "AttributeError: ' +
      '\'NoneType\' object has no attribute \'items\'", depending on the writer.',
    notFlagged:
      'A body that ends in `raise`, or a method marked `@abstractmethod` (a base meant to be overridden); a ' +
      '`get_config` with at least one `return <value>` (paths are not judged); a class without `get_config` ' +
      '(KSM201, KSM204). KSM206 is never reported on the same method.',
    example: [
      'class Scale(keras.layers.Layer):',
      '    def get_config(self):',
      '        config = super().get_config()',
      '        config["factor"] = self.factor',
    ].join('\n'),
    fixed: [
      'class Scale(keras.layers.Layer):',
      '    def get_config(self):',
      '        config = super().get_config()',
      '        config["factor"] = self.factor',
      '        return config',
    ].join('\n'),
    fix:
      '*Return the config* (safe): when the body binds exactly one local name to a dict in a statement of its ' +
      'own (`config = super().get_config()`, a dict literal, `dict(…)`), appends `return config` at the end of ' +
      'the body, at its indentation (replacing a final bare `return` or `return None`). Otherwise there is no ' +
      'fix, and the explanation shows the expected shape: `return {**super().get_config(), …}` for layers, models, ' +
      'losses and metrics, a plain `return {…}` for the other bases, whose own `get_config` raises or returns `{}`.',
    references: [
      'https://keras.io/guides/serialization_and_saving/#custom-objects',
      'https://keras.io/guides/making_new_layers_and_models_via_subclassing/',
    ],
  },
  run(context) {
    for (const cls of context.facts.classes.values()) checkClass(context, cls);
  },
};

function checkClass(context: RuleContext, cls: ClassInfo): void {
  const family = configFamily(context.facts, cls);
  const method = family ? ownGetConfig(cls) : undefined;
  if (!family || !method || method.abstract || method.valueReturns.length > 0) return;
  const fix = returnFix(context, method);
  const shape = mergesBaseConfig(family) ? '`return {**super().get_config(), …}`' : 'a plain `return {…}`';
  context.report({
    node: method.nameNode,
    severity: 'error',
    message: `\`${cls.name}.get_config\` returns nothing, so every full-model save that uses it fails`,
    detail:
      '`.keras` saves raise "TypeError: The `get_config()` method of <obj> should return a dict. It returned: None", ' +
      '`.h5` and SavedModel saves that error or "AttributeError: \'NoneType\' object has no attribute \'items\'".' +
      (fix ? '' : ` End it with ${shape}.`),
    fixes: fix ? [fix] : [],
    models: modelsUsing(context.facts, cls),
  });
}

/** Layers, models, losses and metrics start their config from the base one; the other bases have none to merge. */
function mergesBaseConfig(family: ConfigFamily): boolean {
  return family === 'layer' || family === 'loss' || family === 'metric';
}

function returnFix(context: RuleContext, method: GetConfigMethod): Fix | undefined {
  const name = configVariable(method);
  const body = method.definition.childForFieldName('body');
  const statements = body?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  const first = statements[0];
  const last = statements[statements.length - 1];
  // A body on the `def` line has no indentation to follow.
  if (!name || !first || !last || body!.startPosition.row === method.definition.startPosition.row) return undefined;
  const edit: TextEdit = method.emptyReturns.some((r) => r.id === last.id)
    ? replaceNode(last, `return ${name}`)
    : insertAfter(last, [`return ${name}`], indentOf(first, context.facts.text), context.facts.text);
  return { title: `Return \`${name}\` at the end of \`get_config\``, applicability: 'safe', edits: [edit], preferred: true };
}
