import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyEdits } from '../../server/src/engine/analysis/apply';
import { blankIPython, NotebookProgram, pipInstallArguments, type NotebookCellSource } from '../../server/src/engine/analysis/notebook';
import { initParser, parsePython } from '../../server/src/engine/analysis/parser';
import { defaultSettings, type AnalysisSettings } from '../../server/src/engine/analysis/types';
import { OpenDocument } from '../../server/src/lsp/documents';
import { syncProgram } from '../../server/src/lsp/notebooks';
import { analyzeNotebook, fixNotebookCells, parseNotebook, writeNotebook, type NotebookFile } from '../../server/src/workspace/notebook-files';
import { countErrorNodes, fixturesDir } from '../helpers/fixtures';

const code = (text: string): NotebookCellSource => ({ text, python: true });
const markdown = (text: string): NotebookCellSource => ({ text, python: false });

const imports = 'from tensorflow import keras';
const defineModel = 'model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])';

function findings(cells: NotebookCellSource[], settings: Partial<AnalysisSettings> = {}) {
  const program = new NotebookProgram(cells);
  const result = analyzeNotebook(program, { ...defaultSettings, ...settings });
  assert.equal(result.skipped, undefined, result.skipped);
  return { program, result, mapped: result.findings.map((f) => program.mapFinding(f)) };
}

