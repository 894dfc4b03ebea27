import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import { declaredEncoding } from './files';

const utf8Bom = [0xef, 0xbb, 0xbf];

/**
 * The bytes of `text` in the form the file's current bytes had: the same declared encoding (PEP
 * 263) and the BOM kept when there was one. Undefined when the text cannot be written in that
 * encoding (a character the encoding lacks), which the caller reports instead of writing.
 */
export function encodeLike(original: Uint8Array, text: string): Buffer | undefined {
  const hadBom = utf8Bom.every((byte, i) => original[i] === byte);
  const encoding = declaredEncoding(original);
  if (encoding === 'utf-8') {
    // The reader drops the BOM; a fix must not.
    const body = Buffer.from(text.startsWith('\uFEFF') ? text.slice(1) : text, 'utf8');
    return hadBom ? Buffer.concat([Buffer.from(utf8Bom), body]) : body;
  }
  // Single-byte encodings only, and only when decoding the bytes gives the text back exactly.
  const bytes = Buffer.from(text, 'latin1');
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** A fixed text that the file's encoding cannot hold. */
export class UnwritableText extends Error {}

/**
 * Replaces a source file's text by writing a temporary file beside it and renaming it over the
 * original, so an interrupted run never leaves half a file. A symbolic link keeps pointing at its
 * target, which is what gets replaced; the mode, the encoding and a BOM are kept. Throws
 * `UnwritableText` when the text cannot be written.
 */
export function writeSourceAtomic(file: string, text: string): void {
  const target = fs.realpathSync(file);
  const original = fs.readFileSync(target);
  const bytes = encodeLike(original, text);
  if (!bytes) throw new UnwritableText(`the fixed text has characters that ${declaredEncoding(original)} cannot hold`);
  const { mode } = fs.statSync(target);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.ksm-tmp`);
  try {
    fs.writeFileSync(temporary, bytes);
    fs.chmodSync(temporary, mode & 0o7777);
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
