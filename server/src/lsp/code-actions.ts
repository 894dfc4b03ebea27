import {
  CodeActionKind,
  TextDocumentEdit,
  type ClientCapabilities,
  type CodeAction,
  type Diagnostic,
  type SnippetTextEdit,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Fix, TextEdit } from '../analysis/types';
import { diagnosticSource, fixAllKind } from '../protocol';
import { isDiagnosticData } from './diagnostics';

/** What the client can take in a workspace edit. */
export interface EditSupport {
  /** `documentChanges`: versioned edits that the client refuses to apply to a changed document. */
  versioned: boolean;
  /** LSP 3.18 snippet text edits (`workspace.workspaceEdit.snippetEditSupport`). */
  snippets: boolean;
}

export function editSupport(capabilities: ClientCapabilities): EditSupport {
  const workspaceEdit = capabilities.workspace?.workspaceEdit;
  const versioned = workspaceEdit?.documentChanges === true;
  // Snippet edits only exist inside TextDocumentEdit, so they need documentChanges too.
  return { versioned, snippets: versioned && workspaceEdit?.snippetEditSupport === true };
}

export interface VersionedDocument {
  uri: string;
  version: number;
}

/** The engine's edits as an LSP workspace edit; snippets only where asked for and supported. */
export function workspaceEdit(document: VersionedDocument, edits: TextEdit[], support: EditSupport, useSnippets: boolean): WorkspaceEdit {
  if (!support.versioned) {
    return { changes: { [document.uri]: edits.map(({ range, newText }) => ({ range, newText })) } };
  }
  const lspEdits = edits.map((edit): LspTextEdit | SnippetTextEdit =>
    useSnippets && support.snippets && edit.snippet !== undefined
      ? { range: edit.range, snippet: { kind: 'snippet', value: edit.snippet } }
      : { range: edit.range, newText: edit.newText },
  );
  return { documentChanges: [TextDocumentEdit.create({ uri: document.uri, version: document.version }, lspEdits)] };
}

/** Whether `kind` is among the kinds the client asked for (`only` holds kinds and their parents). */
export function kindRequested(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
}

function fixAction(fix: Fix, diagnostic: Diagnostic, document: VersionedDocument, support: EditSupport): CodeAction {
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    // A rule marks the fix to offer first; without that mark, safe fixes are the preferred ones.
    isPreferred: fix.preferred ?? fix.applicability === 'safe',
    edit: workspaceEdit(document, fix.edits, support, true),
  };
}

/**
 * The quick-fixes of one diagnostic of ours, from its `data`: each fix, then "Disable ... for
 * this line". None when the diagnostic was computed for another version of the document.
 */
export function quickFixes(diagnostic: Diagnostic, document: VersionedDocument, support: EditSupport): CodeAction[] {
  const data: unknown = diagnostic.data;
  if (diagnostic.source !== diagnosticSource || !isDiagnosticData(data) || data.version !== document.version) return [];
  const actions = data.fixes.filter((fix) => fix.edits.length > 0).map((fix) => fixAction(fix, diagnostic, document, support));
  if (data.noqa) {
    actions.push({
      title: `Disable ${String(diagnostic.code)} for this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: workspaceEdit(document, [data.noqa], support, false),
    });
  }
  return actions;
}

/**
 * The fix-all source action. It never uses snippets: it runs unattended (on save), and a
 * snippet would stop to ask for input.
 */
export function fixAllAction(edits: TextEdit[], document: VersionedDocument, support: EditSupport): CodeAction | undefined {
  if (edits.length === 0) return undefined;
  return {
    title: 'Fix all safe Keras SavedModel problems',
    kind: fixAllKind,
    edit: workspaceEdit(document, edits, support, false),
  };
}
