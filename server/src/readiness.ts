import type { NotebookProgram } from './engine/analysis/notebook';
import type { Range } from './engine/analysis/types';
import type { AnalysisResult } from './engine/engine';
import type { CellLocation, FileReadiness } from './protocol';

/** Where a range of the analysed text is for the reader: a notebook maps program ranges to cells. */
export type Locate = (range: Range) => CellLocation & { range: Range };

/** A notebook's locator: each range relative to its cell, with the cell's number and, where `uriOf` gives one, its URI. */
export function cellLocator(program: NotebookProgram, uriOf?: (cell: number) => string | undefined): Locate {
  return (range) => {
    const at = program.locate(range);
    const uri = uriOf?.(at.cell);
    return { range: at.range, ...(uri !== undefined ? { uri } : {}), cell: at.cell + 1 };
  };
}

export function fileReadiness(uri: string, result: AnalysisResult, locate?: Locate): FileReadiness {
  const at = (range: Range) => (locate ? locate(range) : { range });
  const locateProblem = <P extends { range: Range; uri?: string }>(problem: P): P => (problem.uri !== undefined ? problem : { ...problem, ...at(problem.range) });
  const readiness: FileReadiness = {
    uri,
    kerasVersion: result.version,
    models: result.models.map((model) => {
      const { range, uri: definitionUri, cell: definitionCell } = at(model.definition);
      return {
        ...model,
        definition: range,
        ...(definitionUri !== undefined ? { definitionUri } : {}),
        ...(definitionCell !== undefined ? { definitionCell } : {}),
        saves: model.saves.map((save) => ({ ...save, ...at(save.range) })),
        // A problem in another module (a class imported from it) keeps that module's location.
        checks: model.checks.map((check) => ({ ...check, problems: check.problems.map(locateProblem) })),
        ...(model.byVersion ? {
          byVersion: {
            keras2: { ...model.byVersion.keras2, blocking: model.byVersion.keras2.blocking.map(locateProblem) },
            keras3: { ...model.byVersion.keras3, blocking: model.byVersion.keras3.blocking.map(locateProblem) },
          },
        } : {}),
      };
    }),
    findings: result.findings.map(({ code, name, severity, message, range }) => ({ code, name, severity, message, ...at(range) })),
  };
  if (result.skipped) readiness.skipped = result.skipped;
  return readiness;
}

