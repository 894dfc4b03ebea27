import type { TextEdit } from '../../engine/analysis/types';
import { rulePageUrl } from '../../engine/rule-docs';
import { primaryFix } from '../../engine/report';
import { cellNumber, oneBased, type OutputFormat, type ShownFinding } from './format';

const cellProperty = (located: object): { cell?: number } => {
  const cell = cellNumber(located);
  return cell === undefined ? {} : { cell };
};

const editJson = (e: TextEdit) => ({ content: e.newText, ...cellProperty(e), location: oneBased(e.range.start), end_location: oneBased(e.range.end) });

/**
 * The stable JSON shape of a finding (documented in the README; CI systems parse it). A
 * notebook's findings and fix edits also carry their `cell`, and their rows are relative to it.
 */
export function findingJson(file: string, f: ShownFinding) {
  const fix = primaryFix(f);
  return {
    code: f.code,
    name: f.name,
    severity: f.severity,
    message: f.message,
    ...(f.detail === undefined ? {} : { detail: f.detail }),
    filename: file,
    ...cellProperty(f),
    location: oneBased(f.range.start),
    end_location: oneBased(f.range.end),
    fix: fix
      ? {
          applicability: fix.applicability,
          message: fix.title,
          // Edits of another module (where a class is defined) name its file.
          edits: [
            ...fix.edits.map((e) => editJson(e)),
            ...(fix.otherFileEdits ?? []).flatMap((other) => other.edits.map((e) => ({ filename: other.file, ...editJson(e) }))),
          ],
        }
      : null,
    url: rulePageUrl(f.code),
  };
}

export const jsonFormat: OutputFormat = {
  name: 'json',
  description: 'an array of findings (the shape documented below)',
  emit(files) {
    return JSON.stringify(files.flatMap(({ file, findings }) => findings.map((f) => findingJson(file, f))), null, 2) + '\n';
  },
};

export const jsonLinesFormat: OutputFormat = {
  name: 'json-lines',
  description: "one JSON object per line per finding, json's shape",
  emit(files) {
    return files.flatMap(({ file, findings }) => findings.map((f) => JSON.stringify(findingJson(file, f)) + '\n')).join('');
  },
};
