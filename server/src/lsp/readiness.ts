import type { AnalysisResult } from '../engine';
import type { FileReadiness } from '../protocol';

export function fileReadiness(uri: string, result: AnalysisResult): FileReadiness {
  const readiness: FileReadiness = {
    uri,
    kerasVersion: result.version,
    models: result.models,
    findings: result.findings.map(({ code, name, severity, message, range }) => ({ code, name, severity, message, range })),
  };
  if (result.skipped) readiness.skipped = result.skipped;
  return readiness;
}

/** The result for a text that was not analysed (unreadable, or the analysis failed), saying why. */
export function notAnalysed(reason: string): AnalysisResult {
  return { findings: [], models: [], version: { major: undefined, source: 'not analysed' }, skipped: reason };
}
