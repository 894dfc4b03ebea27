import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { rulePageUrl } from '../../server/src/engine/rule-docs';
import { rules } from '../../server/src/engine/rules/index';
import { repoRoot } from '../helpers/fixtures';

/**
 * The README's synopsis of the CLI (the `text` block under "The CLI") and `ksm <command> --help`
 * name the same options for each command, both ways, so neither can drift from the other.
 */

const cli = path.join(repoRoot, 'dist', 'cli.js');
const ksm = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** The long options commander lists under "Options:" (an option line starts two spaces in; wrapped descriptions further in), --help apart. */
function helpOptions(command: string): string[] {
  const help = ksm([command, '--help']).stdout;
  const options = help.slice(help.indexOf('\nOptions:\n'));
  return [...options.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help').sort();
}

/** The commands `ksm --help` lists, `help` apart. */
function commands(): string[] {
  const help = ksm(['--help']).stdout;
  return [...help.slice(help.indexOf('\nCommands:\n')).matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

/**
 * The options the README's synopsis gives each command: every `--option` on the lines from one
 * `ksm <command>` line to the next (continuation lines and the explanations beside them included).
 */
function readmeOptions(): Map<string, string[]> {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('```text\nksm check');
  assert.ok(start >= 0, 'the README has the synopsis');
  const synopsis = readme.slice(start + '```text\n'.length, readme.indexOf('```', start + 3));
  const byCommand = new Map<string, Set<string>>();
  let command = '';
  for (const line of synopsis.split('\n')) {
    command = /^ksm ([a-z]+)/.exec(line)?.[1] ?? command;
    const options = byCommand.get(command) ?? new Set<string>();
    for (const match of line.matchAll(/(?<![\w-])(--[a-z][\w-]*)/g)) options.add(match[1]!);
    byCommand.set(command, options);
  }
  return new Map([...byCommand].map(([c, options]) => [c, [...options].sort()]));
}

test('the README synopsis and --help name the same commands and, for each, the same options', () => {
  const readme = readmeOptions();
  assert.deepEqual([...readme.keys()].sort(), commands().sort());
  for (const command of commands()) assert.deepEqual(readme.get(command), helpOptions(command), `ksm ${command}: README synopsis vs --help`);
});

test('ksm rules --format json gives each rule\'s public page', () => {
  const listed = JSON.parse(ksm(['rules', '--format', 'json']).stdout) as Array<{ code: string; url: string }>;
  assert.deepEqual(listed.map((r) => [r.code, r.url]), rules.map((r) => [r.code, rulePageUrl(r.code)]));
  assert.ok(listed.every((r) => r.url.startsWith('https://github.com/')));
});
