import { applyEdits, editsOverlap } from './analysis/apply';
import type { AnalysisSettings, Finding, TextEdit } from './analysis/types';
import { analyzeText, type AnalysisResult } from './engine';

/** How many rounds of fixing before giving up, as ruff does, in case fixes keep producing fixes. */
const maxRounds = 10;

/**
 * The safe fixes of one analysis that can be applied together (the first of any overlapping pair
 * wins; the others wait for the next round), and the findings they fix.
 */
export function chooseSafeFixes(findings: Finding[], text: string): { edits: TextEdit[]; fixed: Finding[] } {
  const edits: TextEdit[] = [];
  const fixed: Finding[] = [];
  for (const finding of findings) {
    const fix = finding.fixes.find((f) => f.applicability === 'safe' && f.preferred !== false) ??
      finding.fixes.find((f) => f.applicability === 'safe');
    if (!fix || fix.edits.length === 0) continue;
    if (editsOverlap(edits, fix.edits, text)) continue;
    edits.push(...fix.edits);
    fixed.push(finding);
  }
  return { edits, fixed };
}

/** The edits of `chooseSafeFixes`. */
export function safeFixEdits(findings: Finding[], text: string): TextEdit[] {
  return chooseSafeFixes(findings, text).edits;
}

/** What one round of fixing saw and did: its analysis, and the next state when it applied fixes. */
export interface FixRound<S> {
  result: AnalysisResult;
  next?: S;
  /** The findings whose fixes made `next`. */
  fixed?: Finding[];
}

/**
 * Fixes in rounds, as ruff does: analyse, apply the safe fixes that fit together, and again,
 * until a round has nothing to apply (fixes can make new ones possible) or `maxRounds` is
 * reached. Returns the final state, how many findings were fixed, and the analysis of the
 * final state when the last round saw it (not when the rounds ran out).
 */
export function fixInRounds<S>(initial: S, round: (state: S) => FixRound<S>): { state: S; applied: number; fixed: Finding[]; result?: AnalysisResult } {
  let state = initial;
  const fixed: Finding[] = [];
  for (let i = 0; i < maxRounds; i++) {
    const { result, next, fixed: now = [] } = round(state);
    if (next === undefined) return { state, applied: fixed.length, fixed, result };
    state = next;
    // Only the findings whose fixes were applied: one held back for overlapping counts in its own round.
    fixed.push(...now);
  }
  return { state, applied: fixed.length, fixed };
}

/** Applies every safe fix of a file's text; the result is the analysis of the text returned, when known. */
export function fixAll(text: string, settings: AnalysisSettings): { text: string; applied: number; fixed: Finding[]; result?: AnalysisResult } {
  const { state, applied, fixed, result } = fixInRounds(text, (current) => {
    const analysis = analyzeText(current, settings);
    const chosen = analysis.skipped && analysis.findings.length === 0 ? { edits: [], fixed: [] } : chooseSafeFixes(analysis.findings, current);
    return { result: analysis, ...(chosen.edits.length > 0 ? { next: applyEdits(current, chosen.edits), fixed: chosen.fixed } : {}) };
  });
  return { text: state, applied, fixed, ...(result ? { result } : {}) };
}
