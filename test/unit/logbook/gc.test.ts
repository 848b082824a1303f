import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../logbook/backend/backend.js';
import { DirBackend } from '../../../logbook/backend/dir.js';
import { FaultyBackend } from '../../../logbook/backend/faulty.js';
import { MemoryBackend } from '../../../logbook/backend/memory.js';
import { check } from '../../../logbook/check.js';
import { encodeBlob } from '../../../logbook/format/blob.js';
import { PackWriter } from '../../../logbook/format/pack.js';
import { gc } from '../../../logbook/gc.js';
import { Logbook } from '../../../logbook/logbook.js';
import { commit } from '../../helpers/versions.js';

const MiB = 1024 * 1024;
const HOUR = 60 * 60 * 1000;

/** Restores one file of a version the way a restore does, through a freshly opened logbook. */
async function readBack(backend: Backend, spec: string, path: string): Promise<Buffer> {
  const logbook = await Logbook.open(backend);
  let tree = await logbook.readTree((await logbook.resolve(spec)).manifest.tree);
  const parts = path.split('/');
  for (const [i, name] of parts.entries()) {
    const node = tree.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`No "${name}" in ${spec}`);
    if (i === parts.length - 1) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of logbook.readFile(node)) chunks.push(chunk);
      return Buffer.concat(chunks);
    }
    tree = await logbook.readTree(node.subtree ?? '');
  }
  throw new Error('empty path');
}

async function names(backend: Backend, type: 'data' | 'index' | 'snapshots'): Promise<string[]> {
  const out: string[] = [];
  for await (const info of backend.list(type)) out.push(info.name);
  return out.sort();
}

/** Every file but the locks, with its size: what "nothing changed" compares. */
async function inventory(backend: Backend): Promise<string[]> {
  const out: string[] = [];
  for (const type of ['config', 'snapshots', 'index', 'data'] as const) {
    for await (const info of backend.list(type)) out.push(`${type}/${info.name}:${info.size}`);
  }
  return out.sort();
}

