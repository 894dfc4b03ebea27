import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type * as Sarif from 'sarif';
import { githubAnnotations } from '../../server/src/cli/formats/github';
import type { Finding } from '../../server/src/engine/analysis/types';
import { rules } from '../../server/src/engine/rules/index';
import { repoRoot } from '../helpers/fixtures';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const targets = ['examples', 'test/corpus'];

function ksm(args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface JsonFinding {
  code: string;
  severity: string;
  filename: string;
  cell?: number;
  location: { row: number; column: number };
  end_location: { row: number; column: number };
  fix: unknown;
}

const jsonFindings = (): JsonFinding[] => JSON.parse(ksm(['check', '--format', 'json', ...targets]).stdout) as JsonFinding[];

test('--format sarif passes Microsoft\'s SARIF validator and holds every finding, its location, related locations and fixes', () => {
  const run = ksm(['check', '--format', 'sarif', ...targets]);
  assert.equal(run.code, 1);
  const log = JSON.parse(run.stdout) as Sarif.Log;
  const findings = jsonFindings();
  const [sarifRun] = log.runs;
  assert.equal(log.version, '2.1.0');
  assert.deepEqual(sarifRun!.tool.driver.rules!.map((r) => r.id), rules.map((r) => r.code));
  const results = sarifRun!.results!;
  assert.equal(results.length, findings.length);
  const levels: Record<string, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };
  results.forEach((result, i) => {
    const finding = findings[i]!;
    assert.equal(result.ruleId, finding.code);
    assert.equal(sarifRun!.tool.driver.rules![result.ruleIndex!]!.id, finding.code);
    assert.equal(result.level, levels[finding.severity]);
    const location = result.locations![0]!.physicalLocation!;
    assert.equal(decodeURIComponent(location.artifactLocation!.uri!), finding.filename.split(path.sep).join('/'));
    assert.deepEqual(
      [location.region!.startLine, location.region!.startColumn, location.region!.endLine, location.region!.endColumn],
      [finding.location.row, finding.location.column, finding.end_location.row, finding.end_location.column],
    );
    assert.equal(location.region!.properties?.['cell'], finding.cell);
    assert.equal((result.fixes?.length ?? 0) > 0, finding.fix !== null);
  });
  assert.ok(results.some((r) => (r.relatedLocations?.length ?? 0) > 0));
  assert.ok(results.some((r) => r.locations![0]!.physicalLocation!.region!.properties?.['cell'] !== undefined), 'a notebook finding names its cell');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-sarif-'));
  try {
    const input = path.join(dir, 'ksm.sarif');
    const output = path.join(dir, 'validation.sarif');
    fs.writeFileSync(input, run.stdout);
    const validator = path.join(repoRoot, 'node_modules', '.bin', 'sarif-multitool');
    const validated = spawnSync(validator, ['validate', input, '--output', output], {
      encoding: 'utf8', env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' }, timeout: 120_000,
    });
    assert.equal(validated.status, 0, validated.stdout + validated.stderr);
    const report = JSON.parse(fs.readFileSync(output, 'utf8')) as Sarif.Log;
    // Only the missing informationUri remains (the project has no public home page yet).
    const problems = (report.runs[0]!.results ?? []).map((r) => `${r.ruleId} ${r.level ?? 'warning'}`);
    assert.deepEqual(problems.filter((p) => !p.startsWith('SARIF2005 ')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--format github prints one workflow command per finding, at its level and place', () => {
  const run = ksm(['check', '--format', 'github', ...targets]);
  assert.equal(run.code, 1);
  const lines = run.stdout.trimEnd().split('\n');
  const findings = jsonFindings();
  assert.equal(lines.length, findings.length);
  const commands: Record<string, string> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };
  lines.forEach((line, i) => {
    const f = findings[i]!;
    const file = f.filename.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/,/g, '%2C');
    assert.ok(line.startsWith(`::${commands[f.severity]} file=${file},line=${f.location.row},col=${f.location.column},endLine=${f.end_location.row},endColumn=${f.end_location.column},title=${f.code} `), line);
  });
});

test('workflow commands escape what would end a property or the message', () => {
  const finding: Finding = {
    code: 'KSM101', name: 'save-before-compile', severity: 'hint', message: '100% sure\nsecond line',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, related: [], fixes: [], modelIds: [],
  };
  assert.equal(
    githubAnnotations([{ file: 'a,b:c.py', findings: [finding] }]),
    '::notice file=a%2Cb%3Ac.py,line=1,col=1,endLine=1,endColumn=4,title=KSM101 save-before-compile::100%25 sure%0Asecond line\n',
  );
});
