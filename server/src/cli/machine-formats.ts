import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { NotebookFinding } from '../engine/analysis/notebook';
import type { Finding, Range, Severity, TextEdit } from '../engine/analysis/types';
import { rules } from '../engine/rules/index';

/**
 * Output for machines that read findings where people look at them: GitHub workflow commands
 * (annotations on a pull request) and SARIF 2.1.0 (GitHub code scanning and other viewers).
 * Rows and columns are 1-based; columns count UTF-16 code units, as the editor's do. A
 * notebook's locations are relative to their cell, which each location names.
 */

export interface FileFindings {
  /** The path as the run names it (relative to the working directory when inside it). */
  file: string;
  findings: Array<Finding | NotebookFinding>;
}

const cellOf = (located: object): number | undefined =>
  'cell' in located && typeof located.cell === 'number' ? located.cell + 1 : undefined;

// --- GitHub workflow commands ---

const githubCommand: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };

/** A workflow command's data: `%`, CR and LF escaped. */
const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A workflow command's property: also `:` and `,`. */
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=KSM301 lstm-missing-input-shape::message`, one line per finding. */
export function githubAnnotations(files: FileFindings[]): string {
  let out = '';
  for (const { file, findings } of files) {
    for (const f of findings) {
      const cell = cellOf(f);
      const properties = [
        `file=${escapeProperty(file)}`,
        `line=${f.range.start.line + 1}`,
        `col=${f.range.start.character + 1}`,
        `endLine=${f.range.end.line + 1}`,
        `endColumn=${f.range.end.character + 1}`,
        `title=${escapeProperty(`${f.code} ${f.name}`)}`,
      ];
      const where = cell === undefined ? '' : `cell ${cell}: `;
      out += `::${githubCommand[f.severity]} ${properties.join(',')}::${escapeData(where + f.message)}\n`;
    }
  }
  return out;
}

// --- SARIF 2.1.0 ---

const sarifLevel: Record<Severity, Sarif.Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };
const sourceRoot = 'SRCROOT';

function region(range: Range, cell: number | undefined): Sarif.Region {
  const out: Sarif.Region = {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
  if (cell !== undefined) out.properties = { cell };
  return out;
}

/** A path relative to the source root, as a URI reference; an absolute one as a file URI. */
function artifact(file: string): Sarif.ArtifactLocation {
  if (path.isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: sourceRoot };
}

function replacement(edit: TextEdit & { cell?: number }): Sarif.Replacement {
  return { deletedRegion: region(edit.range, cellOf(edit)), insertedContent: { text: edit.newText } };
}

/** The whole run as one SARIF log: the tool with every rule, then a result per finding. */
export function sarifLog(files: FileFindings[], version: string, root: string): Sarif.Log {
  const ruleIndex = new Map(rules.map((r, i) => [r.code, i]));
  const results: Sarif.Result[] = [];
  for (const { file, findings } of files) {
    for (const f of findings) {
      const location: Sarif.Location = { physicalLocation: { artifactLocation: artifact(file), region: region(f.range, cellOf(f)) } };
      const result: Sarif.Result = {
        ruleId: f.code,
        ruleIndex: ruleIndex.get(f.code)!,
        level: sarifLevel[f.severity],
        message: { text: f.message },
        locations: [location],
      };
      if (f.related.length > 0) {
        result.relatedLocations = f.related.map((r, id) => ({
          id,
          message: { text: r.message },
          physicalLocation: { artifactLocation: r.uri ? { uri: r.uri } : artifact(file), region: region(r.range, cellOf(r)) },
        }));
      }
      if (f.fixes.length > 0) {
        result.fixes = f.fixes.map((fix) => ({
          description: { text: `${fix.title} (${fix.applicability})` },
          artifactChanges: [{ artifactLocation: artifact(file), replacements: fix.edits.map(replacement) }],
        }));
      }
      results.push(result);
    }
  }
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: {
        driver: {
          name: 'keras-savedmodel-lint',
          version,
          semanticVersion: version,
          rules: rules.map((r) => ({
            id: r.code,
            name: r.name,
            shortDescription: { text: r.summary.replace(/`/g, '') },
            fullDescription: { text: r.docs.what },
            help: { text: `${r.docs.what}\n\n${r.docs.why}`, markdown: `${r.docs.what}\n\n${r.docs.why}\n\nFixes: ${r.docs.fix}` },
            // The level of each finding depends on the Keras version; most rules report warnings.
            defaultConfiguration: { level: 'warning' },
          })),
        },
      },
      originalUriBaseIds: { [sourceRoot]: { uri: pathToFileURL(root + path.sep).href } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}
