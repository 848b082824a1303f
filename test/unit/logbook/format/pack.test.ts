import { createHash, randomBytes } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../core/errors.js';
import { decodeBlob, encodeBlob } from '../../../../logbook/format/blob.js';
import { type BlobType, PackWriter, readPackTrailer } from '../../../../logbook/format/pack.js';

/** Matches a VmlError with this code (callers branch on codes, never on messages). */
const vmlError = (code: ErrorCode) => expect.objectContaining({ name: 'VmlError', code });

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A pack of a few data and tree blobs, and the plain bytes of each by id. */
async function samplePack() {
  const writer = new PackWriter();
  const plains = new Map<string, Uint8Array>();
  const add = async (type: BlobType, plain: Uint8Array) => {
    plains.set(sha256(plain), plain);
    writer.add(sha256(plain), type, await encodeBlob(plain), plain.length);
  };
  await add('data', randomBytes(50_000));
  await add('data', new TextEncoder().encode('hello\n'.repeat(10_000)));
  await add('tree', new TextEncoder().encode('{"nodes":[]}'));
  await add('data', new Uint8Array([1, 2, 3]));
  return { writer, plains, ...writer.finish() };
}

describe('PackWriter and readPackTrailer()', () => {
  it('name the pack by the SHA-256 of its bytes', async () => {
    const { id, bytes } = await samplePack();
    expect(id).toBe(sha256(bytes));
  });

  it('read back the blob list that was written', async () => {
    const { id, bytes, blobs } = await samplePack();
    expect(blobs).toHaveLength(4);
    expect(readPackTrailer(bytes, id)).toEqual(blobs);
  });

  it('give offsets that slice each blob back out of the pack', async () => {
    const { id, bytes, plains } = await samplePack();
    for (const b of readPackTrailer(bytes, id)) {
      const plain = decodeBlob(bytes.subarray(b.offset, b.offset + b.length), b.id);
      expect(sha256(plain)).toBe(b.id);
      expect(plain.length).toBe(b.rawLength);
      expect(Buffer.from(plain).equals(Buffer.from(plains.get(b.id) as Uint8Array))).toBe(true);
    }
  });

  it('lay blobs end to end from offset 0, then the trailer, its length and "VMLPACK1"', async () => {
    const { bytes, blobs, writer } = await samplePack();
    let offset = 0;
    for (const b of blobs) {
      expect(b.offset).toBe(offset);
      offset += b.length;
    }
    expect(writer.size).toBe(offset);
    const buf = Buffer.from(bytes);
    expect(buf.subarray(buf.length - 8).toString('latin1')).toBe('VMLPACK1');
    const trailerLength = buf.readUInt32LE(buf.length - 12);
    expect(offset + trailerLength + 12).toBe(buf.length);
    // The trailer is zstd-compressed JSON: rows of [id, type, offset, length, rawLength].
    const rows = JSON.parse(zstdDecompressSync(buf.subarray(offset, offset + trailerLength)).toString());
    expect(rows).toEqual(blobs.map((b) => [b.id, b.type, b.offset, b.length, b.rawLength]));
  });

  it('count blobs and bytes as they are added', async () => {
    const writer = new PackWriter();
    expect([writer.count, writer.size]).toEqual([0, 0]);
    writer.add('a'.repeat(64), 'data', new Uint8Array(10), 9);
    writer.add('b'.repeat(64), 'tree', new Uint8Array(5), 4);
    expect([writer.count, writer.size]).toEqual([2, 15]);
  });

  it('refuse a truncated pack with E_CORRUPT', async () => {
    const { id, bytes } = await samplePack();
    expect(() => readPackTrailer(bytes.subarray(0, bytes.length - 1), id)).toThrow(vmlError('E_CORRUPT'));
    expect(() => readPackTrailer(bytes.subarray(0, 11), id)).toThrow(vmlError('E_CORRUPT'));
    expect(() => readPackTrailer(new Uint8Array(0), id)).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuse a pack that does not end in "VMLPACK1" with E_CORRUPT', async () => {
    const { id, bytes } = await samplePack();
    const other = Uint8Array.from(bytes);
    other[other.length - 1] = '2'.charCodeAt(0);
    expect(() => readPackTrailer(other, id)).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuse a pack whose trailer is garbled with E_CORRUPT', async () => {
    const { id, bytes, writer } = await samplePack();
    const garbled = Uint8Array.from(bytes);
    garbled.fill(0xff, writer.size, garbled.length - 12);
    expect(() => readPackTrailer(garbled, id)).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuse a trailer length that points before the start of the pack with E_CORRUPT', async () => {
    const { id, bytes } = await samplePack();
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(bad.length, bad.length - 12);
    expect(() => readPackTrailer(bad, id)).toThrow(vmlError('E_CORRUPT'));
  });

  it('name the pack in the error', async () => {
    const { id, bytes } = await samplePack();
    expect(() => readPackTrailer(bytes.subarray(1, bytes.length - 1), id)).toThrow(id.slice(0, 12));
  });
});
