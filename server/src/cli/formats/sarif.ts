import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Range, Severity, TextEdit } from '../../engine/analysis/types';
import { homepageUrl, rulePageUrl } from '../../engine/rule-docs';
import { rules } from '../../engine/rules/index';
import { cellNumber, type CheckedFile, type FormatContext, type OutputFormat, type ShownFinding } from './format';

/**
 * SARIF 2.1.0, for GitHub code scanning and other viewers: one run, the tool with every rule,
 * a result per finding, and the findings `# noqa` silences as suppressed results. Rows and
 * columns are 1-based; columns count UTF-16 code units, as the editor's do. A notebook's
 * regions are relative to their cell, which each region names in its properties.
 */

const level: Record<Severity, Sarif.Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };
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

/**
 * A rule's level before the Keras version and the case decide it: the level its severity
 * description leads with ("error under Keras 3; warning ..." is an error rule). Every result
 * carries its own level besides.
 */
function defaultLevel(description: string): Sarif.ReportingConfiguration.level {
  const first = /^(error|warning|information|hint)\b/.exec(description)?.[1] as Severity | undefined;
  return first ? level[first] : 'warning';
}

function replacement(edit: TextEdit & { cell?: number }): Sarif.Replacement {
  return { deletedRegion: region(edit.range, cellNumber(edit)), insertedContent: { text: edit.newText } };
}

function result(file: string, f: ShownFinding, ruleIndex: ReadonlyMap<string, number>): Sarif.Result {
  const location: Sarif.Location = { physicalLocation: { artifactLocation: artifact(file), region: region(f.range, cellNumber(f)) } };
  const out: Sarif.Result = {
    ruleId: f.code,
    ruleIndex: ruleIndex.get(f.code)!,
    level: level[f.severity],
    message: { text: f.message },
    locations: [location],
  };
  if (f.related.length > 0) {
    out.relatedLocations = f.related.map((r, id) => ({
      id,
      message: { text: r.message },
      physicalLocation: { artifactLocation: r.uri ? { uri: r.uri } : artifact(file), region: region(r.range, cellNumber(r)) },
    }));
  }
  if (f.fixes.length > 0) {
    out.fixes = f.fixes.map((fix) => ({
      description: { text: `${fix.title} (${fix.applicability})` },
      // One change per file: this one, then each other module the fix edits.
      artifactChanges: [
        ...(fix.edits.length > 0 ? [{ artifactLocation: artifact(file), replacements: fix.edits.map(replacement) }] : []),
        ...(fix.otherFileEdits ?? []).map((other) => ({ artifactLocation: artifact(other.file), replacements: other.edits.map(replacement) })),
      ],
    }));
  }
  return out;
}

/** The whole run as one SARIF log. */
export function sarifLog(files: readonly CheckedFile[], context: Pick<FormatContext, 'version' | 'root'>): Sarif.Log {
  const ruleIndex = new Map(rules.map((r, i) => [r.code, i]));
  const results: Sarif.Result[] = [];
  for (const { file, findings, suppressed } of files) {
    for (const f of findings) results.push(result(file, f, ruleIndex));
    for (const f of suppressed ?? []) results.push({ ...result(file, f, ruleIndex), suppressions: [{ kind: 'inSource' }] });
  }
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: {
        driver: {
          name: 'keras-savedmodel-lint',
          version: context.version,
          semanticVersion: context.version,
          informationUri: homepageUrl,
          rules: rules.map((r) => ({
            id: r.code,
            name: r.name,
            shortDescription: { text: r.summary.replace(/`/g, '') },
            fullDescription: { text: r.docs.what },
            help: { text: `${r.docs.what}\n\n${r.docs.why}`, markdown: `${r.docs.what}\n\n${r.docs.why}\n\nFixes: ${r.docs.fix}` },
            helpUri: rulePageUrl(r.code),
            defaultConfiguration: { level: defaultLevel(r.severity) },
          })),
        },
      },
      originalUriBaseIds: { [sourceRoot]: { uri: pathToFileURL(context.root + path.sep).href } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}

export const sarifFormat: OutputFormat = {
  name: 'sarif',
  description: 'one SARIF 2.1.0 log (GitHub code scanning), with suppressed findings',
  listsSuppressed: true,
  emit: (files, context) => JSON.stringify(sarifLog(files, context), null, 2) + '\n',
};
