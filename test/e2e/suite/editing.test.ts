import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, openCopy, waitForExactly } from './helpers';

/** Edits one at a time, each awaited, as fast as the editor takes them: faster than the server's debounce. */
async function typeEach(editor: vscode.TextEditor, edits: Array<(builder: vscode.TextEditorEdit) => void>): Promise<void> {
  for (const edit of edits) {
    assert.ok(await editor.edit(edit, { undoStopBefore: false, undoStopAfter: false }), 'an edit was refused');
  }
}

suite('Rapid edits', () => {
  suiteSetup(() => extensionApi());

  test('after many quick edits the diagnostics match the final text', async () => {
    const editor = await openCopy('examples/fixed/fit_generator.py');
    const { document } = editor;
    const original = document.getText();
    const end = document.lineCount - 1;
    assert.equal(document.lineAt(end).text, '', 'the example ends with a newline');

    // Type a call to fit_generator on a new last line, one character per edit.
    const call = 'model.fit_generator(dataset, epochs=1)';
    await typeEach(editor, [...call].map((character, i) => (b) => b.insert(new vscode.Position(end, i), character)));
    // Then push it down three lines, so each intermediate text had its finding on another line.
    await typeEach(editor, [0, 1, 2].map(() => (b) => b.insert(new vscode.Position(end, 0), '\n')));
    assert.equal(document.getText(), `${original}\n\n\n${call}`);
    const finalLine = end + 4;
    await waitForExactly(document, [{ code: 'KSM402', line: finalLine, text: 'fit_generator' }]);

    // Delete "_generator" backwards, one character per edit: `model.fit(...)` is clean.
    const start = 'model.fit'.length;
    await typeEach(editor, [...'_generator'].map((_, i) => (b) => {
      const at = start + '_generator'.length - i;
      b.delete(new vscode.Range(finalLine - 1, at - 1, finalLine - 1, at));
    }));
    assert.equal(document.lineAt(finalLine - 1).text, 'model.fit(dataset, epochs=1)');
    // And rename the call on line 11 back and forth, a whole word per edit, ending on another removed method.
    const fit = new vscode.Range(10, 6, 10, 9);
    const fitGenerator = new vscode.Range(10, 6, 10, 19);
    assert.equal(document.getText(fit), 'fit');
    for (let i = 0; i < 5; i++) {
      await typeEach(editor, [(b) => b.replace(fit, 'fit_generator'), (b) => b.replace(fitGenerator, 'fit')]);
    }
    await typeEach(editor, [(b) => b.replace(fit, 'evaluate_generator')]);
    await waitForExactly(document, [{ code: 'KSM402', line: 11, text: 'evaluate_generator' }]);
  });
});

suite('Typing into a 20,000-line file', () => {
  suiteSetup(() => extensionApi());

  test('the diagnostics are those of the final text', async () => {
    // A long exported notebook: a clean twelve-line script repeated, with one removed call at the end.
    const editor = await openCopy('examples/fixed/fit_generator.py', (text) => {
      const copies = Math.ceil(20_000 / (text.split('\n').length - 1));
      return `${text.repeat(copies)}model.fit_generator(dataset, epochs=1)\n`;
    });
    const { document } = editor;
    assert.ok(document.lineCount > 20_000, `${document.lineCount} lines`);
    const last = document.lineCount - 2;
    await waitForExactly(document, [{ code: 'KSM402', line: last + 1, text: 'fit_generator' }]);

    // Delete "_generator" one character per edit: the last call becomes a clean `fit`.
    const start = 'model.fit'.length;
    await typeEach(editor, [...'_generator'].map((_, i) => (b) => {
      const at = start + '_generator'.length - i;
      b.delete(new vscode.Range(last, at - 1, last, at));
    }));
    // Then type a removed method into the first script's `fit` call, one character per edit.
    await typeEach(editor, [...'_generator'].map((character, i) => (b) => b.insert(new vscode.Position(10, 9 + i), character)));
    assert.equal(document.lineAt(10).text.startsWith('model.fit_generator('), true);
    assert.equal(document.lineAt(last).text, 'model.fit(dataset, epochs=1)');
    await waitForExactly(document, [{ code: 'KSM402', line: 11, text: 'fit_generator' }]);
  });
});
