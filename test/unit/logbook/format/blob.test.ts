import { randomBytes } from 'node:crypto';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../core/errors.js';
import { CODEC_RAW, CODEC_ZSTD, decodeBlob, encodeBlob } from '../../../../logbook/format/blob.js';

/** Matches a VmlError with this code (callers branch on codes, never on messages). */
const vmlError = (code: ErrorCode) => expect.objectContaining({ name: 'VmlError', code });

const text = new TextEncoder().encode('export PATH=/cvmfs/atlas.cern.ch/repo/bin:$PATH\n'.repeat(2000));

describe('encodeBlob() and decodeBlob()', () => {
  it('give back the plain bytes of random data, text, tiny and empty blobs', async () => {
    for (const plain of [randomBytes(200_000), text, new Uint8Array([7]), new Uint8Array(0)]) {
      expect(Buffer.from(decodeBlob(await encodeBlob(plain), 'test')).equals(Buffer.from(plain))).toBe(true);
    }
  });

  it('store random data raw, with codec 0 in front', async () => {
    const plain = randomBytes(100_000);
    const stored = await encodeBlob(plain);
    expect(stored[0]).toBe(CODEC_RAW);
    expect(CODEC_RAW).toBe(0);
    expect(Buffer.from(stored.subarray(1)).equals(plain)).toBe(true);
  });

  it('compress text with zstd, with codec 1 in front', async () => {
    const stored = await encodeBlob(text);
    expect(stored[0]).toBe(CODEC_ZSTD);
    expect(CODEC_ZSTD).toBe(1);
    expect(stored.length).toBeLessThan(text.length / 10);
    // The payload is a plain zstd frame: any zstd library reads it.
    expect(Buffer.from(zstdDecompressSync(stored.subarray(1))).equals(Buffer.from(text))).toBe(true);
  });

  it('store blobs under 128 bytes raw even when they would compress', async () => {
    const small = new TextEncoder().encode('a'.repeat(127));
    expect((await encodeBlob(small))[0]).toBe(CODEC_RAW);
    expect((await encodeBlob(new TextEncoder().encode('a'.repeat(128))))[0]).toBe(CODEC_ZSTD);
  });

  it('store data raw when zstd saves less than 3 %', async () => {
    // Random bytes with a run of zeros: zstd saves about as much as the zeros weigh, minus its frame.
    // (Under 64 KiB, so the writer compresses without probing a sample first.)
    const saving = (plain: Uint8Array) => 1 - zstdCompressSync(plain).length / plain.length;
    const twoPercent = Buffer.concat([randomBytes(48_750), Buffer.alloc(1_250)]);
    expect(saving(twoPercent)).toBeGreaterThan(0.015);
    expect(saving(twoPercent)).toBeLessThan(0.03);
    expect((await encodeBlob(twoPercent))[0]).toBe(CODEC_RAW);
    const fivePercent = Buffer.concat([randomBytes(47_500), Buffer.alloc(2_500)]);
    expect(saving(fivePercent)).toBeGreaterThan(0.03);
    expect((await encodeBlob(fivePercent))[0]).toBe(CODEC_ZSTD);
  });

  it('refuse an unknown codec with E_CORRUPT', () => {
    expect(() => decodeBlob(new Uint8Array([2, 1, 2, 3]), 'blob x')).toThrow(vmlError('E_CORRUPT'));
    expect(() => decodeBlob(new Uint8Array(0), 'blob x')).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuse damaged zstd data with E_CORRUPT', async () => {
    const badMagic = await encodeBlob(text);
    badMagic[1] = (badMagic[1] as number) ^ 0xff;
    expect(() => decodeBlob(badMagic, 'blob x')).toThrow(vmlError('E_CORRUPT'));
    // (A truncated frame is not caught here: Node's zstd returns what it could decode. Readers re-hash.)
    const garbage = new Uint8Array([CODEC_ZSTD, ...randomBytes(64)]);
    expect(() => decodeBlob(garbage, 'blob x')).toThrow(vmlError('E_CORRUPT'));
  });

  it('name the blob in the error message', () => {
    expect(() => decodeBlob(new Uint8Array([9]), 'blob 3f2a9c1e')).toThrow(/blob 3f2a9c1e/);
  });
});
