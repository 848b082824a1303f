import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../core/errors.js';
import { decodeBlob, encodeBlob } from '../../../../logbook/format/blob.js';
import {
  decodeIndex,
  encodeIndex,
  type IndexFile,
  MasterIndex,
} from '../../../../logbook/format/index-file.js';
import type { PackedBlob } from '../../../../logbook/format/pack.js';

/** Matches a VmlError with this code (callers branch on codes, never on messages). */
const vmlError = (code: ErrorCode) => expect.objectContaining({ name: 'VmlError', code });

const hex = (c: string): string => c.repeat(64);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const blob = (id: string, offset: number): PackedBlob => ({
  id,
  type: 'data',
  offset,
  length: 10,
  rawLength: 20,
});

const INDEX: IndexFile = {
  version: 1,
  supersedes: [hex('e')],
  packs: [
    { id: hex('1'), blobs: [blob(hex('a'), 0), { ...blob(hex('b'), 10), type: 'tree' }] },
    { id: hex('2'), blobs: [blob(hex('c'), 0)] },
  ],
};

/** Stores arbitrary JSON the way encodeIndex stores index JSON, and names it by its hash. */
async function storedJson(value: unknown): Promise<{ name: string; bytes: Uint8Array }> {
  const bytes = await encodeBlob(new TextEncoder().encode(JSON.stringify(value)));
  return { name: sha256(bytes), bytes };
}

describe('encodeIndex() and decodeIndex()', () => {
  it('read back what was written', async () => {
    const { name, bytes } = await encodeIndex(INDEX);
    expect(decodeIndex(bytes, name)).toEqual(INDEX);
  });

  it('name the file by the SHA-256 of its stored bytes', async () => {
    const { name, bytes } = await encodeIndex(INDEX);
    expect(name).toBe(sha256(bytes));
  });

  it('store codec-encoded JSON with packs as rows of [id, type, offset, length, rawLength]', async () => {
    const { bytes } = await encodeIndex(INDEX);
    expect(JSON.parse(new TextDecoder().decode(decodeBlob(bytes, 'index')))).toEqual({
      version: 1,
      supersedes: [hex('e')],
      packs: [
        {
          id: hex('1'),
          blobs: [
            [hex('a'), 'data', 0, 10, 20],
            [hex('b'), 'tree', 10, 10, 20],
          ],
        },
        { id: hex('2'), blobs: [[hex('c'), 'data', 0, 10, 20]] },
      ],
    });
  });

  it('refuse a file whose content does not match its name with E_CORRUPT', async () => {
    const { name, bytes } = await encodeIndex(INDEX);
    expect(() => decodeIndex(bytes, hex('0'))).toThrow(vmlError('E_CORRUPT'));
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 1;
    expect(() => decodeIndex(damaged, name)).toThrow(vmlError('E_CORRUPT'));
  });

  it('refuse a newer index version with E_LOGBOOK_NEWER', async () => {
    const { name, bytes } = await storedJson({ version: 2, supersedes: [], packs: [] });
    expect(() => decodeIndex(bytes, name)).toThrow(vmlError('E_LOGBOOK_NEWER'));
  });

  it('refuse a file named correctly but holding no index with E_CORRUPT', async () => {
    for (const value of [null, 'text', { version: 1 }, { version: 1, packs: {} }]) {
      const { name, bytes } = await storedJson(value);
      expect(() => decodeIndex(bytes, name)).toThrow(vmlError('E_CORRUPT'));
    }
    const notJson = await encodeBlob(new TextEncoder().encode('{"version":1,'));
    expect(() => decodeIndex(notJson, sha256(notJson))).toThrow(vmlError('E_CORRUPT'));
  });

  it('read a file without supersedes as superseding nothing', async () => {
    const { name, bytes } = await storedJson({ version: 1, packs: [] });
    expect(decodeIndex(bytes, name).supersedes).toEqual([]);
  });
});

describe('MasterIndex', () => {
  it('keeps the first location of a blob that two packs hold', () => {
    const index = new MasterIndex();
    index.addPack(hex('1'), [blob(hex('a'), 0)]);
    index.addPack(hex('2'), [blob(hex('b'), 0), blob(hex('a'), 10)]);
    expect(index.lookup(hex('a'))).toEqual({ ...blob(hex('a'), 0), pack: hex('1') });
    expect(index.lookup(hex('b'))?.pack).toBe(hex('2'));
    expect(index.blobCount).toBe(2);
  });

  it('still lists every pack with all of its blobs', () => {
    const index = new MasterIndex();
    index.addPack(hex('1'), [blob(hex('a'), 0)]);
    index.addPack(hex('2'), [blob(hex('b'), 0), blob(hex('a'), 10)]);
    expect([...index.packs.keys()]).toEqual([hex('1'), hex('2')]);
    expect(index.packs.get(hex('2'))).toHaveLength(2);
  });

  it('knows nothing of blobs that were never added', () => {
    const index = new MasterIndex();
    expect(index.has(hex('a'))).toBe(false);
    expect(index.lookup(hex('a'))).toBeUndefined();
  });
});
