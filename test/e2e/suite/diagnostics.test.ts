import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  afterPublish,
  copyOf,
  describeDiagnostics,
  extensionApi,
  lintDiagnostics,
  openCopy,
  show,
  type ExpectedDiagnostic,
  waitForExactly,
} from './helpers';
import { repoRoot } from '../workspace';

const { Error: error, Warning: warning, Information: information } = vscode.DiagnosticSeverity;

/** Every diagnostic of each flagged example under the default settings (Keras version `auto`). */
const flagged: Record<string, ExpectedDiagnostic[]> = {
  'custom_layer.py': [
    { code: 'KSM201', line: 6, text: 'PositionalEmbedding', severity: warning },
    { code: 'KSM203', line: 6, text: 'PositionalEmbedding', severity: information },
    { code: 'KSM202', line: 7, text: '__init__', severity: warning },
  ],
  'fit_generator.py': [{ code: 'KSM402', line: 11, text: 'fit_generator', severity: warning }],
  'image_generator.py': [{ code: 'KSM401', line: 15, text: 'train_batches', severity: warning }],
  'lstm_input_shape.py': [{ code: 'KSM301', line: 10, text: 'tf.keras.layers.LSTM(64, return_sequences=True)', severity: error }],
  'python_generator.py': [{ code: 'KSM401', line: 23, text: 'windows(series, 48)', severity: warning }],
  'save_before_compile.py': [{ code: 'KSM101', line: 14, text: 'model.save("forecaster.keras")', severity: warning }],
  'save_format.py': [
    { code: 'KSM503', line: 10, text: 'tf.keras.layers.Lambda(lambda images: images / 255.0)', severity: information },
    { code: 'KSM502', line: 19, text: '"checkpoints/digits"', severity: warning },
    { code: 'KSM501', line: 20, text: 'save_format="tf"', severity: warning },
  ],
};

function examples(kind: 'flagged' | 'fixed'): string[] {
  return fs.readdirSync(path.join(repoRoot, 'examples', kind)).filter((name) => name.endsWith('.py')).sort();
}

suite('Diagnostics', () => {
  suiteSetup(() => extensionApi());

  for (const name of examples('flagged')) {
    test(`flagged/${name}`, async () => {
      const expected = flagged[name];
      assert.ok(expected, `flagged/${name} has no expected diagnostics in this suite`);
      const { document } = await openCopy(`examples/flagged/${name}`);
      const diagnostics = await waitForExactly(document, expected);
      for (const diagnostic of diagnostics) {
        assert.ok(diagnostic.code && typeof diagnostic.code === 'object', 'the code links to the rule page');
        assert.match(diagnostic.code.target.toString(), new RegExp(`${diagnostic.code.value}`));
        assert.ok(diagnostic.message.length > 0);
      }
    });
  }

  for (const name of examples('fixed')) {
    test(`fixed/${name}: no diagnostics`, async () => {
      const uri = copyOf(`examples/fixed/${name}`);
      const { document } = await afterPublish(uri, () => show(uri));
      assert.equal(lintDiagnostics(document.uri).length, 0, describeDiagnostics(document));
    });
  }
});