/** Applies cell edits to the cells' texts. */
function applyToCells(cells: NotebookCellSource[], edits: Array<{ cell: number; range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>): string[] {
  return cells.map((cell, index) => applyEdits(cell.text, edits.filter((e) => e.cell === index)));
}

before(() => initParser());

describe('IPython syntax is blanked, keeping positions', () => {
  test('line magics, shell lines, captured shell output and help', () => {
    const source = ['%matplotlib inline', '!pip install -q tf-keras', 'files = !ls', 't = %timeit -o f()', '?keras', 'keras.Model??', 'model.fit?', 'x = 1'].join('\n');
    const { text, magics } = blankIPython(source);
    const lines = text.split('\n');
    assert.deepEqual(lines.map((l) => l.length), source.split('\n').map((l) => l.length), 'every line keeps its length');
    assert.deepEqual(lines.slice(0, 7).map((l) => l.trim()), ['', '', '', '', '', '', '']);
    assert.equal(lines[7], 'x = 1');
    assert.deepEqual(magics.map((m) => m.line), [0, 1, 2, 3, 4, 5, 6]);
  });

  test('an indented magic keeps a statement, so that a block of magics still parses', () => {
    const source = 'if IN_COLAB:\n    !pip install tensorflow\n    %cd drive\nelse:\n  ?x\nmodel = 1';
    const { text } = blankIPython(source);
    const pad = (filler: string, line: string) => filler.padEnd(line.length);
    assert.equal(text, ['if IN_COLAB:', pad('    ...', '    !pip install tensorflow'), pad('    ...', '    %cd drive'), 'else:', '  0 ', 'model = 1'].join('\n'));
    assert.equal(countErrorNodes(text), 0);
  });

  test('backslash continuations of a magic are blanked with it, and read as one command', () => {
    const source = '!pip install \\\n    "tensorflow==2.15.*" \\\n    numpy\nx = 1';
    const { text, magics } = blankIPython(source);
    assert.equal(text.split('\n').slice(0, 3).join('').trim(), '');
    assert.deepEqual(magics, [{ line: 0, column: 0, text: '!pip install "tensorflow==2.15.*" numpy' }]);
  });

  test('text that looks like a magic inside a string or brackets is Python and stays', () => {
    const source = 'doc = """\n%pip install keras\n!rm -rf /\n"""\nvalues = [\n    1,\n]\nx = (a\n     % b)\ny = "?"  # why?';
    assert.deepEqual(blankIPython(source), { text: source, magics: [] });
  });

  test('cell magics: a shell or other-language body is blanked whole; %%time and %%capture bodies are Python', () => {
    const bash = blankIPython('%%bash\npip install "keras>=3"\nmodel.save("x")');
    assert.equal(bash.text.trim(), '');
    assert.deepEqual(bash.magics.map((m) => m.text), ['%%bash', 'pip install "keras>=3"', 'model.save("x")']);
    assert.equal(blankIPython('%%writefile train.py\nimport keras\n').text.trim(), '');
    const timed = blankIPython('%%time\nmodel.fit(x, y)');
    assert.equal(timed.text, '      \nmodel.fit(x, y)');
    const captured = blankIPython('%%capture\n!pip install tf-keras\nimport tf_keras');
    assert.equal(captured.text, ['%%capture', '!pip install tf-keras'].map((l) => ' '.repeat(l.length)).join('\n') + '\nimport tf_keras');
  });

  test('CRLF line endings stay', () => {
    assert.equal(blankIPython('!ls\r\nx = 1\r\n').text, '   \r\nx = 1\r\n');
  });
});

describe('pip install lines', () => {
  test('the package arguments, without options, their values or shell expansions', () => {
    assert.deepEqual(pipInstallArguments('%pip install -q "tensorflow>=2.16" numpy'), ['tensorflow>=2.16', 'numpy']);
    assert.deepEqual(pipInstallArguments('!pip3 install -U --index-url https://x.org/simple tf-keras==2.16'), ['tf-keras==2.16']);
    assert.deepEqual(pipInstallArguments('!{sys.executable} -m pip install keras==3.3.3 && echo done'), ['keras==3.3.3']);
    assert.deepEqual(pipInstallArguments('!uv pip install -r requirements.txt $EXTRA keras'), ['keras']);
    assert.deepEqual(pipInstallArguments("%pip install 'tensorflow<2.16'  # legacy"), ['tensorflow<2.16']);
    assert.deepEqual(pipInstallArguments('!pip list'), []);
    assert.deepEqual(pipInstallArguments('%conda install keras'), []);
  });

  test('pins in magics decide the version, named by cell and line; they come before the project files', () => {
    const program = new NotebookProgram([markdown('# Setup'), code('import os\n%pip install -q "tensorflow>=2.16"'), code(imports)]);
    assert.deepEqual(program.installedKerasVersion(), { major: 3, source: '`tensorflow>=2.16` in cell 2 (line 2)', range: { low: [3, 0] } });
    const project = { major: 2 as const, source: '`tensorflow==2.15.1` in requirements.txt (line 1)' };
    assert.equal(program.analysisSettings({ ...defaultSettings, projectVersion: project }).projectVersion?.major, 3);
    const unpinned = new NotebookProgram([code('!pip install tensorflow')]);
    assert.equal(unpinned.analysisSettings({ ...defaultSettings, projectVersion: project }).projectVersion, project, 'an unpinned install decides nothing');
    // tf-keras says which names use the legacy package, not which `keras` is installed.
    assert.equal(new NotebookProgram([code('!pip install tf-keras')]).installedKerasVersion()?.major, undefined);
    assert.equal(new NotebookProgram([code('!pip install tf-keras==2.16.0')]).installedKerasVersion()?.major, 3);
    assert.equal(new NotebookProgram([code('x = 1')]).installedKerasVersion(), undefined);
  });

  test("the notebook's own evidence is named by cell and line", () => {
    const { result } = findings([code('import numpy as np'), code('x = 1\nimport tf_keras as keras')]);
    assert.deepEqual(result.version, { major: 2, source: '`tf_keras` import (cell 2, line 2)' });
    assert.equal(findings([code('x = 1')]).result.version.source, 'no evidence in the notebook');
  });
});

describe('the program and its map', () => {
  const cells = [markdown('# Title\ntext'), code('a = 1\nb = 2'), code(''), markdown('more'), code('c = 3\n')];
  const program = new NotebookProgram(cells);

  test('Python cells joined in order, one line break between cells; markdown left out', () => {
    assert.equal(program.text, 'a = 1\nb = 2\n\nc = 3\n');
  });

  test('positions map to (cell, position) and back', () => {
    assert.deepEqual(program.toCell({ line: 1, character: 4 }), { cell: 1, position: { line: 1, character: 4 } });
    assert.deepEqual(program.toCell({ line: 2, character: 0 }), { cell: 2, position: { line: 0, character: 0 } });
    assert.deepEqual(program.toCell({ line: 3, character: 2 }), { cell: 4, position: { line: 0, character: 2 } });
    assert.deepEqual(program.toCell({ line: 4, character: 0 }), { cell: 4, position: { line: 1, character: 0 } });
    assert.deepEqual(program.toProgram(4, { line: 0, character: 2 }), { line: 3, character: 2 });
    assert.equal(program.toProgram(0, { line: 0, character: 0 }), undefined, 'a markdown cell is not in the program');
    for (let line = 0; line <= 4; line++) {
      const at = program.toCell({ line, character: 0 })!;
      assert.deepEqual(program.toProgram(at.cell, at.position), { line, character: 0 });
    }
  });

  test('cells written with CRLF are joined with CRLF, and their last line is removed with the CRLF before it', () => {
    const crlf = new NotebookProgram([code('a = 1\r\nb = 2'), code('c = 3')]);
    assert.equal(crlf.text, 'a = 1\r\nb = 2\r\nc = 3');
    assert.deepEqual(crlf.toCell({ line: 2, character: 1 }), { cell: 1, position: { line: 0, character: 1 } });
    const removed = crlf.mapEdit({ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, newText: '' });
    assert.equal(applyEdits('a = 1\r\nb = 2', [removed!]), 'a = 1');
  });

  test('a range that runs into the next cell is cut at the end of its own cell', () => {
    assert.deepEqual(program.locate({ start: { line: 1, character: 0 }, end: { line: 3, character: 5 } }), { cell: 1, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } } });
  });

  test('edits: insertions at a line start land in that line\'s cell, at the cell\'s start for its first line', () => {
    const atStart = { line: 3, character: 0 };
    assert.deepEqual(program.mapEdit({ range: { start: atStart, end: atStart }, newText: 'x = 0\n' }), { cell: 4, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'x = 0\n' });
    const atEnd = { line: 1, character: 5 };
    assert.deepEqual(program.mapEdit({ range: { start: atEnd, end: atEnd }, newText: '\nb += 1' }), { cell: 1, range: { start: atEnd, end: atEnd }, newText: '\nb += 1' });
  });

  test('edits: removing a cell\'s last line takes the line break before it; an edit across cells does not exist', () => {
    // `b = 2` with the separator after it: the cell keeps `a = 1`, no empty last line.
    const removeLast = program.mapEdit({ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, newText: '' });
    assert.deepEqual(removeLast, { cell: 1, range: { start: { line: 0, character: 5 }, end: { line: 1, character: 5 } }, newText: '' });
    assert.equal(applyEdits('a = 1\nb = 2', [removeLast!]), 'a = 1');
    // Lines replaced up to the separator: the new text's own line break stands for it.
    const replaced = program.mapEdit({ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, newText: 'b = 3\n' });
    assert.deepEqual(replaced?.newText, 'b = 3');
    assert.equal(program.mapEdit({ range: { start: { line: 1, character: 2 }, end: { line: 3, character: 1 } }, newText: '' }), undefined);
    assert.equal(program.mapEdit({ range: { start: { line: 1, character: 3 }, end: { line: 2, character: 0 } }, newText: '' }), undefined, 'would join two cells\' lines');
    assert.equal(program.mapEdits([{ range: { start: atZero(1), end: atZero(1) }, newText: 'x' }, { range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }, newText: '' }]), undefined);
  });
});

