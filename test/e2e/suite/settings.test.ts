import * as vscode from 'vscode';
import { settingsSection } from '../../../server/src/protocol';
import { extensionApi, openCopy, restoreSettings, setSetting, waitForDiagnostic, waitForNoDiagnostic } from './helpers';

const { Error: error, Warning: warning, Information: information } = vscode.DiagnosticSeverity;

suite('Settings', () => {
  suiteSetup(() => extensionApi());
  teardown(() => restoreSettings());

  test('a rule turned off disappears, and comes back when turned on', async () => {
    const { document } = await openCopy('examples/flagged/lstm_input_shape.py');
    const lstm = { code: 'KSM301', line: 10, text: 'tf.keras.layers.LSTM(64, return_sequences=True)' };
    await waitForDiagnostic(document, lstm);
    await setSetting(settingsSection, 'rules', { KSM301: 'off' });
    await waitForNoDiagnostic(document, 'KSM301');
    await setSetting(settingsSection, 'rules', { KSM301: 'default' });
    await waitForDiagnostic(document, lstm);
  });

  test('a severity override, by code and by rule name', async () => {
    const { document } = await openCopy('examples/flagged/image_generator.py');
    const finding = { code: 'KSM401', line: 15, text: 'train_batches' };
    await waitForDiagnostic(document, { ...finding, severity: warning });
    await setSetting(settingsSection, 'rules', { KSM401: 'error' });
    await waitForDiagnostic(document, { ...finding, severity: error });
    await setSetting(settingsSection, 'rules', { 'external-generator': 'information' });
    await waitForDiagnostic(document, { ...finding, severity: information });
  });

  test('kerasVersion "3" makes KSM402 an error, "2" a warning', async () => {
    const { document } = await openCopy('examples/flagged/fit_generator.py');
    const fitGenerator = { code: 'KSM402', line: 11, text: 'fit_generator' };
    await setSetting(settingsSection, 'kerasVersion', '3');
    await waitForDiagnostic(document, { ...fitGenerator, severity: error });
    await setSetting(settingsSection, 'kerasVersion', '2');
    await waitForDiagnostic(document, { ...fitGenerator, severity: warning });
  });
});
