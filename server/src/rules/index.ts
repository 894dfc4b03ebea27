import { saveBeforeCompile } from './KSM101-save-before-compile';
import { fitGeneratorRemoved } from './KSM402-fit-generator-removed';
import type { Rule } from './rule';

/** Every rule, in code order. */
export const rules: Rule[] = [
  saveBeforeCompile,
  fitGeneratorRemoved,
];

/** A rule by code (any case) or kebab-case name. */
export function findRule(codeOrName: string): Rule | undefined {
  const key = codeOrName.trim().toLowerCase();
  return rules.find((r) => r.code.toLowerCase() === key || r.name === key);
}
