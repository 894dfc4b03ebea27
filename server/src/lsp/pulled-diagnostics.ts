import { DocumentDiagnosticReportKind, type Connection, type Diagnostic, type DocumentDiagnosticReport } from 'vscode-languageserver/node';

/** How long the refresh request waits, so that a burst of re-analyses asks the client once. */
const refreshDelayMs = 100;

/**
 * Diagnostics for clients that pull them (LSP 3.17 `textDocument/diagnostic`); other clients get
 * them pushed. What would have been published is kept per URI with a result id, and a pull
 * whose client already has that result is answered `unchanged`. When diagnostics change without
 * the client asking (settings, an imported module, a requirement file), the client is asked to
 * pull again (`workspace/diagnostic/refresh`), once per burst, and only when a result it has
 * not seen is waiting.
 */
export class PulledDiagnostics {
  private readonly latest = new Map<string, { resultId: string; diagnostics: Diagnostic[] }>();
  /** The result id each URI's last pull answered with. */
  private readonly delivered = new Map<string, string>();
  private results = 0;
  private refreshTimer?: NodeJS.Timeout;

  constructor(private readonly connection: Connection, private readonly canRefresh: boolean) {}

  /** Keeps what would have been published for a URI. */
  set(uri: string, diagnostics: Diagnostic[]): void {
    const known = this.latest.get(uri);
    if (known && JSON.stringify(known.diagnostics) === JSON.stringify(diagnostics)) return;
    this.latest.set(uri, { resultId: String(++this.results), diagnostics });
    this.scheduleRefresh();
  }

  /** Forgets a closed document. */
  forget(uri: string): void {
    this.latest.delete(uri);
    this.delivered.delete(uri);
  }

  /** The answer to a pull, given the result id the client holds. */
  report(uri: string, previousResultId: string | undefined): DocumentDiagnosticReport {
    const known = this.latest.get(uri);
    if (!known) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    this.delivered.set(uri, known.resultId);
    return previousResultId === known.resultId
      ? { kind: DocumentDiagnosticReportKind.Unchanged, resultId: known.resultId }
      : { kind: DocumentDiagnosticReportKind.Full, resultId: known.resultId, items: known.diagnostics };
  }

  private scheduleRefresh(): void {
    if (!this.canRefresh || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      const unseen = [...this.latest].some(([uri, { resultId }]) => this.delivered.get(uri) !== resultId);
      if (unseen) void this.connection.languages.diagnostics.refresh().catch(() => undefined);
    }, refreshDelayMs);
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
  }
}
