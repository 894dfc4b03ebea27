import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentState } from './analyses';
import { OpenDocument } from './documents';
import { OpenNotebook, syncProgram } from './notebooks';
import { RequirementDocuments } from './requirement-documents';
import type { Session } from './session';

/**
 * Text documents and notebooks opening, changing, saving and closing. Requirement files go to
 * the requirement documents; Python files and notebooks are tracked and analysed. A notebook
 * (LSP 3.17) is kept as one document, the program of its Python cells, re-parsed
 * incrementally as cells change.
 */
export function registerDocumentSync(session: Session): void {
  const { connection, documents, notebooks, requirements, analyses } = session;

  /** Starts tracking an opened document or notebook, replacing one of the same URI. */
  function track(state: DocumentState): void {
    const previous = documents.get(state.open.uri);
    if (previous) {
      clearTimeout(previous.timer);
      previous.open.dispose();
    }
    documents.set(state.open.uri, state);
    analyses.schedule(state, 0);
    // Its importers now read the editor's text instead of the file's.
    if (!state.notebook && state.open.uri.startsWith('file:')) session.moduleChanged(fileURLToPath(state.open.uri), state);
  }

  /** Stops tracking a closed document or notebook, clearing its diagnostics. */
  function untrack(uri: string): void {
    const state = documents.get(uri);
    if (!state) return;
    clearTimeout(state.timer);
    state.open.dispose();
    documents.delete(uri);
    session.settings.forget(uri);
    session.publishState(state, []);
    session.pulled?.forget(uri);
    session.modules.forgetImporter(uri);
    // Its importers now read the file on disk again.
    if (!state.notebook && uri.startsWith('file:')) session.moduleChanged(fileURLToPath(uri));
  }

  /** With `run: onSave`, a save is what analyses the file (with `onType`, it is analysed already). */
  function saved(uri: string): void {
    const state = documents.get(uri);
    if (state && analyses.needsAnalysis(state)) analyses.schedule(state, 0);
  }

  connection.onDidOpenTextDocument(
    session.guardNotification('didOpen', ({ textDocument }) => {
      if (RequirementDocuments.handles(textDocument.uri)) return requirements.opened(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      const document = TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      track({ open: new OpenDocument(document), run: 0 });
      requirements.pythonDocument(textDocument.uri, 'opened');
    }),
  );

  connection.onDidChangeTextDocument(
    session.guardNotification('didChange', ({ textDocument, contentChanges }) => {
      if (RequirementDocuments.handles(textDocument.uri)) return requirements.changed(textDocument.uri, contentChanges, textDocument.version);
      const state = documents.get(textDocument.uri);
      if (!state) return;
      state.open.applyChanges(contentChanges, textDocument.version);
      analyses.changed(state);
      requirements.pythonDocument(textDocument.uri, 'changed');
      if (textDocument.uri.startsWith('file:')) session.moduleChanged(fileURLToPath(textDocument.uri), state);
    }),
  );

  connection.onDidSaveTextDocument(session.guardNotification('didSave', ({ textDocument }) => saved(textDocument.uri)));

  connection.onDidCloseTextDocument(
    session.guardNotification('didClose', ({ textDocument }) => {
      requirements.closed(textDocument.uri);
      untrack(textDocument.uri);
      requirements.pythonDocument(textDocument.uri, 'closed');
    }),
  );

  notebooks.onDidOpen(
    session.guardNotification('notebookDocument/didOpen', (notebook) => {
      const cells = new OpenNotebook(notebook.uri);
      const program = cells.read(notebook, (uri) => notebooks.cellTextDocuments.get(uri));
      track({ open: new OpenDocument(TextDocument.create(notebook.uri, 'python', notebook.version, program)), run: 0, notebook: cells });
    }),
  );
  notebooks.onDidChange(
    session.guardNotification('notebookDocument/didChange', ({ notebookDocument }) => {
      const state = documents.get(notebookDocument.uri);
      if (!state?.notebook) return;
      syncProgram(state.open, state.notebook.read(notebookDocument, (uri) => notebooks.cellTextDocuments.get(uri)), notebookDocument.version);
      analyses.changed(state);
    }),
  );
  notebooks.onDidSave(session.guardNotification('notebookDocument/didSave', (notebook) => saved(notebook.uri)));
  notebooks.onDidClose(session.guardNotification('notebookDocument/didClose', (notebook) => untrack(notebook.uri)));
  notebooks.listen(connection);
}
