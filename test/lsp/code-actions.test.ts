/** Code actions over stdio: quick-fixes from diagnostic data, the noqa action, fix-all, snippets. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, TextDocumentContentChangeEvent, TextEdit } from 'vscode-languageserver';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { initParser } from '../../server/src/engine/analysis/parser';
import { analyzeText } from '../../server/src/engine/engine';
import { safeFixEdits } from '../../server/src/engine/fix-all';
import { workspaceEdit } from '../../server/src/lsp/code-actions';
import { fixAllKind } from '../../server/src/protocol';
import { fixturesDir, parseFixture } from '../helpers/fixtures';
import { applyLspEdits, editsFor, engineFindings, diagnosticKeys, fileUri, LspClient, saveBeforeCompile } from './harness';

/** Two findings with safe fixes: an `__init__` without `**kwargs` (KSM202) and `fit_generator` (KSM402). */
const safelyFixable = [
  'from tensorflow import keras',
  '',
  'class Scale(keras.layers.Layer):',
  '    def __init__(self, factor=2.0):',
  '        super().__init__()',
  '        self.factor = factor',
  '',
  '    def get_config(self):',
  '        return {**super().get_config(), "factor": self.factor}',
  '',
  'model = keras.Sequential([keras.Input(shape=(3,)), Scale(), keras.layers.Dense(1)])',
  'model.compile(optimizer="adam", loss="mse")',
  'model.fit_generator(batches, epochs=2)',
  '',
].join('\n');

/** An LSTM-first model saved before any build: KSM301 offers shape fixes with snippet placeholders. */
const unknownShape = [
  'from tensorflow import keras',
  'model = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])',
  'model.compile(loss="mse")',
  'model.save("m.keras")',
  '',
].join('\n');

/** The editor side of applying an edit: the same edits as one didChange, last first so ranges stay valid. */
function asChanges(edits: TextEdit[]): TextDocumentContentChangeEvent[] {
  return [...edits]
    .sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)
    .map((e) => ({ range: e.range, text: e.newText }));
}

