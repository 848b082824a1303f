/**
 * The one contract every Backend passes (restic's backend/test/suite.go, kopia's VerifyStorage).
 * backend.test.ts runs it against each implementation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Backend,
  type FileInfo,
  type FileType,
  type Handle,
  isBackendError,
} from '../../logbook/backend/backend.js';

/** A backend under test and how to dispose of it. */
export interface BackendFixture {
  readonly backend: Backend;
  cleanup(): Promise<void>;
}

/** A content-addressed data handle, as the logbook writes them. */
function dataHandle(data: Uint8Array, type: FileType = 'data'): Handle {
  return { type, name: createHash('sha256').update(data).digest('hex') };
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

async function collect(items: AsyncIterable<FileInfo>): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const info of items) out.push(info);
  return out;
}

async function names(backend: Backend, type: FileType): Promise<string[]> {
  return (await collect(backend.list(type))).map((f) => f.name).sort();
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isBackendError(error) ? error.code : `not a BackendError: ${String(error)}`;
  }
  return 'resolved';
}

/** Registers the backend contract tests for one implementation. */
export function describeBackendContract(name: string, makeBackend: () => Promise<BackendFixture>): void {
  describe(`${name} backend contract`, () => {
    let fixture: BackendFixture;
    let be: Backend;
    beforeEach(async () => {
      fixture = await makeBackend();
      be = fixture.backend;
    });
    afterEach(async () => {
      await be.close();
      await fixture.cleanup();
    });

    it('save() then load() returns the same bytes', async () => {
      const data = bytes('hello logbook');
      const h = dataHandle(data);
      await be.save(h, data);
      expect(await be.load(h)).toEqual(data);
    });

    it('load() with offset and length returns just that range', async () => {
      const data = bytes('0123456789');
      const h = dataHandle(data, 'index');
      await be.save(h, data);
      expect(await be.load(h, { offset: 3, length: 4 })).toEqual(bytes('3456'));
      expect(await be.load(h, { offset: 7 })).toEqual(bytes('789'));
      expect(await be.load(h, { length: 2 })).toEqual(bytes('01'));
      expect(await be.load(h, { offset: 10, length: 0 })).toEqual(new Uint8Array(0));
    });

    it('load() throws RANGE past end of file', async () => {
      const data = bytes('0123456789');
      const h = dataHandle(data);
      await be.save(h, data);
      expect(await codeOf(be.load(h, { offset: 8, length: 3 }))).toBe('RANGE');
      expect(await codeOf(be.load(h, { offset: 11 }))).toBe('RANGE');
      expect(await codeOf(be.load(h, { offset: -1, length: 2 }))).toBe('RANGE');
    });

    it('load() and stat() throw NOT_FOUND for a missing file', async () => {
      const h = dataHandle(bytes('never saved'));
      expect(await codeOf(be.load(h))).toBe('NOT_FOUND');
      expect(await codeOf(be.stat(h))).toBe('NOT_FOUND');
      expect(await codeOf(be.load({ type: 'config', name: 'config' }))).toBe('NOT_FOUND');
    });

    it('stat() reports the size and a recent modification time', async () => {
      const data = randomBytes(1234);
      const h = dataHandle(data, 'snapshots');
      const before = Date.now();
      await be.save(h, data);
      const info = await be.stat(h);
      expect(info).toMatchObject({ type: 'snapshots', name: h.name, size: 1234 });
      // File systems round mtimes, so allow a little slack below `before`.
      expect(info.mtimeMs).toBeGreaterThan(before - 2000);
      expect(info.mtimeMs).toBeLessThan(Date.now() + 2000);
    });

    it('list() yields the files of one type only, with their sizes', async () => {
      const key = bytes('a key');
      const snap = bytes('a snapshot, longer');
      await be.save(dataHandle(key, 'keys'), key);
      await be.save(dataHandle(snap, 'snapshots'), snap);
      await be.save({ type: 'config', name: 'config' }, bytes('{"version":1}'));
      const keys = await collect(be.list('keys'));
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ type: 'keys', name: dataHandle(key).name, size: key.byteLength });
      expect(await names(be, 'snapshots')).toEqual([dataHandle(snap).name]);
      expect(await names(be, 'config')).toEqual(['config']);
      expect(await names(be, 'index')).toEqual([]);
      expect(await names(be, 'data')).toEqual([]);
    });

    it('remove() deletes a file and is idempotent', async () => {
      const data = bytes('short-lived');
      const h = dataHandle(data, 'locks');
      await be.save(h, data);
      await be.remove(h);
      expect(await codeOf(be.load(h))).toBe('NOT_FOUND');
      expect(await names(be, 'locks')).toEqual([]);
      await be.remove(h);
      await be.remove(dataHandle(bytes('never existed')));
    });

    it('save() over an existing name replaces the content', async () => {
      const h: Handle = { type: 'config', name: 'config' };
      await be.save(h, bytes('first version, long'));
      await be.save(h, bytes('second'));
      expect(await be.load(h)).toEqual(bytes('second'));
      expect((await be.stat(h)).size).toBe(6);
      expect(await names(be, 'config')).toEqual(['config']);
    });

    it('save() and load() copy the bytes, so callers cannot alias stored data', async () => {
      const data = bytes('original');
      const h = dataHandle(data);
      await be.save(h, data);
      data.fill(0);
      const first = await be.load(h);
      first.fill(0);
      expect(await be.load(h)).toEqual(bytes('original'));
    });

    it('stores an empty file and a 5 MB binary file intact', async () => {
      const empty = new Uint8Array(0);
      await be.save(dataHandle(empty), empty);
      expect(await be.load(dataHandle(empty))).toEqual(empty);
      expect((await be.stat(dataHandle(empty))).size).toBe(0);

      const big = randomBytes(5 * 1024 * 1024 + 17);
      const h = dataHandle(big);
      await be.save(h, big);
      const loaded = await be.load(h);
      expect(loaded.byteLength).toBe(big.byteLength);
      expect(createHash('sha256').update(loaded).digest('hex')).toBe(h.name);
      const middle = await be.load(h, { offset: 3_000_001, length: 4096 });
      expect(Buffer.from(middle).equals(big.subarray(3_000_001, 3_000_001 + 4096))).toBe(true);
    });

    it('50 concurrent saves are all listed and loadable', async () => {
      const blobs = Array.from({ length: 50 }, (_, i) => bytes(`blob number ${i}`));
      await Promise.all(blobs.map((b) => be.save(dataHandle(b), b)));
      expect(await names(be, 'data')).toEqual(blobs.map((b) => dataHandle(b).name).sort());
      for (const b of blobs) expect(await be.load(dataHandle(b))).toEqual(b);
    });

    it('list() finds data files whatever their two-character shard', async () => {
      const wanted = ['00', '0f', '3a', 'a0', 'ff'].map((prefix) => prefix + 'e'.repeat(62));
      for (const name of wanted) await be.save({ type: 'data', name }, bytes(name));
      const listed = await collect(be.list('data'));
      expect(listed.map((f) => f.name).sort()).toEqual(wanted);
      expect(listed.every((f) => f.type === 'data' && f.size === 64)).toBe(true);
    });

    it('list() never shows a file that is still being written', async () => {
      const blobs = Array.from({ length: 30 }, (_, i) => randomBytes(64 * 1024 + i));
      const expected = new Set(blobs.map((b) => dataHandle(b).name));
      const saving = Promise.all(blobs.map((b) => be.save(dataHandle(b), b)));
      const seen: FileInfo[] = [];
      // List repeatedly while the saves run: anything listed must be a complete, known file.
      for (let round = 0; round < 5; round++) seen.push(...(await collect(be.list('data'))));
      await saving;
      seen.push(...(await collect(be.list('data'))));
      for (const info of seen) {
        expect(expected.has(info.name), `unexpected name ${info.name}`).toBe(true);
        expect(info.size).toBeGreaterThanOrEqual(64 * 1024);
      }
      expect(new Set(seen.map((f) => f.name)).size).toBe(30);
    });

    it('save() with an aborted signal rejects and stores nothing', async () => {
      const data = bytes('not wanted');
      const h = dataHandle(data);
      const reason = new Error('stop');
      await expect(be.save(h, data, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(await codeOf(be.stat(h))).toBe('NOT_FOUND');
    });
  });
}
