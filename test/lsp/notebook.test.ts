/** Jupyter notebooks over stdio, through LSP 3.17 notebook document sync. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, NotebookCell, TextDocumentEdit, TextDocumentItem, WorkspaceEdit } from 'vscode-languageserver';
import { fixAllKind, notebookFixAllKind, readinessReportMethod, type FileReadiness } from '../../server/src/protocol';
import { applyLspEdits, LspClient } from './harness';

const markdown = 1;
const code = 2;

interface CellSpec {
  kind?: typeof markdown | typeof code;
  text: string;
  language?: string;
}

/** An editor's notebook: cell URIs as VS Code spells them (the notebook's path, a fragment per cell). */
class Notebook {
  readonly uri: string;
  version = 1;
  readonly cells: Array<{ uri: string; kind: number; text: string; version: number; language: string }>;
  private nextId = 0;

  constructor(
    private readonly client: LspClient,
    name: string,
    specs: CellSpec[],
  ) {
    const file = path.join(os.tmpdir(), 'ksm-notebooks', name);
    this.uri = pathToFileURL(file).href;
    this.cells = specs.map((spec) => this.cell(spec));
  }

  private cell(spec: CellSpec) {
    const kind = spec.kind ?? code;
    return { uri: `vscode-notebook-cell:${new URL(this.uri).pathname}#c${this.nextId++}`, kind, text: spec.text, version: 1, language: spec.language ?? (kind === code ? 'python' : 'markdown') };
  }

  private asCell(cell: Notebook['cells'][number]): NotebookCell {
    return { kind: cell.kind as NotebookCell['kind'], document: cell.uri };
  }

  private asItem(cell: Notebook['cells'][number]): TextDocumentItem {
    return { uri: cell.uri, languageId: cell.language, version: cell.version, text: cell.text };
  }

  uriOf(index: number): string {
    return this.cells[index]!.uri;
  }

  async open(): Promise<void> {
    await this.client.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: this.uri, notebookType: 'jupyter-notebook', version: this.version, cells: this.cells.map((c) => this.asCell(c)) },
      cellTextDocuments: this.cells.map((c) => this.asItem(c)),
    });
  }

  /** Replaces a cell's whole text, as one incremental change. */
  async setText(index: number, text: string): Promise<void> {
    const cell = this.cells[index]!;
    const lines = cell.text.split('\n');
    const end = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
    cell.text = text;
    cell.version++;
    this.version++;
    await this.client.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: this.uri, version: this.version },
      change: { cells: { textContent: [{ document: { uri: cell.uri, version: cell.version }, changes: [{ range: { start: { line: 0, character: 0 }, end }, text }] }] } },
    });
  }

  /** Removes `deleteCount` cells at `start` and inserts new ones there. */
  async splice(start: number, deleteCount: number, inserted: CellSpec[]): Promise<void> {
    const added = inserted.map((spec) => this.cell(spec));
    const removed = this.cells.splice(start, deleteCount, ...added);
    this.version++;
    await this.client.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: this.uri, version: this.version },
      change: {
        cells: {
          structure: {
            array: { start, deleteCount, cells: added.map((c) => this.asCell(c)) },
            didOpen: added.map((c) => this.asItem(c)),
            didClose: removed.map((c) => ({ uri: c.uri })),
          },
        },
      },
    });
  }

  async close(): Promise<void> {
    await this.client.connection.sendNotification('notebookDocument/didClose', {
      notebookDocument: { uri: this.uri },
      cellTextDocuments: this.cells.map((c) => ({ uri: c.uri })),
    });
  }

  /** The latest diagnostics of a cell published since `since`, once they are there. */
  async diagnostics(index: number, since: number, version = this.cells[index]!.version): Promise<Diagnostic[]> {
    return (await this.client.diagnostics(this.uriOf(index), { since, version })).diagnostics;
  }
}

/** The texts of the cells after a workspace edit, which must edit each cell at its current version. */
function applyToCells(notebook: Notebook, edit: WorkspaceEdit | undefined): string[] {
  assert.ok(edit?.documentChanges, 'versioned document changes');
  const texts = notebook.cells.map((c) => c.text);
  for (const change of edit.documentChanges as TextDocumentEdit[]) {
    const index = notebook.cells.findIndex((c) => c.uri === change.textDocument.uri);
    assert.ok(index >= 0, `the edit is for a cell of the notebook: ${change.textDocument.uri}`);
    assert.equal(change.textDocument.version, notebook.cells[index]!.version, 'the edit names the cell version');
    texts[index] = applyLspEdits(texts[index]!, change.edits as Array<{ range: Diagnostic['range']; newText: string }>);
  }
  return texts;
}