function atZero(line: number) {
  return { line, character: 0 };
}

describe('cells are one scope, in cell order', () => {
  test('defined in cell 2, saved in cell 4, compiled in cell 5: flagged in cell 4', () => {
    const cells = [markdown('# Train'), code(`${imports}\n\n${defineModel}`), code('!nvidia-smi\nhistory = !ls'), code('model.save("m.keras")'), code('model.compile(optimizer="adam", loss="mse")')];
    const { mapped } = findings(cells);
    assert.deepEqual(mapped.map((f) => [f.code, f.cell, f.range]), [['KSM101', 3, { start: { line: 0, character: 0 }, end: { line: 0, character: 21 } }]]);
    assert.deepEqual(mapped[0]!.related.map((r) => [r.cell, r.range.start.line]), [[1, 2], [4, 0]]);
    // The move edits the save's cell and the compile's: the title says so, and each edit lands in its cell.
    const [move] = mapped[0]!.fixes;
    assert.equal(move?.title, 'Move `model.compile(...)` above the save (also edits cell 5)');
    const texts = applyToCells(cells, move!.edits);
    assert.deepEqual(texts.slice(3), ['model.compile(optimizer="adam", loss="mse")\nmodel.save("m.keras")', '']);
    assert.deepEqual(findings(texts.map((text, i) => ({ text, python: cells[i]!.python }))).mapped, []);
  });

  test('compiled in an earlier cell: nothing to flag; cell order, not execution order, counts', () => {
    assert.deepEqual(findings([code(`${imports}\n${defineModel}`), code('model.compile(loss="mse")'), code('model.save("m.keras")')]).mapped, []);
    assert.equal(findings([code(`${imports}\n${defineModel}`), code('model.save("m.keras")'), code('model.compile(loss="mse")')]).mapped.length, 1);
  });

  test('an inserted compile for a save on the first line of a cell lands at that cell\'s start', () => {
    const cells = [code(`${imports}\n${defineModel}`), code('model.save("m.keras")\nprint("saved")')];
    const [finding] = findings(cells).mapped;
    assert.equal(finding?.code, 'KSM101');
    const [insert] = finding!.fixes;
    assert.deepEqual(insert!.edits.map((e) => [e.cell, e.range.start]), [[1, { line: 0, character: 0 }]]);
    assert.equal(applyToCells(cells, insert!.edits)[1], 'model.compile(optimizer="adam", loss="mse")\nmodel.save("m.keras")\nprint("saved")');
    assert.equal(applyToCells(cells, insert!.edits)[0], cells[0]!.text, 'nothing appended to the cell before');
  });

  test('KSM301: a hint when never saved in the notebook, an error when saved in a later cell before any build', () => {
    const lstm = `${imports}\nmodel = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(1)])`;
    assert.deepEqual(findings([code(lstm), code('model.compile(loss="mse")')]).mapped.map((f) => [f.code, f.severity]), [['KSM301', 'hint']]);
    const saved = findings([code(lstm), code('model.compile(loss="mse")'), code('model.save("m.keras")')]).mapped;
    assert.deepEqual(saved.map((f) => [f.code, f.severity, f.cell]), [['KSM301', 'error', 0]]);
    assert.deepEqual(saved[0]!.related.map((r) => r.cell), [2]);
  });

  test('a noqa comment in a cell suppresses as in a file', () => {
    assert.deepEqual(findings([code(`${imports}\n${defineModel}`), code('model.save("m.keras")  # noqa: KSM101')]).mapped, []);
  });
});

