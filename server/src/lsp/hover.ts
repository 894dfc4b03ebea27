import { MarkupKind, type Diagnostic, type Hover, type Position } from 'vscode-languageserver';
import { diagnosticSource } from '../protocol';
import { isDiagnosticData } from './diagnostics';

function contains(diagnostic: Diagnostic, position: Position): boolean {
  const { start, end } = diagnostic.range;
  const after = position.line > start.line || (position.line === start.line && position.character >= start.character);
  const before = position.line < end.line || (position.line === end.line && position.character <= end.character);
  return after && before;
}

/**
 * The hover on a finding: its code and name, the short message, the explanation the message
 * leaves out (what Keras does, by version), and the rule's page. Null off our findings.
 */
export function hoverAt(diagnostics: readonly Diagnostic[], position: Position): Hover | null {
  const here = diagnostics.filter((d) => d.source === diagnosticSource && contains(d, position));
  if (here.length === 0) return null;
  const sections = here.map((d) => {
    const data: unknown = d.data;
    const lines = [`**${String(d.code)}** ${isDiagnosticData(data) && data.name ? `\`${data.name}\`` : ''}`.trim(), '', d.message];
    if (isDiagnosticData(data) && data.detail) lines.push('', data.detail);
    if (d.codeDescription) lines.push('', `[${String(d.code)} documentation](${d.codeDescription.href})`);
    return lines.join('\n');
  });
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') }, range: here[0]!.range };
}
