/**
 * Compressed files and archives, which the other scanners cannot see into: gzip and zstd are opened with
 * Node's zlib, tar archives are walked member by member, and each member goes through the same content
 * signatures and token shapes as a plain file.
 */
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { detectBinary, detectText, HEAD_BYTES } from './signatures.js';
import { findTokens } from './tokens.js';

export type CompressedKind = 'gzip' | 'zstd' | 'zip' | 'xz' | 'bzip2' | '7z' | 'rar';

const MAGIC: readonly (readonly [CompressedKind, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['rar', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
];

/** The compression or archive format of a file from its first bytes. */
export function compressedKind(head: Uint8Array): CompressedKind | undefined {
  return MAGIC.find(([, m]) => m.every((b, i) => head[i] === b))?.[0];
}

/** True for a POSIX tar archive (ustar magic in the first header). */
export function isTar(head: Uint8Array): boolean {
  return Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';
}

/** Decompresses gzip or zstd, at most `limit` bytes of output; throws if corrupt or larger. */
export function decompress(kind: 'gzip' | 'zstd', bytes: Uint8Array, limit: number): Buffer {
  return kind === 'gzip'
    ? gunzipSync(bytes, { maxOutputLength: limit })
    : zstdDecompressSync(bytes, { maxOutputLength: limit });
}

function* tarMembers(tar: Buffer): Generator<Buffer> {
  let at = 0;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) return;
    const size = Number.parseInt(
      header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0',
      8,
    );
    const type = String.fromCharCode(header[156] ?? 0);
    const start = at + 512;
    if (type === '0' || type === '\0' || type === '7') yield tar.subarray(start, start + size);
    at = start + Math.ceil(size / 512) * 512;
  }
}

/** The kind of secret inside `bytes` (a decompressed stream or a tar), or undefined if none is seen. */
export function secretInside(bytes: Buffer): string | undefined {
  const parts = isTar(bytes) ? [...tarMembers(bytes)] : [bytes];
  for (const part of parts) {
    const head = part.length <= 64 * 1024 ? part : part.subarray(0, HEAD_BYTES);
    const text = part.toString('latin1');
    const found =
      detectBinary(head, part.length)?.type ?? detectText(text)?.type ?? findTokens(text, 'binary')[0]?.kind;
    if (found !== undefined) return found;
  }
  return undefined;
}