describe('fixing all of a notebook', () => {
  const layer = 'class Scale(keras.layers.Layer):\n    def __init__(self, factor=2.0):\n        super().__init__()\n        self.factor = factor\n\n    def get_config(self):\n        return {**super().get_config(), "factor": self.factor}';
  const cells = [markdown('# Fix me'), code(imports), code(layer), code(`model = keras.Sequential([keras.Input(shape=(3,)), Scale()])\nmodel.compile(loss="mse")\nmodel.fit_generator(batches)`)];

  test('safe fixes are applied in their cells, the result parses, and a second run changes nothing', () => {
    const { texts, applied } = fixNotebookCells(cells, defaultSettings);
    assert.equal(applied, 2);
    assert.deepEqual([...texts.keys()], [2, 3], 'only the cells with findings change');
    assert.match(texts.get(2)!, /def __init__\(self, factor=2\.0, \*\*kwargs\):\n {8}super\(\)\.__init__\(\*\*kwargs\)/);
    assert.match(texts.get(3)!, /model\.fit\(batches\)$/);
    const fixed = cells.map((c, i) => ({ ...c, text: texts.get(i) ?? c.text }));
    for (const text of texts.values()) assert.equal(countErrorNodes(text), 0);
    assert.deepEqual(findings(fixed).mapped.filter((f) => f.fixes.some((x) => x.applicability === 'safe')), []);
    assert.equal(fixNotebookCells(fixed, defaultSettings).texts.size, 0, 'idempotent');
  });

  test('withCellFixes keeps, for one cell, only fixes that edit that cell alone', () => {
    const { program, result } = findings(cells);
    const forCell3 = program.withCellFixes(result.findings, 3);
    assert.deepEqual(forCell3.filter((f) => f.fixes.length > 0).map((f) => f.code), ['KSM402']);
  });
});