/** A pack that no index lists, as a crashed backup leaves it; returns its name. */
async function savePack(backend: Backend, plain: Uint8Array): Promise<string> {
  const pack = new PackWriter();
  pack.add(sha(plain), 'data', await encodeBlob(plain), plain.length);
  const { id, bytes } = pack.finish();
  await backend.save({ type: 'data', name: id }, bytes);
  return id;
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function forget(backend: Backend, id: string): Promise<void> {
  await backend.remove({ type: 'snapshots', name: id });
}

async function errorsOf(logbook: Logbook): Promise<string[]> {
  const { problems } = await check(logbook, { readData: true });
  return problems.filter((p) => p.severity !== 'info').map((p) => `${p.kind} ${p.name}: ${p.message}`);
}

describe('gc', () => {
  it('removes the packs of forgotten versions and keeps data the remaining versions share', async () => {
    const backend = new MemoryBackend();
    const logbook = await Logbook.init(backend);
    const only1 = randomBytes(2 * MiB);
    const shared = randomBytes(MiB);
    const v1 = await commit(logbook, 'alice/a', { 'only1.bin': only1 });
    const v2 = await commit(logbook, 'alice/a', { 'shared.bin': shared });
    await commit(logbook, 'alice/a', { 'shared.bin': shared, 'new.txt': Buffer.from('hello') });
    const only1Id = sha(only1);
    const packOfOnly1 = (await logbook.index()).lookup(only1Id)?.pack;
    await forget(backend, v1);
    await forget(backend, v2);

    const result = await gc(logbook, { graceMs: HOUR });

    expect(result).toMatchObject({
      versions: 1,
      packsBefore: 3,
      packsDeleted: 1,
      packsRepacked: 0,
      blobsMissing: 0,
    });
    expect(result.bytesFreed).toBeGreaterThan(2 * MiB);
    expect(result.bytesAfter).toBe(result.bytesBefore - result.bytesFreed);
    expect(await names(backend, 'data')).not.toContain(packOfOnly1);
    expect(await names(backend, 'index')).toHaveLength(1);
    await expect(logbook.readBlob(only1Id)).rejects.toMatchObject({ code: 'E_CORRUPT' });
    expect((await readBack(backend, 'alice/a@v3', 'shared.bin')).equals(shared)).toBe(true);
    expect((await readBack(backend, 'alice/a@v3', 'new.txt')).toString()).toBe('hello');
    expect(await errorsOf(logbook)).toEqual([]);
    const settled = await inventory(backend);
    expect(await gc(logbook, { graceMs: HOUR })).toMatchObject({
      packsDeleted: 0,
      packsRepacked: 0,
      bytesFreed: 0,
    });
    expect(await inventory(backend)).toEqual(settled);
  });

  it('repacks a mostly dead pack: live blobs stay readable and the dead bytes are freed', async () => {
    const backend = new MemoryBackend();
    const logbook = await Logbook.init(backend);
    const big = randomBytes(3 * MiB);
    const small = randomBytes(200 * 1024);
    const v1 = await commit(logbook, 'alice/a', { 'big.bin': big, 'small.bin': small });
    await commit(logbook, 'alice/a', { 'small.bin': small });
    await forget(backend, v1);
    const before = await inventory(backend);

    const planned = await gc(logbook, { graceMs: HOUR, dryRun: true });
    expect(await inventory(backend)).toEqual(before);
    expect(planned).toMatchObject({ packsRepacked: 1, packsDeleted: 0 });
    const untouched = await gc(logbook, { graceMs: HOUR, dryRun: true, repackThreshold: 0 });
    expect(untouched).toMatchObject({ packsRepacked: 0, bytesFreed: 0 });

    const result = await gc(logbook, { graceMs: HOUR });

    expect(result).toMatchObject({ versions: 1, packsBefore: 2, packsRepacked: 1, packsDeleted: 0 });
    expect(result.bytesFreed).toBeGreaterThan(2.5 * MiB);
    expect(result.blobsRemoved).toBeGreaterThanOrEqual(2); // big.bin's chunk and v1's tree
    expect((await readBack(backend, 'alice/a@v2', 'small.bin')).equals(small)).toBe(true);
    await expect(logbook.readBlob(sha(big))).rejects.toMatchObject({ code: 'E_CORRUPT' });
    expect(await errorsOf(logbook)).toEqual([]);
  });

  it('keeps a mostly dead pack whole rather than copy a damaged live blob out of it', async () => {
    const backend = new MemoryBackend();
    const logbook = await Logbook.init(backend);
    const small = randomBytes(200 * 1024);
    const v1 = await commit(logbook, 'alice/a', { 'big.bin': randomBytes(3 * MiB), 'small.bin': small });
    await commit(logbook, 'alice/a', { 'small.bin': small });
    await forget(backend, v1);
    const loc = (await logbook.index()).lookup(sha(small));
    const pack = await backend.load({ type: 'data', name: loc?.pack ?? '' });
    pack[(loc?.offset ?? 0) + 100] = (pack[(loc?.offset ?? 0) + 100] ?? 0) ^ 1;
    await backend.save({ type: 'data', name: loc?.pack ?? '' }, pack);
    const warnings: string[] = [];

    const result = await gc(logbook, {
      graceMs: HOUR,
      onProgress: (e) => e.type === 'warning' && warnings.push(e.message),
    });

    expect(result).toMatchObject({ packsRepacked: 0, bytesFreed: 0 });
    expect(warnings).toEqual([expect.stringMatching(/damaged live blob; it is kept/)]);
    expect(await names(backend, 'data')).toContain(loc?.pack);
  });

  it('removes unindexed debris older than the grace period and keeps younger debris', async () => {
    let now = Date.now() - 2 * HOUR;
    const backend = new MemoryBackend({ now: () => now });
    const logbook = await Logbook.init(backend);
    const kept = randomBytes(1000);
    await commit(logbook, 'alice/a', { 'kept.bin': kept });
    const oldDebris = await savePack(backend, randomBytes(5000));
    const oldCopy = await savePack(backend, kept); // a second copy of a live blob: not needed either
    now = Date.now();
    const youngDebris = await savePack(backend, randomBytes(5000));

    const result = await gc(logbook, { graceMs: HOUR });

    expect(result).toMatchObject({ packsDeleted: 2, packsRescued: 0 });
    const data = await names(backend, 'data');
    expect(data).not.toContain(oldDebris);
    expect(data).not.toContain(oldCopy);
    expect(data).toContain(youngDebris);
    expect((await readBack(backend, 'alice/a@v1', 'kept.bin')).equals(kept)).toBe(true);
  });

  it('rescues live blobs from pack trailers when an index file is damaged', async () => {
    const backend = new MemoryBackend();
    const logbook = await Logbook.init(backend);
    const first = randomBytes(100_000);
    const second = randomBytes(100_000);
    await commit(logbook, 'alice/a', { 'home/first.bin': first });
    const [firstIndex] = await names(backend, 'index');
    await commit(logbook, 'bob/b', { 'second.bin': second });
    const damaged = await backend.load({ type: 'index', name: firstIndex ?? '' });
    damaged[damaged.length - 1] = (damaged.at(-1) ?? 0) ^ 0xff;
    await backend.save({ type: 'index', name: firstIndex ?? '' }, damaged);
    await expect(readBack(backend, 'alice/a@v1', 'home/first.bin')).rejects.toMatchObject({
      code: 'E_CORRUPT',
    });
    const warnings: string[] = [];

    const result = await gc(logbook, {
      graceMs: 0,
      onProgress: (e) => e.type === 'warning' && warnings.push(e.message),
    });

    expect(result).toMatchObject({ packsRescued: 1, packsDeleted: 0, versions: 2, blobsMissing: 0 });
    expect(warnings.join('\n')).toMatch(/damaged/);
    expect(await names(backend, 'index')).not.toContain(firstIndex);
    expect(await names(backend, 'index')).toHaveLength(1);
    expect((await readBack(backend, 'alice/a@v1', 'home/first.bin')).equals(first)).toBe(true);
    expect((await readBack(backend, 'bob/b@v1', 'second.bin')).equals(second)).toBe(true);
    expect(await errorsOf(logbook)).toEqual([]);
  });

  it('refuses to sweep when a manifest is damaged, and removes nothing', async () => {
    const backend = new MemoryBackend();
    const logbook = await Logbook.init(backend);
    const v1 = await commit(logbook, 'alice/a', { 'a.bin': randomBytes(10_000) });
    const v2 = await commit(logbook, 'alice/a', { 'b.bin': randomBytes(10_000) });
    await forget(backend, v1); // gc would remove v1's pack, were it allowed to run
    const bytes = await backend.load({ type: 'snapshots', name: v2 });
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    await backend.save({ type: 'snapshots', name: v2 }, bytes);
    const before = await inventory(backend);

    const run = gc(logbook, { graceMs: 0 });

    await expect(run).rejects.toMatchObject({
      code: 'E_CORRUPT',
      message: expect.stringContaining(v2.slice(0, 12)),
    });
    expect(await inventory(backend)).toEqual(before);
    expect(await names(backend, 'data')).toHaveLength(2);
  });

  it('refuses to sweep when a reachable tree is unreadable, and removes nothing', async () => {
    const backend = new MemoryBackend();
    const logbook = await Logbook.init(backend);
    const v1 = await commit(logbook, 'alice/a', { 'a.bin': randomBytes(10_000) });
    await commit(logbook, 'bob/b', { 'dir/b.bin': randomBytes(10_000) });
    await forget(backend, v1);
    const bobPack =
      (await logbook.index()).lookup((await logbook.resolve('bob/b')).manifest.tree)?.pack ?? '';
    await backend.remove({ type: 'data', name: bobPack });
    const before = await inventory(backend);

    await expect(gc(logbook, { graceMs: 0 })).rejects.toMatchObject({
      code: 'E_CORRUPT',
      message: expect.stringContaining('bob/b@v1'),
    });
    expect(await inventory(backend)).toEqual(before);
  });

  it('fails with E_LOCKED while a backup holds its shared lock', async () => {
    const logbook = await Logbook.init(new MemoryBackend());
    const writer = await logbook.beginVersion('alice/a');

    await expect(gc(logbook, { graceMs: 0 })).rejects.toMatchObject({ code: 'E_LOCKED' });

    await writer.abort();
    await expect(gc(logbook, { graceMs: 0 })).resolves.toMatchObject({ versions: 0 });
  });

  it.each([
    ['save', 'index'],
    ['remove', 'index'],
    ['remove', 'data'],
  ] as const)(
    'leaves a logbook that check passes when killed at the first %s of a %s file',
    async (method, type) => {
      const faulty = new FaultyBackend(new MemoryBackend());
      const logbook = await Logbook.init(faulty);
      const small = randomBytes(50_000);
      const v1 = await commit(logbook, 'alice/a', { 'big.bin': randomBytes(MiB), 'small.bin': small });
      const v2 = await commit(logbook, 'alice/a', { 'small.bin': small, 'other.bin': randomBytes(1000) });
      await commit(logbook, 'bob/b', { 'b.bin': randomBytes(MiB) });
      await forget(faulty, v1);
      await forget(faulty, v2);
      await commit(logbook, 'alice/a', { 'small.bin': small });
      faulty.failNext(method, new Error('killed'), { match: (h) => h.type === type });

      await expect(gc(logbook, { graceMs: 0 })).rejects.toThrow('killed');

      expect(await errorsOf(logbook)).toEqual([]);
      expect((await readBack(faulty, 'alice/a', 'small.bin')).equals(small)).toBe(true);
      const again = await gc(logbook, { graceMs: 0 });
      expect(again.blobsMissing).toBe(0);
      expect(await names(faulty, 'index')).toHaveLength(1);
      expect(await errorsOf(logbook)).toEqual([]);
      expect((await check(logbook)).problems).toEqual([]);
    },
  );

  describe('on a dir backend', () => {
    let root: string | undefined;
    afterEach(async () => {
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    });

    it('removes temp files older than the grace period left by crashed writers', async () => {
      root = await mkdtemp(join(tmpdir(), 'vml-gc-'));
      const backend = await DirBackend.create(join(root, 'logbook'));
      const logbook = await Logbook.init(backend);
      await commit(logbook, 'alice/a', { 'a.txt': Buffer.from('a') });
      const stale = join(root, 'logbook', 'index', '.tmp-0123456789abcdef');
      const fresh = join(root, 'logbook', 'index', '.tmp-fedcba9876543210');
      await writeFile(stale, 'partial');
      await writeFile(fresh, 'partial');
      const old = new Date(Date.now() - 2 * HOUR);
      await utimes(stale, old, old);

      await gc(logbook, { graceMs: HOUR });

      const left = await readdir(join(root, 'logbook', 'index'));
      expect(left).not.toContain('.tmp-0123456789abcdef');
      expect(left).toContain('.tmp-fedcba9876543210');
    });
  });
});
