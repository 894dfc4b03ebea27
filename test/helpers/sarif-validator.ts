import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import { repoRoot } from './fixtures';

/**
 * What Microsoft's SARIF validator (`@microsoft/sarif-multitool`, a devDependency) finds wrong
 * with a SARIF log, one line per problem; empty when it accepts the log. The tool is .NET, which
 * needs no ICU in invariant-globalization mode.
 */
export function sarifProblems(log: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-sarif-'));
  try {
    const input = path.join(dir, 'ksm.sarif');
    const output = path.join(dir, 'validation.sarif');
    fs.writeFileSync(input, log);
    const validator = path.join(repoRoot, 'node_modules', '.bin', 'sarif-multitool');
    const validated = spawnSync(validator, ['validate', input, '--output', output], {
      encoding: 'utf8', env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' }, timeout: 120_000,
    });
    assert.equal(validated.status, 0, validated.stdout + validated.stderr);
    const report = JSON.parse(fs.readFileSync(output, 'utf8')) as Sarif.Log;
    return (report.runs[0]!.results ?? []).map((r) => `${r.ruleId} ${r.level ?? 'warning'}: ${r.message.text ?? r.message.id ?? ''}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