describe('.ipynb files', () => {
  const file = path.join(fixturesDir, 'notebooks', 'cross-cell.ipynb');

  function parsed(json: string): NotebookFile {
    const read = parseNotebook(json);
    assert.ok('notebook' in read, 'skipped' in read ? read.skipped : '');
    return read.notebook;
  }

  test('cells, their kinds and sources (list of lines or one string)', () => {
    const notebook = parsed(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(notebook.cells.map((c) => c.python), [false, true, true, true, true]);
    assert.equal(notebook.cells[1]!.text, `${imports}\n\n${defineModel}`);
    const asString = parsed(JSON.stringify({ nbformat: 4, metadata: {}, cells: [{ cell_type: 'code', source: 'a = 1\nb = 2', metadata: {}, outputs: [] }] }));
    assert.equal(asString.cells[0]!.text, 'a = 1\nb = 2');
  });

  test('writing back changes only the changed sources, each in its own form and layout', () => {
    const json = fs.readFileSync(file, 'utf8');
    const notebook = parsed(json);
    const written = writeNotebook(notebook, new Map([[3, 'model.compile(loss="mse")\nmodel.save("m.keras")'], [4, '']]));
    const expected = JSON.parse(json);
    expected.cells[3].source = ['model.compile(loss="mse")\n', 'model.save("m.keras")'];
    expected.cells[4].source = [];
    assert.deepEqual(JSON.parse(written), expected);
    assert.ok(written.includes('   "source": [\n    "model.compile(loss=\\"mse\\")\\n",\n    "model.save(\\"m.keras\\")"\n   ]'), written);
    assert.equal(written.slice(0, json.indexOf('"model.save')), json.slice(0, json.indexOf('"model.save')), 'the rest stays byte for byte');
    const asString = parsed('{"cells": [{"cell_type": "code", "source": "a = 1", "metadata": {"tags": ["é"]}}], "metadata": {}, "nbformat": 4}');
    assert.equal(writeNotebook(asString, new Map([[0, 'a = 2\nb = "é"']])), '{"cells": [{"cell_type": "code", "source": "a = 2\\nb = \\"é\\"", "metadata": {"tags": ["é"]}}], "metadata": {}, "nbformat": 4}');
    const ascii = parsed('{"cells": [{"cell_type": "code", "source": ["a = \\"\\u00e9\\""]}], "nbformat": 4}');
    assert.equal(writeNotebook(ascii, new Map([[0, 'a = "é!"']])), '{"cells": [{"cell_type": "code", "source": ["a = \\"\\u00e9!\\""]}], "nbformat": 4}');
  });

  test('what is not a Python notebook is skipped with the reason', () => {
    assert.match((parseNotebook('{"cells": [') as { skipped: string }).skipped, /^not a notebook: /);
    assert.deepEqual(parseNotebook('{"nbformat": 3, "worksheets": []}'), { skipped: 'nbformat 3 notebooks are not supported; save it again with Jupyter' });
    assert.deepEqual(parseNotebook('{"nbformat": 4, "cells": [], "metadata": {"kernelspec": {"language": "R"}}}'), { skipped: 'not a Python notebook (its language is R)' });
    const shell = parsed('{"nbformat": 4, "cells": [{"cell_type": "code", "source": "ls", "metadata": {"vscode": {"languageId": "shellscript"}}}]}');
    assert.equal(shell.cells[0]!.python, false);
  });
});

describe('the program of an open notebook follows its cells', () => {
  test('one incremental change per update; the re-parsed tree is the one a fresh parse gives', () => {
    const versions = [
      [code(`${imports}\n${defineModel}`), code('model.save("m.keras")')],
      [code(`${imports}\n${defineModel}`), code('model.compile(loss="mse")'), code('model.save("m.keras")')],
      [code(`${imports}\n${defineModel}`), code('model.compile(loss="mse")\r\n'), code('model.save("m.keras")')],
      [code('!pip install keras'), code(`${imports}\n${defineModel}`), code('model.save("m.keras")')],
      [code(`${imports}\n${defineModel}`)],
      [code(`${imports}\n${defineModel}`)],
      [],
    ];
    const open = new OpenDocument(TextDocument.create('file:///n.ipynb', 'python', 1, ''));
    try {
      versions.forEach((cells, i) => {
        const text = new NotebookProgram(cells).text;
        syncProgram(open, text, i + 2);
        assert.equal(open.text, text);
        assert.equal(open.version, i + 2);
        const fresh = parsePython(text);
        try {
          assert.equal(open.currentTree()!.rootNode.toString(), fresh.rootNode.toString());
        } finally {
          fresh.delete();
        }
      });
    } finally {
      open.dispose();
    }
  });
});

describe('install lines are the notebook\'s requirements; %env sets the legacy variable', () => {
  const codes = (cells: NotebookCellSource[], settings: Partial<AnalysisSettings> = {}) =>
    findings(cells, settings).mapped.map((f) => [f.code, f.cell, f.range.start.line, f.range.start.character, f.range.end.character]);

  test('KSM602 on the keras package of a live install line, with its fixes on that line', () => {
    const cells = [code('!pip install -q "tensorflow>=2.16" keras<3 numpy'), code(imports)];
    const { mapped } = findings(cells);
    const conflict = mapped.find((f) => f.code === 'KSM602')!;
    assert.equal(conflict.severity, 'error');
    assert.deepEqual([conflict.cell, conflict.range], [0, { start: { line: 0, character: 35 }, end: { line: 0, character: 42 } }]);
    assert.equal(conflict.message, '`keras<3` cannot be installed with `tensorflow>=2.16`');
    assert.match(conflict.detail ?? '', /^`tensorflow>=2\.16` is required at line 1\./);
    assert.deepEqual(conflict.related.map((r) => [r.cell, r.range.start.character, r.message]), [[0, 17, '`tensorflow>=2.16` is required here']]);
    assert.equal(applyToCells(cells, conflict.fixes[0]!.edits)[0], '!pip install -q "tensorflow>=2.16" keras>=3 numpy');
    // A package on a continuation line: the finding is on the install line; only fixes of its first line stay.
    const continued = findings([code('!pip install "tensorflow>=2.16" \\\n    "keras<3"')]).mapped.find((f) => f.code === 'KSM602')!;
    assert.deepEqual([continued.cell, continued.range], [0, { start: { line: 0, character: 0 }, end: { line: 0, character: 33 } }]);
    assert.deepEqual(continued.fixes.map((f) => f.title), ['Keep Keras 2 with TensorFlow before 2.16: `tensorflow<2.16`']);
    // Across cells: the line that requires TensorFlow is named by its cell.
    const across = findings([code('%pip install tensorflow==2.11.*'), code('%pip install keras==3.3.3')]).mapped.find((f) => f.code === 'KSM602')!;
    assert.equal(across.cell, 1);
    assert.match(across.detail ?? '', /^`tensorflow==2\.11\.\*` is required at cell 1, line 1\./);
  });

  test('a noqa comment on the install line suppresses; a commented-out install is version evidence only', () => {
    assert.deepEqual(codes([code('!pip install "tensorflow>=2.16" "keras<3"  # noqa: KSM602')]), []);
    const commented = findings([code('# !pip install "tensorflow>=2.16" "keras<3"\n# %pip install tensorflow==2.15.1'), code(imports)]);
    assert.deepEqual(commented.mapped.map((f) => f.code), []);
    assert.equal(commented.program.installedKerasVersion()?.major, undefined, 'the two commented lines disagree');
    const once = new NotebookProgram([code('# !pip install tensorflow==2.15.1'), code(imports)]);
    assert.deepEqual(once.installedKerasVersion(), { major: 2, source: '`tensorflow==2.15.1` in cell 1 (line 1)', range: { low: [2, 15], high: [2, 16] } });
    // A close call: a requirement line in a string is no install line.
    assert.deepEqual(codes([code('NOTE = """\n!pip install "tensorflow>=2.16" "keras<3"\n"""')]), []);
  });

  test('KSM603 on the tensorflow install line when the notebook uses tf_keras or sets the variable, named by cell', () => {
    const cells = [code('!pip install "tensorflow>=2.16"'), code('import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])')];
    const missing = findings(cells).mapped.find((f) => f.code === 'KSM603')!;
    assert.deepEqual([missing.cell, missing.range.start.character, missing.severity], [0, 14, 'warning']);
    assert.match(missing.detail ?? '', /`import tf_keras as keras` is in cell 2, line 1\./);
    assert.deepEqual(missing.related.map((r) => [r.cell, r.range.start.line]), [[1, 0]]);
    assert.equal(missing.fixes[0]!.title, 'Add `tf-keras>=2.16` under `tensorflow>=2.16`');
    assert.equal(applyToCells(cells, missing.fixes[0]!.edits)[0], '!pip install "tensorflow>=2.16" "tf-keras>=2.16"');
    const unquoted = [code('%pip install tensorflow==2.17.* numpy'), code('import tf_keras')];
    const pinned = findings(unquoted).mapped.find((f) => f.code === 'KSM603')!;
    assert.equal(applyToCells(unquoted, pinned.fixes[0]!.edits)[0], '%pip install tensorflow==2.17.* "tf-keras==2.17.*" numpy');
    assert.deepEqual(codes(applyToCells(unquoted, pinned.fixes[0]!.edits).map(code)), []);
    const env = findings([code('%env TF_USE_LEGACY_KERAS=1\n!pip install tensorflow==2.17.*'), code('import tensorflow as tf')]).mapped.find((f) => f.code === 'KSM603')!;
    assert.equal(env.message, '`tf-keras` is not listed, but `%env TF_USE_LEGACY_KERAS=1` needs it');
    // Silent: tf-keras installed too, TensorFlow 2.15, or no install line at all.
    assert.deepEqual(codes([code('!pip install "tensorflow>=2.16" tf-keras'), code('import tf_keras')]), []);
    assert.deepEqual(codes([code('!pip install tensorflow==2.15.*'), code('import tf_keras')]), []);
    assert.deepEqual(codes([code('import tf_keras')]), []);
  });

  test('%env before the first TensorFlow import reroutes tf.keras to Keras 2; after it, KSM604 with a move', () => {
    const legacy = [code('%env TF_USE_LEGACY_KERAS=1'), code('import tensorflow as tf\nx = tf.keras.layers.Embedding(10, 4, batch_input_shape=(32, 8))')];
    // KSM303 is a Keras 3 finding: tf.keras is tf_keras here.
    assert.deepEqual(codes(legacy, { kerasVersion: '3' }), []);
    assert.equal(findings(legacy, { kerasVersion: '3' }).result.version.major, 2);
    const late = [code('import tensorflow as tf'), code('%env TF_USE_LEGACY_KERAS=1\nx = 1')];
    const { mapped } = findings(late);
    const tooLate = mapped.find((f) => f.code === 'KSM604')!;
    assert.deepEqual([tooLate.cell, tooLate.range], [1, { start: { line: 0, character: 0 }, end: { line: 0, character: 26 } }]);
    assert.deepEqual(tooLate.related.map((r) => [r.cell, r.message]), [[0, 'TensorFlow is loaded here']]);
    // The line the message names is the notebook's: a cell and the line in it.
    const below = findings([code('x = 0'), code('import os\nimport tensorflow as tf'), code('%env TF_USE_LEGACY_KERAS=1')]).mapped.find((f) => f.code === 'KSM604')!;
    assert.match(below.message, /\(cell 2, line 2\)/);
    assert.doesNotMatch(below.message, /\(line \d+\)/);
    const [move] = tooLate.fixes;
    assert.equal(move!.title, 'Move `%env TF_USE_LEGACY_KERAS=1` above `import tensorflow as tf` (also edits cell 1)');
    const fixed = applyToCells(late, move!.edits);
    assert.deepEqual(fixed, ['%env TF_USE_LEGACY_KERAS=1\nimport tensorflow as tf', 'x = 1']);
    assert.deepEqual(codes(fixed.map(code)), []);
    // A value TensorFlow ignores is information wherever it is; an off value is never reported.
    assert.deepEqual(codes([code('%env TF_USE_LEGACY_KERAS=yes\nimport tensorflow as tf')]).map((c) => c[0]), ['KSM604']);
    assert.equal(findings([code('%set_env TF_USE_LEGACY_KERAS yes')]).mapped[0]?.severity, 'information');
    assert.deepEqual(codes([code('import tensorflow as tf'), code('%env TF_USE_LEGACY_KERAS=0')]), []);
    // Other variables are not this one.
    assert.deepEqual(codes([code('import tensorflow as tf'), code('%env TF_CPP_MIN_LOG_LEVEL=2')]), []);
  });
});