const defineModel = 'from tensorflow import keras\n\nmodel = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])';
const magics = '!ls\nfiles = !ls\n%matplotlib inline\nmodel.summary?\n??keras\nif files:\n    !echo found';

// Cells get their diagnostics pushed whether the client pulls the other documents' or not.
for (const pullDiagnostics of [false, true]) describe(`language server: notebooks (${pullDiagnostics ? 'a client that pulls diagnostics' : 'pushed diagnostics'})`, () => {
  let client: LspClient;

  before(async () => {
    let initialize;
    ({ client, initialize } = await LspClient.start({ pullDiagnostics }));
    assert.deepEqual(initialize.capabilities.notebookDocumentSync, { notebookSelector: [{ notebook: '*' }] });
  });

  after(() => client.kill());

  test('cells are one program in cell order: the save in cell 4 is flagged, on that cell', async () => {
    const notebook = new Notebook(client, 'order.ipynb', [
      { kind: markdown, text: '# Training' },
      { text: defineModel },
      { text: magics },
      { text: 'model.save("m.keras")' },
      { text: 'model.compile(optimizer="adam", loss="mse")' },
    ]);
    const since = client.mark();
    await notebook.open();
    const saveCell = await notebook.diagnostics(3, since);
    assert.deepEqual(saveCell.map((d) => [d.code, d.range]), [['KSM101', { start: { line: 0, character: 0 }, end: { line: 0, character: 21 } }]]);
    assert.deepEqual(
      saveCell[0]!.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.message]),
      [[notebook.uriOf(1), 2, '`model` is defined here'], [notebook.uriOf(4), 0, 'compiled only here, after the save']],
    );
    // The explanation stays in the cell diagnostic's data, for the hover.
    assert.equal(saveCell[0]!.message, '`model` is saved before `compile()`');
    assert.match((saveCell[0]!.data as { detail?: string }).detail ?? '', /^The file keeps no optimizer, loss or metrics/);
    // The other Python cells get their (empty) lists, the magics cell too; the markdown cell none.
    for (const index of [1, 2, 4]) assert.deepEqual(await notebook.diagnostics(index, since), []);
    assert.ok(!client.published.slice(since).some((p) => p.uri === notebook.uriOf(0)), 'nothing for a markdown cell');
    assert.ok(!client.published.slice(since).some((p) => p.uri === notebook.uri), 'nothing for the notebook itself');
    await notebook.close();
  });

  test('the quick-fix edits the right cells, says so, and is offered only while the notebook is unchanged', async () => {
    const notebook = new Notebook(client, 'fix.ipynb', [
      { text: defineModel },
      { text: 'model.save("m.keras")' },
      { kind: markdown, text: 'Now compile it.' },
      { text: 'x = 1\nmodel.compile(optimizer="adam", loss="mse")' },
    ]);
    const since = client.mark();
    await notebook.open();
    const [diagnostic] = await notebook.diagnostics(1, since);
    assert.ok(diagnostic);
    const actions: CodeAction[] = await client.codeActions(notebook.uriOf(1), diagnostic.range, [diagnostic], ['quickfix']);
    assert.deepEqual(actions.map((a) => a.title), ['Move `model.compile(...)` above the save (also edits cell 4)', 'Disable KSM101 for this line']);
    // Inserted at the start of the save's cell, removed from the compile's cell with its line break.
    assert.deepEqual(applyToCells(notebook, actions[0]!.edit), [
      defineModel,
      'model.compile(optimizer="adam", loss="mse")\nmodel.save("m.keras")',
      'Now compile it.',
      'x = 1',
    ]);
    assert.deepEqual(applyToCells(notebook, actions[1]!.edit)[1], 'model.save("m.keras")  # noqa: KSM101');

    // Typing in another cell makes these diagnostics stale: no actions until new ones come.
    const typed = client.mark();
    await notebook.setText(2, 'Now compile it, really.');
    assert.deepEqual(await client.codeActions(notebook.uriOf(1), diagnostic.range, [diagnostic], ['quickfix']), []);
    const [fresh] = await notebook.diagnostics(1, typed);
    assert.equal((await client.codeActions(notebook.uriOf(1), fresh!.range, [fresh!], ['quickfix'])).length, 2);
    await notebook.close();
  });

  test('editing a cell and moving cells re-analyse the notebook; removed cells are cleared', async () => {
    const notebook = new Notebook(client, 'edit.ipynb', [
      { text: defineModel },
      { text: 'model.save("m.keras")' },
      { text: 'model.compile(optimizer="adam", loss="mse")' },
    ]);
    let since = client.mark();
    await notebook.open();
    assert.equal((await notebook.diagnostics(1, since)).length, 1);

    // A cell's text: compiling in the save's cell, above the save.
    since = client.mark();
    await notebook.setText(1, 'model.compile(loss="mse")\nmodel.save("m.keras")');
    assert.deepEqual(await notebook.diagnostics(1, since), []);
    since = client.mark();
    await notebook.setText(1, 'model.save("m.keras")');
    assert.equal((await notebook.diagnostics(1, since)).length, 1);

    // The structure: the compile's cell moved above the save's (removed, then inserted before it).
    const compileCell = notebook.uriOf(2);
    since = client.mark();
    await notebook.splice(2, 1, []);
    await notebook.splice(1, 0, [{ text: 'model.compile(optimizer="adam", loss="mse")' }]);
    assert.deepEqual(await notebook.diagnostics(2, since), [], 'compiled in the cell above the save now');
    assert.ok(client.published.slice(since).some((p) => p.uri === compileCell && p.diagnostics.length === 0));

    since = client.mark();
    await notebook.close();
    assert.deepEqual((await client.diagnostics(notebook.uriOf(2), { since })).diagnostics, [], 'cleared on close');
  });

  test('magics, shell lines and help never give findings; a markdown or raw cell is not code', async () => {
    const notebook = new Notebook(client, 'magics.ipynb', [
      { text: '%%capture\n!pip install -q "tensorflow>=2.16"' },
      { text: defineModel },
      { text: magics },
      { kind: markdown, text: 'model.save("notes")' },
      { text: 'model.save("raw")', language: 'raw' },
      { text: '%%bash\nmodel.save("shell")\nls -l' },
      { text: 'model.compile(loss="mse")\nmodel.save("m.keras")' },
    ]);
    const since = client.mark();
    await notebook.open();
    for (const index of [0, 1, 2, 5, 6]) assert.deepEqual(await notebook.diagnostics(index, since), [], `cell ${index + 1}`);
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri: notebook.uri });
    assert.deepEqual(report.kerasVersion, { major: 3, source: '`tensorflow>=2.16` in cell 1 (line 2)', range: { low: [3, 0] } });
    assert.deepEqual(report.models.map((m) => m.saves.map((s) => [s.cell, s.range.start.line])), [[[7, 1]]]);
    await notebook.close();
  });

  test('install lines are requirements: KSM602 on the package in its cell, its fixes edit the line; %env after TensorFlow is KSM604', async () => {
    const notebook = new Notebook(client, 'installs.ipynb', [
      { text: '!pip install -q "tensorflow>=2.16" "keras<3"' },
      { text: 'import tensorflow as tf' },
      { text: '%env TF_USE_LEGACY_KERAS=1\n# !pip install keras==2.15.0' },
    ]);
    const since = client.mark();
    await notebook.open();
    const installs = await notebook.diagnostics(0, since);
    // The variable set (too late, but set) needs tf-keras, which the install line does not name.
    assert.deepEqual(installs.map((d) => [d.code, d.range.start.character]), [['KSM603', 17], ['KSM602', 36]]);
    const conflict = installs[1];
    assert.deepEqual([conflict!.code, conflict!.severity, conflict!.range], ['KSM602', 1, { start: { line: 0, character: 36 }, end: { line: 0, character: 43 } }]);
    assert.deepEqual(conflict!.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.character]), [[notebook.uriOf(0), 17]]);
    const actions: CodeAction[] = await client.codeActions(notebook.uriOf(0), conflict!.range, [conflict!], ['quickfix']);
    assert.equal(actions[0]!.title, 'Require Keras 3: `keras>=3`');
    assert.deepEqual(applyToCells(notebook, actions[0]!.edit)[0], '!pip install -q "tensorflow>=2.16" "keras>=3"');
    const late = await notebook.diagnostics(2, since);
    assert.deepEqual(late.map((d) => [d.code, d.range.start.line]), [['KSM604', 0]], 'the commented-out install line gives nothing');
    await notebook.close();
  });

  test('`%pip install` pins decide the Keras version of the findings', async () => {
    const cells = [{ text: 'from tensorflow import keras\nmodel = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\nmodel.compile(loss="mse")' }, { text: 'model.save("export_dir")' }];
    const unknown = new Notebook(client, 'unpinned.ipynb', cells);
    const pinned = new Notebook(client, 'pinned.ipynb', [{ text: '%pip install "tensorflow>=2.16"' }, ...cells]);
    const since = client.mark();
    await unknown.open();
    await pinned.open();
    assert.deepEqual((await unknown.diagnostics(1, since)).map((d) => [d.code, d.severity]), [['KSM502', 2]], 'a warning with no evidence');
    assert.deepEqual((await pinned.diagnostics(2, since)).map((d) => [d.code, d.severity]), [['KSM502', 1]], 'an error under Keras 3');
    await unknown.close();
    await pinned.close();
  });

  test('the readiness report, asked for a cell or the notebook, locates every range in its cell', async () => {
    const notebook = new Notebook(client, 'report.ipynb', [
      { kind: markdown, text: '# Report' },
      { text: defineModel },
      { text: 'model.save("m.keras")' },
    ]);
    const since = client.mark();
    await notebook.open();
    await notebook.diagnostics(2, since);
    for (const uri of [notebook.uri, notebook.uriOf(2)]) {
      const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri });
      assert.equal(report.uri, notebook.uri);
      const [model] = report.models;
      assert.ok(model);
      assert.deepEqual([model.definitionUri, model.definitionCell, model.definition.start.line], [notebook.uriOf(1), 2, 2]);
      assert.deepEqual(model.saves.map((s) => [s.uri, s.cell, s.range.start]), [[notebook.uriOf(2), 3, { line: 0, character: 0 }]]);
      const problems = model.checks.flatMap((c) => c.problems);
      assert.deepEqual(problems.map((p) => [p.code, p.uri, p.cell, p.range.start.line]), [['KSM101', notebook.uriOf(2), 3, 0]]);
      assert.deepEqual(report.findings.map((f) => [f.code, f.uri, f.cell]), [['KSM101', notebook.uriOf(2), 3]]);
    }
    await notebook.close();
  });

  test('fix-all: a cell fixes its own problems, the notebook kind fixes every cell', async () => {
    const layer = 'class Scale(keras.layers.Layer):\n    def __init__(self, factor=2.0):\n        super().__init__()\n        self.factor = factor\n\n    def get_config(self):\n        return {**super().get_config(), "factor": self.factor}';
    const notebook = new Notebook(client, 'fix-all.ipynb', [
      { text: 'from tensorflow import keras' },
      { text: layer },
      { text: 'model = keras.Sequential([keras.Input(shape=(3,)), Scale(), keras.layers.Dense(1)])\nmodel.compile(loss="mse")\nmodel.fit_generator(batches)' },
    ]);
    const since = client.mark();
    await notebook.open();
    assert.deepEqual((await notebook.diagnostics(1, since)).map((d) => d.code), ['KSM202']);
    assert.deepEqual((await notebook.diagnostics(2, since)).map((d) => d.code), ['KSM402']);
    const start = { line: 0, character: 0 };

    const cellActions = await client.codeActions(notebook.uriOf(2), { start, end: start }, [], [fixAllKind]);
    assert.deepEqual(cellActions.map((a) => a.kind), [fixAllKind]);
    const cellFixed = applyToCells(notebook, cellActions[0]!.edit);
    assert.deepEqual(cellFixed.slice(0, 2), [notebook.cells[0]!.text, layer], 'the other cells stay');
    assert.match(cellFixed[2]!, /model\.fit\(batches\)/);

    const notebookActions = await client.codeActions(notebook.uriOf(0), { start, end: start }, [], [notebookFixAllKind]);
    assert.deepEqual(notebookActions.map((a) => [a.kind, a.title]), [[notebookFixAllKind, 'Fix all safe Keras SavedModel problems in the notebook']]);
    const fixed = applyToCells(notebook, notebookActions[0]!.edit);
    assert.match(fixed[1]!, /def __init__\(self, factor=2\.0, \*\*kwargs\):\n {8}super\(\)\.__init__\(\*\*kwargs\)/);
    assert.match(fixed[2]!, /model\.fit\(batches\)/);
    await notebook.close();
  });
});

describe('language server: notebooks on disk', () => {
  let folder: string;
  let client: LspClient;

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-notebooks-'));
    fs.copyFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'notebooks', 'cross-cell.ipynb'), path.join(folder, 'train.ipynb'));
    ({ client } = await LspClient.start({ workspaceFolders: [folder] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('a closed notebook is read from disk; its locations carry the notebook URI and the cell', async () => {
    const uri = pathToFileURL(path.join(folder, 'train.ipynb')).href;
    const report: FileReadiness = await client.connection.sendRequest(readinessReportMethod, { uri });
    assert.equal(report.skipped, undefined);
    assert.deepEqual(report.findings.map((f) => [f.code, f.uri, f.cell, f.range.start.line]), [['KSM101', uri, 4, 0]]);
    const [workspace] = await client.connection.sendRequest<FileReadiness[]>('kerasSavedModel/workspaceReadinessReport', {});
    assert.deepEqual(workspace, report, 'the workspace report lists notebooks too');
  });
});
