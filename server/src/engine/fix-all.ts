import { applyEdits, editsOverlap } from './analysis/apply';
import type { AnalysisSettings, Finding, TextEdit } from './analysis/types';
import { analyzeText, type AnalysisResult } from './engine';

/** How many rounds of fixing before giving up, as ruff does, in case fixes keep producing fixes. */
const maxRounds = 10;

/** The safe fixes of one analysis that can be applied together (the first of any overlapping pair wins). */
export function safeFixEdits(findings: Finding[], text: string): TextEdit[] {
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

/** What one round of fixing saw and did: its analysis, and the next state when it applied fixes. */
export interface FixRound<S> {
  result: AnalysisResult;
  next?: S;
}

/**
 * Fixes in rounds, as ruff does: analyse, apply the safe fixes that fit together, and again,
 * until a round has nothing to apply (fixes can make new ones possible) or `maxRounds` is
 * reached. Returns the final state, how many findings were fixed, and the analysis of the
 * final state when the last round saw it (not when the rounds ran out).
 */
export function fixInRounds<S>(initial: S, round: (state: S) => FixRound<S>): { state: S; applied: number; result?: AnalysisResult } {
  let state = initial;
  let applied = 0;
  for (let i = 0; i < maxRounds; i++) {
    const { result, next } = round(state);
    if (next === undefined) return { state, applied, result };
    state = next;
    applied += result.findings.filter((f) => f.fixes.some((x) => x.applicability === 'safe')).length;
  }
  return { state, applied };
}

/** Applies every safe fix of a file's text; the result is the analysis of the text returned, when known. */
export function fixAll(text: string, settings: AnalysisSettings): { text: string; applied: number; result?: AnalysisResult } {
  const { state, applied, result } = fixInRounds(text, (current) => {
    const analysis = analyzeText(current, settings);
    const edits = analysis.skipped && analysis.findings.length === 0 ? [] : safeFixEdits(analysis.findings, current);
    return { result: analysis, ...(edits.length > 0 ? { next: applyEdits(current, edits) } : {}) };
  });
  return { text: state, applied, ...(result ? { result } : {}) };
}
