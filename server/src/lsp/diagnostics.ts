import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Finding, Fix, Severity, TextEdit } from '../engine/analysis/types';
import { ruleDocUrl } from '../workspace/docs-location';
import { diagnosticSource } from '../protocol';

/**
 * What a diagnostic carries for its code actions, so a code-action request does no analysis
 * (ruff keeps its fixes in `Diagnostic.data` the same way). The edits are against `version`
 * of the document; actions are only offered while the document is still at that version.
 */
export interface DiagnosticData {
  version: number;
  /** The rule's name (`save-before-compile`), for the hover. */
  name?: string;
  /** The finding's explanation (Finding.detail), which the hover shows below the message. */
  detail?: string;
  fixes: Fix[];
  /** The edit that writes or extends the line's `# noqa:` comment, when one can be written there. */
  noqa?: TextEdit;
}

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function toDiagnostic(finding: Finding, uri: string, version: number, noqa: TextEdit | undefined): Diagnostic {
  const data: DiagnosticData = { version, name: finding.name, fixes: finding.fixes };
  if (finding.detail) data.detail = finding.detail;
  if (noqa) data.noqa = noqa;
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: severities[finding.severity],
    code: finding.code,
    codeDescription: { href: ruleDocUrl(finding.code) },
    source: diagnosticSource,
    message: finding.message,
    data,
  };
  if (finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((r) => ({ location: { uri: r.uri ?? uri, range: r.range }, message: r.message }));
  }
  return diagnostic;
}

/** The diagnostics of one analysis of document `version`. */
export function toDiagnostics(findings: Finding[], uri: string, version: number): Diagnostic[] {
  return findings.map((finding) => toDiagnostic(finding, uri, version, finding.noqa));
}

export function isDiagnosticData(value: unknown): value is DiagnosticData {
  if (typeof value !== 'object' || value === null) return false;
  const data = value as Partial<DiagnosticData>;
  return typeof data.version === 'number' && Array.isArray(data.fixes);
}
