import { applyEdits, editsOverlap } from './analysis/apply';
import type { AnalysisSettings, Finding, Fix, OtherFileEdits, TextEdit } from './analysis/types';
import { analyzeText, type AnalysisResult } from './engine';

/** How many rounds of fixing before giving up, as ruff does, in case fixes keep producing fixes. */
const maxRounds = 10;

export interface FixOptions {
  /** Apply unsafe fixes too (`--unsafe-fixes`); only safe ones otherwise. */
  unsafe?: boolean;
  /**
   * Applies a fix's edits to another module (`file` as the fix names it) and says whether they
   * were applied; without it, fixes that edit other modules are left.
   */
  applyElsewhere?: (change: OtherFileEdits) => boolean;
}

/** The fix that fixing everything applies to a finding: the preferred one among those allowed, else the first. */
export function fixToApply(finding: Finding, unsafe = false): Fix | undefined {
  const allowed = unsafe ? finding.fixes : finding.fixes.filter((f) => f.applicability === 'safe');
  return allowed.find((f) => f.preferred !== false) ?? allowed[0];
}

/** A finding that only an unsafe fix fixes: a fix `--unsafe-fixes` would enable. */
export function hasHiddenFix(finding: Finding): boolean {
  return fixToApply(finding) === undefined && fixToApply(finding, true) !== undefined;
}

export interface ChosenFixes {
  /** The edits to the analysed text. */
  edits: TextEdit[];
  /** The edits to other modules, by file, each file's edits fitting together. */
  elsewhere: OtherFileEdits[];
  fixed: Finding[];
}

/**
 * The fixes of one analysis that can be applied together (the first of any overlapping pair
 * wins, in this file or in another module; the others wait for the next round), and the
 * findings they fix. Fixes that edit other modules count only with `applyElsewhere`.
 */
export function chooseFixes(findings: Finding[], text: string, options: FixOptions = {}): ChosenFixes {
  const edits: TextEdit[] = [];
  const elsewhere = new Map<string, TextEdit[]>();
  const fixed: Finding[] = [];
  for (const finding of findings) {
    const fix = fixToApply(finding, options.unsafe);
    const others = fix?.otherFileEdits ?? [];
    if (!fix || (fix.edits.length === 0 && others.length === 0) || (others.length > 0 && !options.applyElsewhere)) continue;
    if (editsOverlap(edits, fix.edits, text)) continue;
    // The edits of one other file are all against its text as its summary saw it.
    if (others.some((o) => editsOverlap(elsewhere.get(o.file) ?? [], o.edits))) continue;
    edits.push(...fix.edits);
    for (const o of others) elsewhere.set(o.file, [...(elsewhere.get(o.file) ?? []), ...o.edits]);
    fixed.push(finding);
  }
  return { edits, elsewhere: [...elsewhere].map(([file, fileEdits]) => ({ file, edits: fileEdits })), fixed };
}

/** The edits of the safe fixes of this file alone (an editor's fix-all). */
export function safeFixEdits(findings: Finding[], text: string): TextEdit[] {
  return chooseFixes(findings, text).edits;
}

/**
 * Applies the chosen fixes' edits to other modules (through `options.applyElsewhere`): the
 * findings whose fixes could be applied, and whether any other module changed.
 */
export function applyElsewhere(chosen: ChosenFixes, options: FixOptions): { done: Finding[]; changedElsewhere: boolean } {
  const failed = new Set(chosen.elsewhere.filter((change) => !options.applyElsewhere!(change)).map((change) => change.file));
  const done = chosen.fixed.filter((f) => !(fixToApply(f, options.unsafe)!.otherFileEdits ?? []).some((o) => failed.has(o.file)));
  return { done, changedElsewhere: chosen.elsewhere.length > failed.size };
}

/** What one round of fixing saw and did: its analysis, and the next state when it applied fixes. */
export interface FixRound<S> {
  result: AnalysisResult;
  next?: S;
  /** The findings whose fixes made `next`. */
  fixed?: Finding[];
}

/**
 * Fixes in rounds, as ruff does: analyse, apply the fixes that fit together, and again,
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

/**
 * Applies every safe fix (every fix, with `unsafe`) of a file's text, and with `applyElsewhere`
 * the fixes that edit other modules, which the next round's analysis then sees; the result is
 * the analysis of the text returned, when known.
 */
export function fixAll(text: string, settings: AnalysisSettings, options: FixOptions = {}): { text: string; applied: number; fixed: Finding[]; result?: AnalysisResult } {
  const { state, applied, fixed, result } = fixInRounds(text, (current) => {
    const analysis = analyzeText(current, settings);
    const chosen = analysis.skipped && analysis.findings.length === 0 ? undefined : chooseFixes(analysis.findings, current, options);
    if (!chosen) return { result: analysis };
    const { done, changedElsewhere } = applyElsewhere(chosen, options);
    if (chosen.edits.length > 0) return { result: analysis, next: applyEdits(current, chosen.edits), fixed: done };
    // Only other modules changed: the same text is analysed again, with their new summaries.
    return changedElsewhere ? { result: analysis, next: current, fixed: done } : { result: analysis };
  });
  return { text: state, applied, fixed, ...(result ? { result } : {}) };
}
