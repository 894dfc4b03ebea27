import { firstSyntaxError } from '../analysis/syntax-errors';
import type { Rule } from './rule';

export const invalidSyntax: Rule = {
  code: 'KSM000',
  name: 'invalid-syntax',
  summary: 'A file that is not valid Python: its first syntax error, so a missing finding is not mistaken for a clean file',
  severity: 'error',
  fixSafety: 'none',
  suppressible: false,
  docs: {
    what:
      'Flags the first syntax error of a Python file or of a notebook\'s code cells, once per file: a token ' +
      'the parser cannot place (an extra `)`), a bracket that is never closed, a token the parser had to ' +
      'assume (a missing `)`), or a line that parses as nothing (a merge-conflict marker). Anchor: that token, or the start of that line. ' +
      'The other rules still run on the parts of the file that parse, so their findings are reported too, ' +
      'but code around the error may be misread or left out.\n\n' +
      'As with Ruff\'s syntax errors, a `# noqa` comment does not silence it (the file does not run, whatever ' +
      'the comment says): leave it out with `--ignore KSM000`, `ignore = ["KSM000"]` in the configuration, or ' +
      '`"KSM000": "off"` in the editor\'s `kerasSavedModel.rules`.\n\n' +
      '**In the editor** the language server publishes it like any finding, at the level set for it (error by ' +
      'default). Python extensions already underline syntax errors, so the same spot may show two squiggles; it ' +
      'is still shown because it says why this linter\'s other findings may be missing or wrong below it, and it ' +
      'is one diagnostic per file, not one per broken token. Set it to `"off"` or `"hint"` there to quiet it.',
    why:
      'A script that does not parse never runs: Python stops with `SyntaxError` before the first line, so no ' +
      'model is built, trained or saved. For this linter a tree with errors means the analysis is partial: a ' +
      '`compile()` or `get_config` inside the broken part is not seen, so a clean report would be a false promise.',
    notFlagged:
      'IPython syntax in notebooks (`%magic`, `!shell`, `obj?`), which is not Python but is blanked before ' +
      'parsing (in a `.py` file it is flagged); code that is valid Python but fails when run; the second and ' +
      'later errors of a file; what the tree-sitter grammar accepts although Python 3 rejects it: Python 2 ' +
      'syntax (`print "x"`, `except IOError, e:`) and some indentation errors (a body not indented under its `def`).',
    example: ['model.compile(optimizer="adam", loss="mse"))', 'model.save("model.keras")'].join('\n'),
    fixed: ['model.compile(optimizer="adam", loss="mse")', 'model.save("model.keras")'].join('\n'),
    fix: 'None: only you know what the code should say.',
    references: ['https://docs.python.org/3/reference/grammar.html', 'https://docs.astral.sh/ruff/rules/#syntax-errors'],
  },
  run(context) {
    const error = firstSyntaxError(context.facts.tree);
    if (!error) return;
    context.report({
      range: error.range,
      severity: 'error',
      message: `Syntax error: ${error.problem}`,
      detail: 'Python raises SyntaxError before running the file. The other findings cover only the code that parses.',
    });
  },
};
