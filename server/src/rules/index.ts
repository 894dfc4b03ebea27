import { saveBeforeCompile } from './KSM101-save-before-compile';
import { lstmMissingInputShape } from './KSM301-lstm-missing-input-shape';
import { fitGeneratorRemoved } from './KSM402-fit-generator-removed';
import type { Rule } from './rule';

/** Every rule, in code order. */
export const rules: Rule[] = [
  saveBeforeCompile,
  lstmMissingInputShape,
  fitGeneratorRemoved,
];

/** A rule by code (any case) or kebab-case name. */
export function findRule(codeOrName: string): Rule | undefined {
  const key = codeOrName.trim().toLowerCase();
  return rules.find((r) => r.code.toLowerCase() === key || r.name === key);
}
