import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { commandIds } from '../../../client/src/command-ids';
import {
  afterPublish,
  codeActions,
  copyOf,
  describeDiagnostics,
  extensionApi,
  lintDiagnostics,
  waitFor,
  waitForDiagnostic,
  waitForExactly,
  waitForNoDiagnostic,
} from './helpers';

const { Error: error, Warning: warning } = vscode.DiagnosticSeverity;

/** Opens a fresh copy of a workspace notebook in a notebook editor. */
async function openNotebookCopy(relativePath: string): Promise<vscode.NotebookDocument> {
  const notebook = await vscode.workspace.openNotebookDocument(copyOf(relativePath));
  await vscode.window.showNotebookDocument(notebook, { preview: false });
  return notebook;
}

/** The text document of a cell, by its 0-based index (VS Code numbers cells from 1 on screen). */
function cell(notebook: vscode.NotebookDocument, index: number): vscode.TextDocument {
  return notebook.cellAt(index).document;
}

/**
 * Scrolls a cell into view and waits for its editor: the notebook renders cells (and gives them
 * an editor, which code-action requests need) only as they come into view.
 */
async function showCell(notebook: vscode.NotebookDocument, index: number): Promise<vscode.TextEditor> {
  const cells = new vscode.NotebookRange(index, index + 1);
  const editor = await vscode.window.showNotebookDocument(notebook, { selections: [cells] });
  editor.revealRange(cells, vscode.NotebookEditorRevealType.AtTop);
  const document = cell(notebook, index);
  return waitFor(
    `an editor for cell ${index + 1}`,
    () => vscode.window.visibleTextEditors.find((e) => e.document === document),
    () => `visible: ${vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(', ')}`,
  );
}

async function apply(edit: vscode.WorkspaceEdit): Promise<void> {
  assert.equal(await vscode.workspace.applyEdit(edit), true, 'the edit was not applied');
}

suite('Notebooks', () => {
  suiteSetup(() => extensionApi());

  test('flagged/forecast.ipynb: the cells are one program; each finding sits on its own cell', async () => {
    const notebook = await openNotebookCopy('examples/flagged/forecast.ipynb');
    // Keras 3, from the notebook's `%pip install "tensorflow>=2.16"`: the unbuilt LSTM and the
    // path without an extension are errors.
    await waitForExactly(cell(notebook, 6), [{ code: 'KSM301', line: 2, text: 'keras.layers.LSTM(32)', severity: error }]);
    await waitForExactly(cell(notebook, 7), [
      { code: 'KSM101', line: 2, text: 'model.save("forecast")', severity: warning },
      { code: 'KSM502', line: 2, text: '"forecast"', severity: error },
    ]);
    const related = lintDiagnostics(cell(notebook, 7).uri).find((d) => d.code && typeof d.code === 'object' && d.code.value === 'KSM101');
    assert.deepEqual(
      related?.relatedInformation?.map((r) => r.location.uri.toString()),
      [cell(notebook, 6).uri.toString(), cell(notebook, 8).uri.toString()],
      'the definition and the late compile are in their cells',
    );
    // The `%pip` and `!ls` cells hold no Python: they give nothing, nor do markdown cells.
    for (const index of [0, 1, 3, 5, 9]) assert.equal(lintDiagnostics(cell(notebook, index).uri).length, 0, describeDiagnostics(cell(notebook, index)));
  });

  test('fixed/forecast.ipynb: no diagnostics', async () => {
    const uri = copyOf('examples/fixed/forecast.ipynb');
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    // The save's cell gets its (empty) list when the server has looked at the notebook.
    await afterPublish(notebook.cellAt(8).document.uri, async () => vscode.window.showNotebookDocument(notebook));
    for (const c of notebook.getCells()) assert.equal(lintDiagnostics(c.document.uri).length, 0, describeDiagnostics(c.document));
  });

  test('the quick-fix for a save above a later cell\'s compile edits both cells', async () => {
    const notebook = await openNotebookCopy('examples/flagged/forecast.ipynb');
    const save = cell(notebook, 7);
    const diagnostic = await waitForDiagnostic(save, { code: 'KSM101', line: 2, text: 'model.save("forecast")' });
    await showCell(notebook, 7);
    const actions = await codeActions(save.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const move = actions.find((a) => a.title === 'Move `model.compile(...)` above the save (also edits cell 9)');
    assert.ok(move?.edit, `offered: ${actions.map((a) => `"${a.title}"`).join(', ')}`);
    await apply(move.edit);
    assert.equal(save.getText(), '# Keep a copy before training, in case the kernel dies.\nmodel.compile(optimizer="adam", loss="mse")\nmodel.save("forecast")');
    assert.equal(cell(notebook, 8).getText(), 'history = model.fit(x_train, y_train, epochs=5, verbose=0)');
    await waitForNoDiagnostic(save, 'KSM101');
  });

  test('editing a cell and moving cells re-analyse the notebook', async () => {
    const notebook = await openNotebookCopy('fixtures/notebooks/cross-cell.ipynb');
    const save = cell(notebook, 3);
    await waitForDiagnostic(save, { code: 'KSM101', line: 1, text: 'model.save("m.keras")' });

    // The compile's cell moved above the save's.
    const compile = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell(notebook, 4).getText(), 'python');
    const move = new vscode.WorkspaceEdit();
    move.set(notebook.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(4, 5)), vscode.NotebookEdit.insertCells(3, [compile])]);
    await apply(move);
    assert.equal(cell(notebook, 4), save, 'the save\'s cell is now the fifth');
    await waitForNoDiagnostic(save, 'KSM101');

    // The compile's text replaced: flagged again.
    const compileCell = cell(notebook, 3);
    const retype = new vscode.WorkspaceEdit();
    retype.replace(compileCell.uri, compileCell.lineAt(0).range, 'print(model)');
    await apply(retype);
    await waitForDiagnostic(save, { code: 'KSM101', line: 1, text: 'model.save("m.keras")' });
  });

  test('Check SavedModel Readiness on a cell reports the notebook, with links to its cells', async () => {
    const api = await extensionApi();
    const notebook = await openNotebookCopy('examples/flagged/forecast.ipynb');
    const save = cell(notebook, 7);
    await waitForDiagnostic(save, { code: 'KSM101', line: 2, text: 'model.save("forecast")' });
    await vscode.commands.executeCommand(commandIds.checkReadiness, save.uri);
    const [file] = api.lastReport?.files ?? [];
    assert.equal(file?.uri, notebook.uri.toString());
    assert.deepEqual(file.kerasVersion.major, 3);
    const [model] = file.models;
    assert.ok(model);
    assert.equal(model.verdict, 'not-ready');
    assert.deepEqual([model.definitionUri, model.definitionCell, model.definition.start.line], [cell(notebook, 6).uri.toString(), 7, 0]);
    assert.deepEqual(model.saves.map((s) => [s.uri, s.cell, s.range.start.line]), [[save.uri.toString(), 8, 1]]);
    assert.deepEqual(file.findings.map((f) => [f.code, f.cell]).sort(), [['KSM101', 8], ['KSM301', 7], ['KSM502', 8]]);
  });
});
