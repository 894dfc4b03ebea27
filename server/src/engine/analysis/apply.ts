import type { Position, TextEdit } from './types';

/** Offsets of each line start, to turn positions into string offsets. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function offsetAt(starts: number[], text: string, pos: Position): number {
  const lineStart = starts[pos.line];
  if (lineStart === undefined) return text.length;
  return Math.min(lineStart + pos.character, text.length);
}

/**
 * True when two edits touch the same text (insertions at one point count as touching). Without
 * the text (edits of another file), positions are compared as they are.
 */
export function editsOverlap(a: TextEdit[], b: TextEdit[], text?: string): boolean {
  const starts = text === undefined ? [] : lineStarts(text);
  // Lines below 2^21 keep line * 2^32 + column exact.
  const at = (pos: Position) => (text === undefined ? pos.line * 0x100000000 + pos.character : offsetAt(starts, text, pos));
  const spans = (edits: TextEdit[]) => edits.map((e) => [at(e.range.start), at(e.range.end)] as const);
  for (const [s1, e1] of spans(a)) {
    for (const [s2, e2] of spans(b)) if (s1 <= e2 && s2 <= e1) return true;
  }
  return false;
}

/** Applies non-overlapping edits, all expressed against the original text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = lineStarts(text);
  const resolved = edits
    .map((e) => ({ start: offsetAt(starts, text, e.range.start), end: offsetAt(starts, text, e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const e of resolved) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}
