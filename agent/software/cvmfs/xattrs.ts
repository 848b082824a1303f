/**
 * Extended attributes as catalogs store them: a version byte (1), a count byte, then per attribute a key
 * length byte, a value length byte, the key and the value.
 */
import { VmlError } from '../../../core/errors.js';

/** Decodes a catalog xattr BLOB; E_CORRUPT naming `where` when it is malformed. */
export function decodeXattrs(blob: Uint8Array, where: string): Record<string, Buffer> {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const bad = (detail: string) =>
    new VmlError('E_CORRUPT', `Cannot read the extended attributes of ${where}: ${detail}`);
  if (bytes.length < 2) throw bad('too short');
  if (bytes[0] !== 1) throw bad(`unknown version ${bytes[0]}`);
  const count = bytes[1] as number;
  const out: Record<string, Buffer> = {};
  let pos = 2;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > bytes.length) throw bad('truncated');
    const keyLength = bytes[pos] as number;
    const valueLength = bytes[pos + 1] as number;
    pos += 2;
    if (keyLength === 0 || pos + keyLength + valueLength > bytes.length) throw bad('truncated');
    const key = bytes.subarray(pos, pos + keyLength).toString('utf8');
    out[key] = Buffer.from(bytes.subarray(pos + keyLength, pos + keyLength + valueLength));
    pos += keyLength + valueLength;
  }
  return out;
}
