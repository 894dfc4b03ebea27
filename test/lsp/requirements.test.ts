/** Requirement files over stdio: the project rules' diagnostics on an open requirements.txt, and their quick-fixes. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { applyLspEdits, editsFor, LspClient } from './harness';

describe('language server: requirement files', () => {
  let client: LspClient;
  let work: string;

  before(async () => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-requirements-')));
    fs.mkdirSync(path.join(work, '.git'));
    fs.writeFileSync(path.join(work, 'requirements.txt'), 'numpy\n');
    fs.writeFileSync(path.join(work, 'train.py'), 'import tf_keras\n');
    ({ client } = await LspClient.start({ workspaceFolders: [pathToFileURL(work).href] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('an open requirements.txt gets KSM602 and KSM603, with the editor\'s text, and a quick-fix that removes KSM602', async () => {
    const uri = pathToFileURL(path.join(work, 'requirements.txt')).href;
    const text = 'tensorflow>=2.16\nkeras<3\n';
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnostics(uri, { version: 1 });
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.range.start.line]), [['KSM603', 2, 0], ['KSM602', 1, 1]]);
    const conflict = diagnostics.find((d) => d.code === 'KSM602')!;
    assert.deepEqual(conflict.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [[uri, 0]]);
    const missing = diagnostics.find((d) => d.code === 'KSM603')!;
    assert.deepEqual(missing.relatedInformation?.map((r) => r.location.uri), [pathToFileURL(path.join(work, 'train.py')).href]);

    const actions = await client.codeActions(uri, conflict.range, [conflict]);
    assert.deepEqual(actions.map((a) => a.title), [
      'Require Keras 3: `keras>=3`',
      'Keep Keras 2 with TensorFlow before 2.16: `tensorflow<2.16`',
      'Keep Keras 2 on TensorFlow 2.16 with the legacy package: `tf-keras==2.16.*`',
      'Disable KSM602 for this line',
    ]);
    const fixed = applyLspEdits(text, editsFor(actions[0]!.edit, uri, 1));
    assert.equal(fixed, 'tensorflow>=2.16\nkeras>=3\n');
    await client.change(uri, 2, [{ text: fixed }]);
    const after = await client.diagnostics(uri, { version: 2 });
    assert.deepEqual(after.diagnostics.map((d) => d.code), ['KSM603']);
    await client.close(uri);
  });
});

describe('language server: setup.py, a Python file and a requirement file', () => {
  let client: LspClient;
  let work: string;

  before(async () => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-lsp-setup-py-')));
    fs.mkdirSync(path.join(work, '.git'));
    ({ client } = await LspClient.start({ workspaceFolders: [pathToFileURL(work).href] }));
  });

  after(() => {
    client.kill();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('an open setup.py of a project with no other requirement file shows its pins\' conflict beside its own findings, and edits update both', async () => {
    const uri = pathToFileURL(path.join(work, 'setup.py')).href;
    const text = [
      'import keras',
      'from setuptools import setup',
      'm = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])',
      'm.save("m.keras")',
      'setup(name="demo", install_requires=["tensorflow==2.16.1", "keras<3"])',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(work, 'setup.py'), text);
    await client.open(uri, text, 1);
    const codes = (diagnostics: Array<{ code?: string | number }>) => diagnostics.map((d) => String(d.code)).sort();
    const both = await client.waitFor('both kinds of findings', () =>
      client.published.filter((p) => p.uri === uri).map((p) => p.diagnostics).find((d) => codes(d).join() === 'KSM101,KSM602'));
    const conflict = both.find((d) => d.code === 'KSM602')!;
    assert.equal(conflict.range.start.line, 4);
    // Its fixes are offered there as on any requirement file.
    const actions = await client.codeActions(uri, conflict.range, [conflict]);
    assert.ok(actions.some((a) => a.title === 'Require Keras 3: `keras>=3`'), actions.map((a) => a.title).join('; '));
    // The pins fixed in the editor: the conflict goes, the Python finding stays.
    const fixed = text.replace('"keras<3"', '"keras>=3"');
    const since = client.mark();
    await client.change(uri, 2, [{ text: fixed }]);
    await client.waitFor('only the Python finding', () =>
      client.published.slice(since).filter((p) => p.uri === uri).map((p) => p.diagnostics).find((d) => codes(d).join() === 'KSM101'));
    await client.close(uri);
  });
});
