import { applyEdits, editsOverlap } from './analysis/apply';
import type { AnalysisSettings, TextEdit } from './analysis/types';
import { analyzeText } from './engine';

/** How many rounds of fixing before giving up, as ruff does, in case fixes keep producing fixes. */
const maxRounds = 10;

/** The safe fixes of one analysis that can be applied together (the first of any overlapping pair wins). */
export function safeFixEdits(findings: import('./analysis/types').Finding[], text: string): TextEdit[] {
  const chosen: TextEdit[] = [];
  for (const finding of findings) {
    const fix = finding.fixes.find((f) => f.applicability === 'safe' && f.preferred !== false) ??
      finding.fixes.find((f) => f.applicability === 'safe');
    if (!fix || fix.edits.length === 0) continue;
    if (editsOverlap(chosen, fix.edits, text)) continue;
    chosen.push(...fix.edits);
  }
  return chosen;
}

/** Applies every safe fix, re-analysing between rounds, and returns the new text and how many fixes applied. */
export function fixAll(text: string, settings: AnalysisSettings): { text: string; applied: number } {
  let current = text;
  let applied = 0;
  for (let round = 0; round < maxRounds; round++) {
    const result = analyzeText(current, settings);
    if (result.skipped && result.findings.length === 0) break;
    const edits = safeFixEdits(result.findings, current);
    if (edits.length === 0) break;
    current = applyEdits(current, edits);
    applied += result.findings.filter((f) => f.fixes.some((x) => x.applicability === 'safe')).length;
  }
  return { text: current, applied };
}
