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
import type { Fix, TextEdit } from '../engine/analysis/types';
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
  /** The editor's version of the document; null for a file the editor did not have open (its text on disk). */
  version: number | null;
}

/**
 * An edit of a fix. In a notebook, each edit names the cell it applies to (a fix may edit
 * another cell than its diagnostic's); other edits apply to the document the action is for.
 */
export interface DocumentTextEdit extends TextEdit {
  document?: VersionedDocument;
}

/** The engine's edits as an LSP workspace edit; snippets only where asked for and supported. */
export function workspaceEdit(document: VersionedDocument, edits: DocumentTextEdit[], support: EditSupport, useSnippets: boolean): WorkspaceEdit {
  const byDocument = new Map<string, { target: VersionedDocument; edits: DocumentTextEdit[] }>();
  for (const edit of edits) {
    const target = edit.document ?? document;
    const group = byDocument.get(target.uri) ?? { target, edits: [] };
    group.edits.push(edit);
    byDocument.set(target.uri, group);
  }
  if (!support.versioned) {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const [uri, group] of byDocument) changes[uri] = group.edits.map(({ range, newText }) => ({ range, newText }));
    return { changes };
  }
  const lspEdits = (group: DocumentTextEdit[]) => group.map((edit): LspTextEdit | SnippetTextEdit =>
    useSnippets && support.snippets && edit.snippet !== undefined
      ? { range: edit.range, snippet: { kind: 'snippet', value: edit.snippet } }
      : { range: edit.range, newText: edit.newText },
  );
  return {
    documentChanges: [...byDocument.values()].map(({ target, edits: group }) =>
      TextDocumentEdit.create({ uri: target.uri, version: target.version }, lspEdits(group))),
  };
}

/** Whether `kind` is among the kinds the client asked for (`only` holds kinds and their parents). */
export function kindRequested(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
}

/**
 * A fix's edits: of the document, then of each other module it edits (the one that defines a
 * class), versioned with the editor's version of the text they were made from when the module
 * was open, so that the editor refuses them once it has changed; null when it was read from disk.
 */
function fixEdits(fix: Fix): DocumentTextEdit[] {
  const elsewhere = (fix.otherFileEdits ?? []).flatMap((other) => {
    const target = { uri: other.file, version: other.version ?? null };
    return other.edits.map((edit) => ({ ...edit, document: target }));
  });
  return [...fix.edits, ...elsewhere];
}

function fixAction(fix: Fix, diagnostic: Diagnostic, document: VersionedDocument, support: EditSupport): CodeAction {
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    // A rule marks the fix to offer first; without that mark, safe fixes are the preferred ones.
    isPreferred: fix.preferred ?? fix.applicability === 'safe',
    edit: workspaceEdit(document, fixEdits(fix), support, true),
  };
}

/**
 * The quick-fixes of one diagnostic of ours, from its `data`: each fix, then "Disable ... for
 * this line". None when the diagnostic was computed for another version of the document.
 */
export function quickFixes(diagnostic: Diagnostic, document: VersionedDocument, support: EditSupport): CodeAction[] {
  const data: unknown = diagnostic.data;
  if (diagnostic.source !== diagnosticSource || !isDiagnosticData(data) || data.version !== document.version) return [];
  const actions = data.fixes
    .filter((fix) => fix.edits.length > 0 || (fix.otherFileEdits ?? []).length > 0)
    .map((fix) => fixAction(fix, diagnostic, document, support));
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
 * The fix-all source action (of a file, or of one notebook cell; with `notebookFixAllKind`, of a
 * whole notebook). It never uses snippets: it runs unattended (on save), and a snippet would
 * stop to ask for input.
 */
export function fixAllAction(edits: DocumentTextEdit[], document: VersionedDocument, support: EditSupport, kind = fixAllKind): CodeAction | undefined {
  if (edits.length === 0) return undefined;
  return {
    title: kind === fixAllKind ? 'Fix all safe Keras SavedModel problems' : 'Fix all safe Keras SavedModel problems in the notebook',
    kind,
    edit: workspaceEdit(document, edits, support, false),
  };
}
