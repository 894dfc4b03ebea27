import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { fixAllKind, settingsSection } from '../../../server/src/protocol';
import {
  codeActions,
  extensionApi,
  openCopy,
  rangeOf,
  restoreSettings,
  setSetting,
  waitFor,
  waitForDiagnostic,
  waitForNoDiagnostic,
  type ExpectedDiagnostic,
} from './helpers';

interface QuickFixCase {
  example: string;
  diagnostic: ExpectedDiagnostic;
  title: string;
  preferred: boolean;
  /** One-based line numbers and the text each holds after the fix. */
  lines: Record<number, string>;
}

const quickFixes: QuickFixCase[] = [
  {
    example: 'fit_generator.py',
    diagnostic: { code: 'KSM402', line: 11, text: 'fit_generator' },
    title: 'Rename to `fit`',
    preferred: true,
    lines: { 11: 'model.fit(dataset, steps_per_epoch=8, epochs=2)' },
  },
  {
    example: 'lstm_input_shape.py',
    diagnostic: { code: 'KSM301', line: 10, text: 'tf.keras.layers.LSTM(64, return_sequences=True)' },
    title: 'Insert `tf.keras.Input(shape=(30, 4))` as the first layer',
    preferred: true,
    lines: { 10: '    tf.keras.Input(shape=(30, 4)),', 11: '    tf.keras.layers.LSTM(64, return_sequences=True),' },
  },
  {
    example: 'custom_layer.py',
    diagnostic: { code: 'KSM202', line: 7, text: '__init__' },
    title: 'Accept `**kwargs` and pass them to `super().__init__`',
    preferred: true,
    lines: {
      7: '    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):',
      8: '        super().__init__(**kwargs)',
    },
  },
  {
    example: 'save_before_compile.py',
    diagnostic: { code: 'KSM101', line: 14, text: 'model.save("forecaster.keras")' },
    title: 'Move `model.compile(...)` above the save',
    preferred: false,
    lines: { 14: 'model.compile(optimizer="adam", loss="mse")', 15: 'model.save("forecaster.keras")' },
  },
];

function titles(actions: vscode.CodeAction[]): string {
  return actions.map((a) => `"${a.title}"`).join(', ') || 'none';
}

async function applyAction(actions: vscode.CodeAction[], title: string): Promise<vscode.CodeAction> {
  const action = actions.find((a) => a.title === title);
  assert.ok(action, `no action "${title}"; offered: ${titles(actions)}`);
  assert.ok(action.edit, `"${title}" carries no edit`);
  assert.equal(await vscode.workspace.applyEdit(action.edit), true, `"${title}" was not applied`);
  return action;
}

suite('Code actions', () => {
  suiteSetup(() => extensionApi());
  teardown(() => restoreSettings());

  for (const fix of quickFixes) {
    test(`${fix.diagnostic.code} quick-fix: ${fix.title}`, async () => {
      const { document } = await openCopy(`examples/flagged/${fix.example}`);
      const diagnostic = await waitForDiagnostic(document, fix.diagnostic);
      const actions = await codeActions(document.uri, diagnostic.range);
      const action = await applyAction(actions, fix.title);
      assert.equal(action.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.equal(action.isPreferred ?? false, fix.preferred, 'preferred only when safe');
      for (const [line, text] of Object.entries(fix.lines)) assert.equal(document.lineAt(Number(line) - 1).text, text);
      await waitForNoDiagnostic(document, fix.diagnostic.code);
    });
  }

  test('"Disable KSM401 for this line" writes a noqa comment', async () => {
    const { document } = await openCopy('examples/flagged/python_generator.py');
    const diagnostic = await waitForDiagnostic(document, { code: 'KSM401', line: 23, text: 'windows(series, 48)' });
    await applyAction(await codeActions(document.uri, diagnostic.range), 'Disable KSM401 for this line');
    assert.match(document.lineAt(22).text, /^model\.fit\(windows\(series, 48\), steps_per_epoch=100, epochs=3\)\s+# noqa: KSM401$/);
    await waitForNoDiagnostic(document, 'KSM401');
  });

  test('"Disable ... for this line" extends an existing noqa comment', async () => {
    const { document } = await openCopy('examples/flagged/fit_generator.py', (text) =>
      text.replace('epochs=2)\n', 'epochs=2)  # noqa: E501\n'));
    const diagnostic = await waitForDiagnostic(document, { code: 'KSM402', line: 11, text: 'fit_generator' });
    await applyAction(await codeActions(document.uri, diagnostic.range), 'Disable KSM402 for this line');
    assert.match(document.lineAt(10).text, /epochs=2\)  # noqa: E501, KSM402$/);
    await waitForNoDiagnostic(document, 'KSM402');
  });

  test('fix-all on save applies the safe fixes (fit_generator under Keras 3)', async () => {
    await setSetting('editor', 'codeActionsOnSave', { [fixAllKind]: 'explicit' }, 'python');
    await setSetting(settingsSection, 'kerasVersion', '3');
    const editor = await openCopy('examples/flagged/fit_generator.py');
    const { document } = editor;
    await waitForDiagnostic(document, { code: 'KSM402', line: 11, text: 'fit_generator', severity: vscode.DiagnosticSeverity.Error });
    await editor.edit((edit) => edit.replace(rangeOf(document, 11, 'epochs=2'), 'epochs=3'));
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the save to finish', () => (document.isDirty ? undefined : true), () => 'still dirty');
    assert.equal(document.lineAt(10).text, 'model.fit(dataset, steps_per_epoch=8, epochs=3)');
    assert.equal(fs.readFileSync(document.uri.fsPath, 'utf8'), document.getText(), 'the file on disk holds the fixed text');
    await waitForNoDiagnostic(document, 'KSM402');
  });

  test('fix-all on save leaves unsafe fixes alone (KSM101 stays)', async () => {
    await setSetting('editor', 'codeActionsOnSave', { [fixAllKind]: 'explicit' }, 'python');
    const editor = await openCopy('examples/flagged/save_before_compile.py');
    const { document } = editor;
    const save = { code: 'KSM101', line: 14, text: 'model.save("forecaster.keras")' };
    await waitForDiagnostic(document, save);
    await editor.edit((edit) => edit.replace(rangeOf(document, 16, 'epochs=3'), 'epochs=4'));
    const before = document.getText();
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the save to finish', () => (document.isDirty ? undefined : true), () => 'still dirty');
    assert.equal(document.getText(), before);
    await waitForDiagnostic(document, save);
  });

  test('the fix-all source action is offered on request', async () => {
    const { document } = await openCopy('examples/flagged/custom_layer.py');
    await waitForDiagnostic(document, { code: 'KSM202', line: 7, text: '__init__' });
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const actions = await codeActions(document.uri, whole, fixAllKind);
    const fixAll = actions.find((a) => a.kind?.value === fixAllKind);
    assert.ok(fixAll?.edit, `no ${fixAllKind} action; offered: ${titles(actions)}`);
    assert.equal(await vscode.workspace.applyEdit(fixAll.edit), true);
    const text = document.getText();
    assert.match(text, /def __init__\(self, sequence_length, vocab_size, embed_dim, \*\*kwargs\):/);
    assert.match(text, /def get_config\(self\):/);
    await waitForNoDiagnostic(document, 'KSM201');
    await waitForNoDiagnostic(document, 'KSM202');
  });
});

