import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodePython } from '../../server/src/workspace/files';
import { UnwritableText, writeSourceAtomic } from '../../server/src/workspace/write-file';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-write-'));
}

/** What the reader gives for the file, as `--fix` sees it. */
function readText(file: string): string {
  const read = decodePython(fs.readFileSync(file));
  assert.ok('text' in read);
  return read.text;
}

test('a UTF-8 file keeps its BOM and its CRLF line ends, and nothing is left beside it', () => {
  const dir = scratch();
  const file = path.join(dir, 'train.py');
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('import keras\r\nx = 1\r\n')]));
  const text = readText(file);
  assert.ok(!text.startsWith('\uFEFF'), 'the reader drops the BOM');
  writeSourceAtomic(file, text.replace('x = 1', 'x = 2'));
  assert.deepEqual(fs.readFileSync(file), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('import keras\r\nx = 2\r\n')]));
  assert.deepEqual(fs.readdirSync(dir), ['train.py']);
});

test('a file declaring latin-1 is written in latin-1, and a text it cannot hold is refused untouched', () => {
  const file = path.join(scratch(), 'train.py');
  const original = Buffer.from('# -*- coding: latin-1 -*-\nname = "café"\n', 'latin1');
  fs.writeFileSync(file, original);
  writeSourceAtomic(file, readText(file).replace('café', 'crème'));
  assert.deepEqual(fs.readFileSync(file), Buffer.from('# -*- coding: latin-1 -*-\nname = "crème"\n', 'latin1'));
  const before = fs.readFileSync(file);
  assert.throws(() => writeSourceAtomic(file, readText(file).replace('crème', '東京')), UnwritableText);
  assert.deepEqual(fs.readFileSync(file), before);
});

test('the mode is kept and a symbolic link still points at the file it named', () => {
  const dir = scratch();
  const target = path.join(dir, 'real.py');
  const link = path.join(dir, 'link.py');
  fs.writeFileSync(target, 'x = 1\n');
  fs.chmodSync(target, 0o754);
  fs.symlinkSync(target, link);
  writeSourceAtomic(link, 'x = 2\n');
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.equal(fs.readFileSync(target, 'utf8'), 'x = 2\n');
  assert.equal(fs.statSync(target).mode & 0o777, 0o754);
});
