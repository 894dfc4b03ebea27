import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../server/src/engine/config';
import { settingsFrom } from '../../server/src/engine/selection';
import { configKeys, kerasVersionSettings, parseFileSize, ruleLevels } from '../../server/src/engine/settings-schema';
import { repoRoot } from '../helpers/fixtures';

function error(text: string, kind: 'pyproject' | 'ksm' = 'ksm'): string {
  try {
    parseConfig('ksm.toml', text, kind);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail('no error');
}

test('[tool.ksm] and ksm.toml are read against the schema', () => {
  const text = [
    '[project]', 'name = "x"', '', '[tool.ksm]', 'keras-version = 3', 'select = ["KSM3", "save-before-compile"]',
    'extend-select = ["KSM5"]', 'ignore = ["KSM503"]', 'exclude = ["build", "notebooks/old"]', 'fail-on = "info"',
    '[tool.ksm.severity]', 'Lstm-Missing-Input-Shape = "Warning"', 'ksm101 = "off"',
    '[tool.ksm.per-file-ignores]', '"tests/*" = ["KSM3"]', '',
  ].join('\n');
  assert.deepEqual(parseConfig('pyproject.toml', text, 'pyproject'), {
    file: 'pyproject.toml', kerasVersion: '3', select: ['KSM3', 'save-before-compile'], extendSelect: ['KSM5'], ignore: ['KSM503'],
    severity: { KSM301: 'warning', KSM101: 'off' }, perFileIgnores: [{ glob: 'tests/*', rules: ['KSM3'] }],
    exclude: ['build', 'notebooks/old'], failOn: 'information',
  });
  assert.equal(parseConfig('pyproject.toml', '[project]\nname = "x"\n', 'pyproject'), undefined, 'no [tool.ksm]: no configuration');
  assert.deepEqual(parseConfig('ksm.toml', 'ignore = ["KSM1"]\n', 'ksm')?.ignore, ['KSM1']);
});

test('an invalid configuration names the file, the line and the key', () => {
  assert.equal(error('a = 1\nkeras-versoin = "3"\n'), 'ksm.toml:1: a: unknown key; the keys are ' + Object.keys(configKeys).join(', '));
  assert.equal(error('\nkeras-version = "4"\n'), 'ksm.toml:2: keras-version: expected "auto", "2" or "3", got "4"');
  assert.equal(error('select = "KSM301"\n'), 'ksm.toml:1: select: expected a list of strings, got "KSM301"');
  assert.equal(error('\n\nignore = ["KSM999"]\n'), 'ksm.toml:3: ignore: "KSM999": no rule has that code, prefix or name (see `ksm rules`)');
  assert.equal(error('[severity]\nKSM301 = "loud"\n'), 'ksm.toml:2: severity.KSM301: expected one of error, warning, information (or info), hint, off, default; got "loud"');
  assert.equal(error('severity = { nope = "off" }\n'), 'ksm.toml:1: severity.nope: no rule has that code or name (see `ksm rules`)');
  assert.equal(error('fail-on = "off"\n'), 'ksm.toml:1: fail-on: expected "error", "warning", "information" or "hint", got "off"');
  assert.equal(error('[tool.ksm]\n\nselect = [1]\n', 'pyproject'), 'ksm.toml:3: select: expected a list of strings, got [1]');
  assert.match(error('select = [\n'), /^ksm\.toml:2: not valid TOML/);
});

test('the command line goes over the configuration; per-file ignores have the last word', () => {
  const config = parseConfig('ksm.toml', 'select = ["KSM3"]\nextend-select = ["KSM101"]\nkeras-version = "2"\n[severity]\nKSM301 = "hint"\n', 'ksm')!;
  const options = { rule: [], select: [], extendSelect: [], ignore: [] };
  const on = (settings: ReturnType<typeof settingsFrom>) => ['KSM101', 'KSM301', 'KSM502'].filter((c) => settings.rules[c] !== 'off');
  const fromFile = settingsFrom(options, config);
  assert.deepEqual(on(fromFile), ['KSM101', 'KSM301']);
  assert.equal(fromFile.rules.KSM301, 'hint');
  assert.equal(fromFile.kerasVersion, '2');
  const overridden = settingsFrom({ ...options, kerasVersion: '3', select: ['KSM5'], rule: ['KSM301=error'] }, config);
  assert.deepEqual(on(overridden), ['KSM502'], '--select replaces select and extend-select');
  assert.equal(overridden.kerasVersion, '3');
  assert.deepEqual(on(settingsFrom({ ...options, select: ['KSM301'] }, config, ['KSM3'])), [], 'per-file-ignores win over a more specific select');
});

test('one schema: the manifest and the README list the same levels, versions and keys', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { enum?: string[]; additionalProperties?: { enum?: string[] }; patternProperties?: Record<string, { enum?: string[] }> }> } };
  };
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(properties['kerasSavedModel.kerasVersion']!.enum, [...kerasVersionSettings]);
  const rules = properties['kerasSavedModel.rules']!;
  const levels = rules.additionalProperties?.enum ?? Object.values(rules.patternProperties ?? {})[0]?.enum;
  assert.deepEqual(levels, [...ruleLevels]);
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const key of Object.keys(configKeys)) assert.ok(readme.includes(`\`${key}\``), `the README documents \`${key}\``);
});

test('file sizes are read with binary units, any case and spacing, or as bytes; anything else is none', () => {
  const read: Array<[unknown, number | undefined]> = [
    ['2MiB', 2 * 1024 * 1024], ['2 mib', 2 * 1024 * 1024], ['500k', 500 * 1024], ['500KB', 500 * 1024], ['1.5M', 1.5 * 1024 * 1024],
    ['1g', 1024 ** 3], ['1048576', 1048576], [4096, 4096], ['12b', 12],
    ['0', undefined], [0, undefined], ['-1', undefined], ['0.1', undefined], ['2x', undefined], ['MiB', undefined], ['', undefined], [true, undefined], [-5, undefined],
  ];
  assert.deepEqual(read.map(([value]) => [value, parseFileSize(value)]), read);
});

test('max-file-size in the configuration gives the files their size limit, under the command line\'s', () => {
  const config = parseConfig('ksm.toml', 'max-file-size = "64k"\n', 'ksm')!;
  assert.equal(config.maxFileBytes, 64 * 1024);
  const none = { rule: [], select: [], extendSelect: [], ignore: [] };
  assert.equal(settingsFrom(none, config).maxFileBytes, 64 * 1024);
  assert.equal(settingsFrom({ ...none, maxFileSize: 100 }, config).maxFileBytes, 100);
  assert.equal(settingsFrom(none).maxFileBytes, undefined, 'the engine\'s default, 2 MiB');
  assert.equal(error('max-file-size = "64 bananas"\n'), 'ksm.toml:1: max-file-size: expected a size such as 2MiB, 500k or 1048576 (bytes), got "64 bananas"');
});
