import type { SyntaxNode } from './syntax';
import { insertBefore } from './edits';
import type { FileFacts } from './facts';
import type { KerasVersionInfo, TextEdit } from './types';
import { versionIn } from './version';

/** A custom layer generated into the file: the name it got, and the edits that define it. */
export interface GeneratedLayer {
  className: string;
  edits: TextEdit[];
  /** Registered through `tensorflow`, whose import the caller provides. */
  throughTensorflow: boolean;
}

/**
 * A registered custom layer class generated above the module-level statement that holds
 * `anchor`, decorated with `register_keras_serializable()` in the file's spelling (`keras.saving.`
 * with Keras 3 or keras 2.12 or later in evidence, `keras.utils.` otherwise; through `tensorflow`,
 * named `tensorflow` here, when no Keras import of the file reaches it), whose `call` runs
 * `body` on `inputs`. It needs no `get_config`: its `__init__` takes nothing of its own. The class
 * is named `className`, or `className2`, ... when the file already uses that name.
 */
export function registeredLayer(
  facts: FileFacts,
  version: KerasVersionInfo,
  anchor: SyntaxNode,
  className: string,
  body: string[],
  tensorflow?: string,
): GeneratedLayer | undefined {
  let statement: SyntaxNode = anchor;
  while (statement.parent && statement.parent.type !== 'module') statement = statement.parent;
  if (!statement.parent || statement.hasError) return undefined;
  const module = version.major === 3 || versionIn(version, [2, 12]) === true ? 'keras.saving' : 'keras.utils';
  const spelled = facts.imports.spell(`${module}.register_keras_serializable`);
  const register = spelled ?? (tensorflow ? { text: `${tensorflow}.keras.utils.register_keras_serializable`, edits: [] } : undefined);
  const base = facts.imports.spell('keras.layers.Layer');
  if (!register || !base) return undefined;
  let name = className;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(facts.text); i++) name = `${className}${i}`;
  const definition = insertBefore(statement, [
    `@${register.text}()`,
    `class ${name}(${base.text}):`,
    '    def call(self, inputs):',
    ...body.map((line) => `        ${line}`),
    '',
    '',
  ], facts.text);
  return definition && { className: name, edits: [...register.edits, ...base.edits, definition], throughTensorflow: !spelled };
}
