/** The bundled server over stdio: lifecycle, diagnostics, incremental edits, and bad input. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagnosticSeverity, TextDocumentSyncKind, type InitializeResult } from 'vscode-languageserver';
import { initParser } from '../../server/src/engine/analysis/parser';
import { ruleDocUrl } from '../../server/src/workspace/docs-location';
import { diagnosticSource, fixAllKind, notebookFixAllKind } from '../../server/src/protocol';
import { toDiagnostics, type DiagnosticData } from '../../server/src/lsp/diagnostics';
import { diagnosticKeys, engineFindings, fileUri, LspClient, replaceChange, repoRoot, saveBeforeCompile } from './harness';

describe('language server: diagnostics', () => {
  let client: LspClient;
  let initialize: InitializeResult;

  before(async () => {
    await initParser();
    ({ client, initialize } = await LspClient.start());
  });

  after(() => client.kill());

  test('initialize announces incremental sync and the code-action kinds', () => {
    const sync = initialize.capabilities.textDocumentSync;
    assert.ok(sync && typeof sync === 'object');
    assert.equal(sync.change, TextDocumentSyncKind.Incremental);
    assert.equal(sync.openClose, true);
    const codeActions = initialize.capabilities.codeActionProvider;
    assert.ok(codeActions && typeof codeActions === 'object');
    assert.deepEqual(codeActions.codeActionKinds, ['quickfix', fixAllKind, notebookFixAllKind]);
  });

  test('didOpen publishes the findings with code, link, source, severity and related locations', async () => {
    const uri = fileUri('open.py');
    await client.open(uri, saveBeforeCompile, 1);
    const { diagnostics, version } = await client.diagnostics(uri);
    assert.equal(version, 1);
    assert.equal(diagnostics.length, 1);
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic!.code, 'KSM101');
    assert.equal(diagnostic!.source, diagnosticSource);
    assert.equal(diagnostic!.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(diagnostic!.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 21 } });
    assert.equal(diagnostic!.codeDescription?.href, ruleDocUrl('KSM101'));
    assert.match(diagnostic!.codeDescription!.href, /^file:\/\/.*\/docs\/rules\/KSM101\.md$/);
    assert.equal(diagnostic!.tags, undefined);
    // The message is the short clause alone; the explanation travels in `data.detail` for the hover.
    assert.equal(diagnostic!.message, '`model` is saved before `compile()`');
    assert.equal(
      (diagnostic!.data as { detail?: string }).detail,
      'The file keeps no optimizer, loss or metrics, so the reloaded model cannot train until it is compiled again.',
    );
    const related = diagnostic!.relatedInformation ?? [];
    assert.deepEqual(
      related.map((r) => [r.location.uri, r.location.range.start.line]),
      [
        [uri, 2],
        [uri, 4],
      ],
    );
    assert.ok(related.every((r) => r.message.length > 0));
    assert.equal((diagnostic!.data as { version: number }).version, 1);
    await client.close(uri);
  });

  test('a hint stays a hint, with no Unnecessary tag', async () => {
    const uri = fileUri('hint.py');
    // An LSTM-first Sequential that is never saved: KSM301 reports it as a hint.
    const text = 'from tensorflow import keras\nmodel = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])\n';
    const expected = engineFindings(text).filter((f) => f.severity === DiagnosticSeverity.Hint);
    await client.open(uri, text);
    const { diagnostics } = await client.diagnostics(uri, { version: 1 });
    assert.ok(expected.length > 0, 'the engine reports a hint here');
    const hints = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Hint);
    assert.equal(hints.length, expected.length);
    assert.ok(hints.every((d) => d.tags === undefined));
    await client.close(uri);
  });

  test('a burst of edits after a pause: the first is analysed at once, the rest once, for the final version, matching the final text', async () => {
    const uri = fileUri('typing.py');
    await client.open(uri, saveBeforeCompile, 1);
    await client.diagnostics(uri, { version: 1 });
    const since = client.mark();
    let text = saveBeforeCompile;
    const edits: Array<(t: string) => [number, number, string]> = [
      (t) => [t.indexOf('model.save'), t.indexOf('model.save'), '\n'],
      () => [0, 0, '# é😀 data\n'],
      (t) => [t.length, t.length, 'other = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\nother.save("o.keras")\n'],
      (t) => [t.indexOf('\n\nmodel.save'), t.indexOf('\n\nmodel.save') + 1, ''],
      (t) => [t.indexOf('Dense(1)])\nother') + 6, t.indexOf('Dense(1)])\nother') + 7, '4, activation="softmax"'],
    ];
    let version = 1;
    for (const edit of edits) {
      const [start, end, newText] = edit(text);
      const change = replaceChange(text, start, end, newText);
      text = text.slice(0, start) + newText + text.slice(end);
      await client.change(uri, ++version, [change]);
    }
    const final = await client.diagnostics(uri, { version, since });
    assert.deepEqual(diagnosticKeys(final.diagnostics), engineFindings(text));
    assert.deepEqual(
      final.diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['KSM101', 4],
        ['KSM101', 7],
      ],
    );
    // Give a stray late publication the time to arrive before checking there was none.
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The first change after a pause goes to analysis without a debounce, and may be published
    // before the next arrives; the changes sent while the user "types" wait for each other.
    const afterChanges = client.published.slice(since).filter((p) => p.uri === uri).map((p) => p.version);
    assert.equal(afterChanges.at(-1), version);
    assert.ok(afterChanges.every((v) => v === 2 || v === version), `published versions ${afterChanges.join(', ')}`);
    await client.close(uri);
  });

  test('several changes in one notification are applied in order', async () => {
    const uri = fileUri('multi-change.py');
    await client.open(uri, saveBeforeCompile, 1);
    await client.diagnostics(uri, { version: 1 });
    const since = client.mark();
    // Fix the finding by inserting a compile, then add a second model saved uncompiled, in one didChange.
    const first = replaceChange(saveBeforeCompile, saveBeforeCompile.indexOf('model.save'), saveBeforeCompile.indexOf('model.save'), 'model.compile(loss="mse")\n');
    const afterFirst = saveBeforeCompile.replace('model.save', 'model.compile(loss="mse")\nmodel.save');
    const second = replaceChange(afterFirst, afterFirst.length, afterFirst.length, 'm2 = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\nm2.save("b.keras")\n');
    const final = afterFirst + 'm2 = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\nm2.save("b.keras")\n';
    await client.change(uri, 2, [first, second]);
    const { diagnostics } = await client.diagnostics(uri, { version: 2, since });
    assert.deepEqual(diagnosticKeys(diagnostics), engineFindings(final));
    assert.deepEqual(diagnostics.map((d) => d.range.start.line), [7]);
    await client.close(uri);
  });

  test('closing a document clears its diagnostics', async () => {
    const uri = fileUri('closed.py');
    await client.open(uri, saveBeforeCompile);
    await client.diagnostics(uri, { version: 1 });
    const since = client.mark();
    await client.close(uri);
    const cleared = await client.diagnostics(uri, { since });
    assert.deepEqual(cleared.diagnostics, []);
  });

  const badInputs: Array<[string, string, RegExp | undefined]> = [
    ['empty.py', '', undefined],
    ['bom.py', '\uFEFF', undefined],
    ['syntax-error.py', 'from tensorflow import keras\ndef f(:\n  model = keras.Sequential(\nmodel.save("x"\n', undefined],
    ['huge.py', 'x = 1\n'.repeat(400_000), /larger than/],
    ['binary.py', 'PK\u0003\u0004\u0000\u0000\u00ff\ufffd', /NUL/],
    ['deep-parens.py', `x = ${'('.repeat(20_000)}1${')'.repeat(20_000)}\n`, undefined],
    ['deep-lists.py', `x = ${'['.repeat(50_000)}\n`, undefined],
    ['deep-attributes.py', `import keras\nm = keras.Sequential()\ny = m${'.a'.repeat(50_000)}\n`, /nested too deeply/],
    ['deep-blocks.py', Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') + `${' '.repeat(1500)}pass\n`, undefined],
  ];
  for (const [name, text, logged] of badInputs) {
    test(`bad input does not crash the server: ${name}`, async () => {
      const uri = fileUri(name);
      await client.open(uri, text);
      const { diagnostics } = await client.diagnostics(uri, { version: 1 });
      assert.ok(Array.isArray(diagnostics));
      if (logged) {
        assert.deepEqual(diagnostics, [], 'a skipped file publishes no diagnostics');
        await client.waitFor('the skip reason in the log', () => client.logs.find((l) => l.includes(name) && logged.test(l)));
      }
      // Still alive and still analysing.
      const check = fileUri(`after-${name}`);
      await client.open(check, saveBeforeCompile);
      const next = await client.diagnostics(check, { version: 1 });
      assert.equal(next.diagnostics.length, 1);
      await client.close(check);
      await client.close(uri);
    });
  }

  test('a file that becomes too large loses its old diagnostics', async () => {
    const uri = fileUri('grows.py');
    await client.open(uri, saveBeforeCompile);
    assert.equal((await client.diagnostics(uri, { version: 1 })).diagnostics.length, 1);
    await client.change(uri, 2, [replaceChange(saveBeforeCompile, 0, 0, '#'.repeat(3 * 1024 * 1024) + '\n')]);
    assert.deepEqual((await client.diagnostics(uri, { version: 2 })).diagnostics, []);
    await client.change(uri, 3, [{ text: saveBeforeCompile }]);
    assert.equal((await client.diagnostics(uri, { version: 3 })).diagnostics.length, 1);
    await client.close(uri);
  });

  test('published versions of a document never go backwards', () => {
    const last = new Map<string, number>();
    for (const { uri, version } of client.published) {
      if (version === undefined) {
        last.delete(uri); // a close
        continue;
      }
      assert.ok(version >= (last.get(uri) ?? 0), `${uri}: version ${version} after ${last.get(uri)}`);
      last.set(uri, version);
    }
  });

  test('shutdown and exit end the server with code 0', async () => {
    assert.equal(await client.shutdown(), 0);
    assert.equal(client.stderr, '');
  });
});

test('`ksm server` starts the same server from the CLI bundle, which does not carry it', async () => {
  const { client, initialize } = await LspClient.start({ command: [path.join(repoRoot, 'dist', 'cli.js'), 'server'] });
  try {
    assert.equal(initialize.serverInfo?.name, 'keras-savedmodel-lint');
    const uri = fileUri('via-cli.py');
    await client.open(uri, saveBeforeCompile, 1);
    assert.deepEqual((await client.diagnostics(uri)).diagnostics.map((d) => d.code), ['KSM101']);
  } finally {
    client.kill();
  }
});

test('a finding without a detail gives a diagnostic whose data has no `detail`', () => {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const finding = { code: 'KSM101', name: 'save-before-compile', severity: 'warning' as const, message: 'short', range, related: [], fixes: [], modelIds: [] };
  const [plain] = toDiagnostics([finding], 'file:///a.py', 3);
  assert.equal(plain!.message, 'short');
  assert.equal('detail' in (plain!.data as object), false);
  const [explained] = toDiagnostics([{ ...finding, detail: 'Why.' }], 'file:///a.py', 3);
  assert.equal(explained!.message, 'short');
  assert.equal((explained!.data as DiagnosticData).detail, 'Why.');
});
