/** The VS Code manifest (package.json) agrees with the server's protocol, the rules and the client. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { commandIds } from '../../client/src/command-ids';
import type { KerasVersionSetting, RuleSetting } from '../../server/src/engine/analysis/types';
import { fixAllKind, notebookFixAllKind, settingsSection } from '../../server/src/protocol';
import { rules } from '../../server/src/engine/rules/index';
import { maxFileBytes } from '../../server/src/engine/engine';
import { defaultServerSettings, normalizeSettings } from '../../server/src/lsp/settings';
import { repoRoot } from '../helpers/fixtures';

interface SettingSchema {
  type: string;
  default: unknown;
  scope?: string;
  enum?: string[];
  enumDescriptions?: string[];
  description?: string;
  markdownDescription?: string;
  propertyNames?: { pattern: string };
  additionalProperties?: { enum: string[]; enumDescriptions: string[] };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const settings: Record<string, SettingSchema> = manifest.contributes.configuration.properties;
const setting = (key: string): SettingSchema => {
  const schema = settings[`${settingsSection}.${key}`];
  assert.ok(schema, `setting ${settingsSection}.${key} is contributed`);
  return schema;
};

// Written as records so that a value added to the type without the manifest fails to compile.
const kerasVersions: Record<KerasVersionSetting, true> = { auto: true, 2: true, 3: true };
const ruleSettings: Record<RuleSetting, true> = { error: true, warning: true, information: true, hint: true, off: true, default: true };

test('every setting is in the server\'s section, described, and read per resource', () => {
  assert.deepEqual(Object.keys(settings).sort(), ['enable', 'exclude', 'kerasVersion', 'maxFileSize', 'rules', 'run', 'trace.server'].map((k) => `${settingsSection}.${k}`).sort());
  for (const [key, schema] of Object.entries(settings)) {
    assert.ok(schema.description ?? schema.markdownDescription, `${key} has a description`);
    assert.ok('default' in schema, `${key} has a default`);
    assert.equal(schema.scope, key.endsWith('trace.server') ? 'window' : 'resource', `${key} scope`);
    if (schema.enum) assert.equal(schema.enumDescriptions?.length, schema.enum.length, `${key} describes each value`);
  }
  assert.equal(setting('enable').default, true);
  assert.deepEqual([...setting('kerasVersion').enum!].sort(), Object.keys(kerasVersions).sort());
  assert.equal(setting('kerasVersion').default, 'auto');
  assert.deepEqual(setting('trace.server').enum, ['off', 'messages', 'verbose']);
  assert.equal((setting('maxFileSize').default as number) * 1024 * 1024, maxFileBytes, 'the default limit is the engine\'s');
  assert.equal(normalizeSettings({ maxFileSize: 0.5 }, defaultServerSettings).maxFileBytes, 512 * 1024);
  assert.equal(normalizeSettings({ maxFileSize: -1 }, defaultServerSettings).maxFileBytes, undefined);
  assert.deepEqual(setting('run').enum, ['onType', 'onSave']);
  assert.equal(setting('run').default, defaultServerSettings.run);
  assert.deepEqual(setting('exclude').default, defaultServerSettings.exclude);
  assert.equal(normalizeSettings({ run: 'onSave', exclude: ['a/**', 3] }, defaultServerSettings).run, 'onSave');
  assert.deepEqual(normalizeSettings({ run: 'sometimes', exclude: ['a/**', 3] }, defaultServerSettings).exclude, ['a/**']);
});

test('the rules setting accepts each rule by code and by name, with every severity the engine reads', () => {
  const schema = setting('rules');
  assert.deepEqual(schema.default, {});
  assert.deepEqual([...schema.additionalProperties!.enum].sort(), Object.keys(ruleSettings).sort());
  assert.equal(schema.additionalProperties!.enumDescriptions.length, schema.additionalProperties!.enum.length);
  const key = new RegExp(schema.propertyNames!.pattern);
  assert.ok(rules.length > 0);
  for (const rule of rules) {
    assert.match(rule.code, key);
    assert.match(rule.code.toLowerCase(), key);
    assert.match(rule.name, key);
  }
  assert.doesNotMatch('KSM 101', key);
});

test('the fix-all code action kinds are the server\'s', () => {
  const kinds = manifest.contributes.codeActions.flatMap((c: { actions: Array<{ kind: string }> }) => c.actions.map((a) => a.kind));
  assert.deepEqual(kinds, [fixAllKind, notebookFixAllKind]);
});

test('the contributed commands are the ones the client registers', () => {
  const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual([...Object.values(commandIds)].sort(), contributed);
  const menuCommands: string[] = Object.values(manifest.contributes.menus as Record<string, Array<{ command: string }>>)
    .flat()
    .map((m) => m.command);
  for (const id of menuCommands) assert.ok(contributed.includes(id), `menu item ${id} is a contributed command`);
});

test('the extension activates for Python files and notebooks, and runs in untrusted workspaces', () => {
  assert.ok(manifest.activationEvents.includes('onLanguage:python'));
  assert.ok(manifest.activationEvents.includes('onNotebook:jupyter-notebook'));
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
  assert.equal(manifest.main, './dist/extension.js');
});

test('the grammar and the icon the manifest names exist and fit', () => {
  for (const grammar of manifest.contributes.grammars as Array<{ scopeName: string; path: string; injectTo: string[] }>) {
    const contents = JSON.parse(fs.readFileSync(path.join(repoRoot, grammar.path), 'utf8'));
    assert.equal(contents.scopeName, grammar.scopeName);
    assert.deepEqual(grammar.injectTo, ['source.python']);
    assert.match(contents.injectionSelector, /comment/);
  }
  const icon = fs.readFileSync(path.join(repoRoot, manifest.icon));
  assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
});
