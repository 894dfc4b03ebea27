import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser } from '../../server/src/engine/analysis/parser';
import type { AnalysisSettings, Finding, Range, TextEdit } from '../../server/src/engine/analysis/types';
import { analyzeText, type AnalysisResult } from '../../server/src/engine/engine';
import { readPythonFile } from '../../server/src/workspace/files';
import { NotebookProgram } from '../../server/src/engine/analysis/notebook';
import { analyzeNotebook, readNotebookFile } from '../../server/src/workspace/notebook-files';
import { ProjectVersions, isWithin } from '../../server/src/workspace/project-files';
import { WorkspaceIndex } from '../../server/src/workspace/workspace-index';
import { parseFixture, repoRoot } from './fixtures';

/**
 * The engine's whole output over every fixture, the corpus and the examples, as the CLI would
 * analyse them (project dependency files, cross-file modules): the reference that refactors of
 * the engine are compared against. Fixtures use the settings of their `ksm-test:` headers.
 */

export const snapshotFile = path.join(repoRoot, 'test', 'snapshots', 'findings.json');
const trees = ['test/fixtures', 'test/corpus', 'examples'];

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(relative));
    else if (entry.name.endsWith('.py') || entry.name.endsWith('.ipynb')) out.push(relative);
  }
  return out.sort();
}

const at = (r: Range): string => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

const editOf = (e: TextEdit) => ({ range: at(e.range), newText: e.newText, ...(e.snippet ? { snippet: e.snippet } : {}) });

function snapshotOf(result: AnalysisResult) {
  return {
    version: result.version,
    ...(result.skipped ? { skipped: result.skipped } : {}),
    findings: result.findings.map((f: Finding) => ({
      code: f.code,
      severity: f.severity,
      range: at(f.range),
      message: f.message,
      related: f.related.map((r) => `${at(r.range)}${r.uri ? ` ${r.uri}` : ''} ${r.message}`),
      fixes: f.fixes.map((x) => ({
        title: x.title,
        applicability: x.applicability,
        ...(x.preferred ? { preferred: true } : {}),
        edits: x.edits.map(editOf),
        ...(x.otherFileEdits ? { otherFileEdits: x.otherFileEdits.map((o) => ({ file: o.file, edits: o.edits.map(editOf) })) } : {}),
      })),
      models: f.modelIds,
    })),
    models: result.models.map((m) => ({
      id: m.id,
      name: m.name,
      kind: m.kind,
      definition: at(m.definition),
      saves: m.saves.map((s) => `${s.method} ${at(s.range)}`),
      checks: m.checks.map((c) => `${c.id}:${c.status}:${c.codes.join(',')}:${c.problems.map((p) => `${p.code}@${at(p.range)}`).join(',')}`),
    })),
  };
}

/** The snapshot of every file, by path relative to the repository. */
export async function collectSnapshot(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [file, result] of Object.entries(await collectResults())) out[file] = 'findings' in result ? snapshotOf(result) : result;
  return out;
}

/** The engine's result for every file of the trees, by path relative to the repository; a file not read gives its reason. */
export async function collectResults(): Promise<Record<string, AnalysisResult | { skipped: string }>> {
  await initParser();
  const projects = new ProjectVersions();
  const modules = new WorkspaceIndex({
    roots: () => [repoRoot, ...trees.map((t) => path.join(repoRoot, t))],
    read: (file) => {
      const read = readPythonFile(file);
      return 'text' in read ? read.text : undefined;
    },
    locationOf: (file) => (isWithin(file, repoRoot) ? path.relative(repoRoot, file).split(path.sep).join('/') : file),
    // As the CLI: a module is summarised with its own project's Keras version.
    settingsFor: (file) => ({ kerasVersion: 'auto', rules: {}, projectVersion: projects.versionFor(file, { namesRelativeTo: repoRoot }) }),
  });
  const out: Record<string, AnalysisResult | { skipped: string }> = {};
  for (const tree of trees) {
    for (const file of filesUnder(tree)) {
      const absolute = path.join(repoRoot, file);
      let base: AnalysisSettings = { kerasVersion: 'auto', rules: {} };
      if (file.endsWith('.py') && tree === 'test/fixtures') {
        const read = readPythonFile(absolute);
        if ('text' in read) base = parseFixture(read.text, []).settings;
      }
      const settings: AnalysisSettings = {
        ...base,
        projectVersion: base.kerasVersion === 'auto' ? projects.versionFor(absolute, { namesRelativeTo: repoRoot }) : undefined,
        modules: modules.resolverFor(absolute),
      };
      if (file.endsWith('.ipynb')) {
        const read = readNotebookFile(absolute);
        out[file] = 'skipped' in read ? { skipped: read.skipped } : analyzeNotebook(new NotebookProgram(read.notebook.cells), settings);
      } else {
        const read = readPythonFile(absolute);
        out[file] = 'skipped' in read ? { skipped: read.skipped } : analyzeText(read.text, settings);
      }
    }
  }
  return out;
}