describe('language server: code actions', () => {
  let client: LspClient;

  before(async () => {
    await initParser();
    ({ client } = await LspClient.start());
  });

  after(() => client.kill());

  async function openWithDiagnostics(name: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = fileUri(name);
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnostics(uri, { version: 1 });
    return { uri, diagnostics };
  }

  test('a KSM101 quick-fix carries its diagnostic and a versioned edit that fixes the file', async () => {
    const { uri, diagnostics } = await openWithDiagnostics('ksm101.py', saveBeforeCompile);
    const diagnostic = diagnostics.find((d) => d.code === 'KSM101')!;
    const actions = await client.codeActions(uri, diagnostic.range, [diagnostic]);
    // The move is unsafe, so there is no fix-all to offer.
    assert.deepEqual(actions.map((a) => [a.title, a.kind]), [
      ['Move `model.compile(...)` above the save', 'quickfix'],
      ['Disable KSM101 for this line', 'quickfix'],
    ]);
    const [move] = actions;
    assert.deepEqual(move!.diagnostics, [diagnostic]);
    assert.equal(move!.isPreferred, false, 'an unsafe fix is not preferred');
    const edits = editsFor(move!.edit, uri, 1);
    const fixed = applyLspEdits(saveBeforeCompile, edits);
    assert.equal(fixed, saveBeforeCompile.replace('model.save("m.keras")\nmodel.compile(optimizer="adam", loss="mse")', 'model.compile(optimizer="adam", loss="mse")\nmodel.save("m.keras")'));
    await client.change(uri, 2, asChanges(edits));
    const after = await client.diagnostics(uri, { version: 2 });
    assert.deepEqual(after.diagnostics, []);
    await client.close(uri);
  });

  test('"Disable KSM101 for this line" writes a noqa comment that silences the finding', async () => {
    const { uri, diagnostics } = await openWithDiagnostics('noqa.py', saveBeforeCompile);
    const diagnostic = diagnostics.find((d) => d.code === 'KSM101')!;
    const actions = await client.codeActions(uri, diagnostic.range, [diagnostic], ['quickfix']);
    const disable = actions.find((a) => a.title === 'Disable KSM101 for this line');
    assert.ok(disable);
    assert.notEqual(disable.isPreferred, true);
    const edits = editsFor(disable.edit, uri, 1);
    const fixed = applyLspEdits(saveBeforeCompile, edits);
    assert.equal(fixed, saveBeforeCompile.replace('model.save("m.keras")', 'model.save("m.keras")  # noqa: KSM101'));
    await client.change(uri, 2, asChanges(edits));
    assert.deepEqual((await client.diagnostics(uri, { version: 2 })).diagnostics, []);
    await client.close(uri);
  });

  test('a syntax error is one KSM000 error diagnostic, with its page, and no fix or disable action', async () => {
    const { uri, diagnostics } = await openWithDiagnostics('syntax-error.py', `x = = 1\ny = (\n${saveBeforeCompile}`);
    const syntax = diagnostics.filter((d) => d.code === 'KSM000');
    assert.deepEqual(syntax.map((d) => [d.severity, d.message, d.range.start]), [[1, 'Syntax error: unexpected `=`', { line: 0, character: 4 }]]);
    assert.match(syntax[0]!.codeDescription!.href, /KSM000/);
    assert.deepEqual(await client.codeActions(uri, syntax[0]!.range, syntax, ['quickfix']), []);
    await client.close(uri);
  });

  test('actions are not offered for diagnostics of an older version', async () => {
    const { uri, diagnostics } = await openWithDiagnostics('stale.py', saveBeforeCompile);
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
    const actions = await client.codeActions(uri, diagnostics[0]!.range, diagnostics, ['quickfix']);
    assert.deepEqual(actions, []);
    await client.close(uri);
  });

  test('fix-all applies every safe fix, when asked by kind and in the plain list', async () => {
    const { uri, diagnostics } = await openWithDiagnostics('fix-all.py', safelyFixable);
    assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['KSM202', 'KSM402']);
    const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const expected = applyEdits(safelyFixable, safeFixEdits(analyzeText(safelyFixable, { kerasVersion: 'auto', rules: {} }).findings, safelyFixable));
    assert.match(expected, /\*\*kwargs/);
    assert.match(expected, /model\.fit\(batches/);

    for (const only of [[fixAllKind], ['source.fixAll'], ['source'], undefined]) {
      const actions = await client.codeActions(uri, whole, only ? [] : diagnostics, only);
      const fixAll = actions.filter((a) => a.kind === fixAllKind);
      assert.equal(fixAll.length, 1, `one fix-all for only=${JSON.stringify(only)}`);
      assert.equal(applyLspEdits(safelyFixable, editsFor(fixAll[0]!.edit, uri, 1)), expected);
      if (only) assert.ok(actions.every((a) => a.kind === fixAllKind), 'nothing but fix-all for a source kind');
      else assert.ok(actions.some((a) => a.kind === 'quickfix'), 'quick-fixes too in the plain list');
    }
    const quickOnly = await client.codeActions(uri, whole, diagnostics, ['quickfix']);
    assert.ok(quickOnly.length > 0 && quickOnly.every((a) => a.kind === 'quickfix'));
    await client.close(uri);
  });

  test('fix-all asked for right after an edit analyses the new text first', async () => {
    const { uri } = await openWithDiagnostics('fix-all-fresh.py', saveBeforeCompile);
    // Typed just now: not analysed yet (the debounce has not run) when fix-all comes, as on save.
    const appended = 'model.fit_generator(batches)\n';
    await client.change(uri, 2, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: appended }]);
    const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], [fixAllKind]);
    assert.equal(actions.length, 1);
    const text = saveBeforeCompile + appended;
    assert.equal(applyLspEdits(text, editsFor(actions[0]!.edit, uri, 2)), text.replace('fit_generator', 'fit'));
    await client.close(uri);
  });

  test('a fix marked preferred is preferred even when unsafe; snippets only for clients that take them', async () => {
    const findings = analyzeText(unknownShape, { kerasVersion: 'auto', rules: {} }).findings.filter((f) => f.fixes.some((fix) => fix.edits.some((e) => e.snippet)));
    assert.ok(findings.length > 0, 'the engine offers a snippet fix here');
    for (const snippets of [false, true]) {
      const { client: other } = await LspClient.start({ snippets });
      try {
        const uri = fileUri(`snippet-${snippets}.py`);
        await other.open(uri, unknownShape);
        const { diagnostics } = await other.diagnostics(uri, { version: 1 });
        const diagnostic = diagnostics.find((d) => d.code === findings[0]!.code)!;
        const actions = await other.codeActions(uri, diagnostic.range, [diagnostic], ['quickfix']);
        const [preferred] = findings[0]!.fixes;
        const action = actions.find((a) => a.title === preferred!.title)!;
        assert.equal(action.isPreferred, preferred!.preferred ?? false);
        const change = action.edit!.documentChanges![0]!;
        assert.ok('edits' in change);
        const [edit] = change.edits;
        if (snippets) assert.deepEqual(edit, { range: preferred!.edits[0]!.range, snippet: { kind: 'snippet', value: preferred!.edits[0]!.snippet } });
        else assert.deepEqual(edit, { range: preferred!.edits[0]!.range, newText: preferred!.edits[0]!.newText });
      } finally {
        other.kill();
      }
    }
  });

  test('clients without documentChanges get plain changes', async () => {
    const { client: other } = await LspClient.start({ documentChanges: false, snippets: true });
    try {
      const uri = fileUri('plain-changes.py');
      await other.open(uri, saveBeforeCompile);
      const { diagnostics } = await other.diagnostics(uri, { version: 1 });
      const actions = await other.codeActions(uri, diagnostics[0]!.range, diagnostics, ['quickfix']);
      assert.ok(actions.length > 0);
      for (const action of actions) {
        assert.equal(action.edit?.documentChanges, undefined);
        assert.ok(action.edit?.changes?.[uri]?.length);
      }
    } finally {
      other.kill();
    }
  });

  test('workspaceEdit keeps snippet edits for fix-all out, and needs documentChanges for them', () => {
    const edits = [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'a', snippet: '${1:a}' }];
    const document = { uri: 'file:///x.py', version: 3 };
    assert.deepEqual(workspaceEdit(document, edits, { versioned: true, snippets: true }, false), {
      documentChanges: [{ textDocument: { uri: 'file:///x.py', version: 3 }, edits: [{ range: edits[0]!.range, newText: 'a' }] }],
    });
    assert.deepEqual(workspaceEdit(document, edits, { versioned: false, snippets: false }, true), {
      changes: { 'file:///x.py': [{ range: edits[0]!.range, newText: 'a' }] },
    });
  });

  describe('every fix of every rule fixture, through the server', () => {
    const fixtures = fs
      .readdirSync(fixturesDir)
      .filter((dir) => /^KSM\d{3}$/.test(dir))
      .flatMap((dir) => fs.readdirSync(path.join(fixturesDir, dir)).filter((n) => n.endsWith('.py')).map((n) => path.join(fixturesDir, dir, n)));

    for (const file of fixtures) {
      const name = path.relative(fixturesDir, file);
      test(name, async () => {
        const text = fs.readFileSync(file, 'utf8');
        const { settings } = parseFixture(text, []);
        const uri = fileUri(`fixture-${name.replace(/[\\/]/g, '-')}`);
        client.settings[uri] = settings;
        await client.open(uri, text);
        const { diagnostics } = await client.diagnostics(uri, { version: 1 });
        const findings = analyzeText(text, settings).findings;
        assert.deepEqual(diagnosticKeys(diagnostics), engineFindings(text, settings));
        for (const [i, diagnostic] of diagnostics.entries()) {
          const finding = findings[i]!;
          const actions: CodeAction[] = await client.codeActions(uri, diagnostic.range, [diagnostic], ['quickfix']);
          const fixes = actions.filter((a) => !a.title.startsWith('Disable '));
          assert.deepEqual(fixes.map((a) => a.title), finding.fixes.filter((f) => f.edits.length > 0).map((f) => f.title));
          for (const [j, action] of fixes.entries()) {
            assert.equal(applyLspEdits(text, editsFor(action.edit, uri, 1)), applyEdits(text, finding.fixes[j]!.edits), action.title);
            assert.equal(action.isPreferred, finding.fixes[j]!.preferred ?? finding.fixes[j]!.applicability === 'safe');
          }
        }
        await client.close(uri);
      });
    }
  });
});
