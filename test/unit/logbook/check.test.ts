import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../logbook/backend/backend.js';
import { DirBackend } from '../../../logbook/backend/dir.js';
import { MemoryBackend } from '../../../logbook/backend/memory.js';
import { type CheckEvent, check, type Problem } from '../../../logbook/check.js';
import { PackWriter } from '../../../logbook/format/pack.js';
import { Logbook } from '../../../logbook/logbook.js';
import { commit } from '../../helpers/versions.js';

/** Id of the tree of `dir` ('' for the root) in a version. */
async function treeOf(logbook: Logbook, spec: string, dir: string): Promise<string> {
  let id = (await logbook.resolve(spec)).manifest.tree;
  for (const name of dir === '' ? [] : dir.split('/')) {
    id = (await logbook.readTree(id)).nodes.find((n) => n.name === name)?.subtree ?? '';
  }
  return id;
}

async function flipByte(path: string, offset: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const byte = new Uint8Array(1);
    await file.read(byte, 0, 1, offset);
    byte[0] = (byte[0] ?? 0) ^ 0x40;
    await file.write(byte, 0, 1, offset);
  } finally {
    await file.close();
  }
}

function find(problems: readonly Problem[], kind: Problem['kind'], name: string): Problem | undefined {
  return problems.find((p) => p.kind === kind && p.name === name);
}

const X = 'home/alice/x.txt';

describe('check', () => {
  let root: string;
  let backend: DirBackend;
  let logbook: Logbook;
  const x = randomBytes(20_000);
  let v1: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'vml-check-'));
    backend = await DirBackend.create(join(root, 'logbook'));
    logbook = await Logbook.init(backend);
    v1 = await commit(logbook, 'alice/a', { [X]: x, 'etc/motd': Buffer.from('hi') });
    // v2 shares x.txt's chunk with v1 but has its own trees (home/alice gains a file), in its own pack.
    await commit(logbook, 'alice/a', {
      [X]: x,
      'home/alice/y.txt': randomBytes(5000),
      'etc/motd': Buffer.from('hi'),
    });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function locate(id: string): Promise<{ pack: string; offset: number; path: string }> {
    const loc = (await logbook.index()).lookup(id);
    if (loc === undefined) throw new Error(`blob ${id} is not indexed`);
    return { pack: loc.pack, offset: loc.offset, path: backend.pathOf({ type: 'data', name: loc.pack }) };
  }

  it('finds no problems in a sound logbook and reports its progress', async () => {
    const events: CheckEvent[] = [];

    const result = await check(logbook, { readData: true, onProgress: (e) => events.push(e) });

    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ versions: 2, packs: 2 });
    expect(result.blobs).toBeGreaterThanOrEqual(8);
    expect(result.bytesRead).toBeGreaterThan(x.length);
    expect(events.filter((e) => e.type === 'pack').at(-1)).toEqual({
      type: 'pack',
      done: 2,
      total: 2,
      bytes: result.bytesRead,
    });
  });

  it('with readData, names the versions and files that use a blob damaged on disk', async () => {
    const chunk =
      (await logbook.readTree(await treeOf(logbook, 'alice/a@v1', 'home/alice'))).nodes[0]?.content?.[0] ??
      '';
    const { pack, offset, path } = await locate(chunk);
    await flipByte(path, offset + 100);

    const quick = await check(logbook);
    const full = await check(logbook, { readData: true });

    expect(quick.problems).toEqual([]); // only reading the data can find this
    expect(find(full.problems, 'blob', chunk)).toMatchObject({
      severity: 'error',
      affects: [
        { version: 'alice/a@v1', path: X },
        { version: 'alice/a@v2', path: X },
      ],
    });
    expect(find(full.problems, 'pack', pack)).toMatchObject({
      severity: 'error',
      message: expect.stringMatching(/name/),
    });
    expect(full.problems.filter((p) => p.severity === 'error')).toHaveLength(2);
  });

  it('with readData, says which directory has unknown files when a tree is damaged', async () => {
    const alice = await treeOf(logbook, 'alice/a@v1', 'home/alice');
    const { offset, path } = await locate(alice);
    await flipByte(path, offset + 3);

    const { problems } = await check(logbook, { readData: true });

    expect(find(problems, 'tree', alice)).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('files under it are unknown'),
      affects: [{ version: 'alice/a@v1', path: 'home/alice' }],
    });
  });

  it('reports a damaged index file as an index problem', async () => {
    const [index] = await names(backend, 'index');
    await flipByte(backend.pathOf({ type: 'index', name: index ?? '' }), 20);

    const { problems } = await check(logbook);

    expect(find(problems, 'index', index ?? '')).toMatchObject({ severity: 'error' });
    expect(problems.some((p) => p.kind === 'debris' && p.severity === 'info')).toBe(true);
  });

  it('reports a damaged manifest, naming its file', async () => {
    await flipByte(backend.pathOf({ type: 'snapshots', name: v1 }), 5);

    const result = await check(logbook);

    expect(result.versions).toBe(1);
    expect(result.problems).toEqual([
      expect.objectContaining({ severity: 'error', kind: 'manifest', name: v1, affects: [] }),
    ]);
  });

  it('reports a missing pack as errors affecting the versions and files that need it', async () => {
    const chunk =
      (await logbook.readTree(await treeOf(logbook, 'alice/a@v1', 'home/alice'))).nodes[0]?.content?.[0] ??
      '';
    const root1 = await treeOf(logbook, 'alice/a@v1', '');
    const { pack } = await locate(chunk);
    await backend.remove({ type: 'data', name: pack });

    const { problems } = await check(logbook);

    expect(find(problems, 'tree', root1)?.affects).toEqual([{ version: 'alice/a@v1', path: '' }]);
    expect(find(problems, 'blob', chunk)?.affects).toEqual([{ version: 'alice/a@v2', path: X }]);
    expect(find(problems, 'pack', pack)).toMatchObject({
      severity: 'error',
      message: 'Pack is missing',
      affects: expect.arrayContaining([
        { version: 'alice/a@v1', path: '' },
        { version: 'alice/a@v2', path: X },
      ]),
    });
  });

  it('reports a truncated pack and what it cut off in which version', async () => {
    const y =
      (await logbook.readTree(await treeOf(logbook, 'alice/a@v2', 'home/alice'))).nodes[1]?.content?.[0] ??
      '';
    const { pack, offset, path } = await locate(y);
    await truncate(path, offset + 10);

    const { problems } = await check(logbook);

    const truncated = find(problems, 'pack', pack);
    expect(truncated).toMatchObject({
      severity: 'error',
      message: expect.stringMatching(/^Pack is truncated: it has \d+ bytes, the index expects at least \d+$/),
    });
    // Blobs are packed as their compression finishes, so whether v2's trees sit before or after y varies:
    // either y.txt is lost, or the directory listing that names it.
    const lost = truncated?.affects ?? [];
    expect(lost.length).toBeGreaterThan(0);
    for (const a of lost) {
      expect(a.version).toBe('alice/a@v2');
      expect('home/alice/y.txt'.startsWith(a.path)).toBe(true);
    }
    expect(problems.filter((p) => p.severity === 'error' && p.kind !== 'pack').length).toBeGreaterThan(0);
  });

  it('notes packs in no index as debris', async () => {
    const pack = new PackWriter();
    pack.add('0'.repeat(64), 'data', new Uint8Array([0, 1, 2]), 2);
    const { id, bytes } = pack.finish();
    await backend.save({ type: 'data', name: id }, bytes);

    const { problems } = await check(logbook);

    expect(problems).toEqual([expect.objectContaining({ severity: 'info', kind: 'debris', name: id })]);
  });

  it('takes a shared lock, so it cannot run during gc', async () => {
    const memory = await Logbook.init(new MemoryBackend());
    const lock = await memory.lock({ exclusive: true, purpose: 'gc' });

    await expect(check(memory)).rejects.toMatchObject({ code: 'E_LOCKED' });
    await lock.release();
    await expect(check(memory)).resolves.toMatchObject({ problems: [], versions: 0 });
  });
});

async function names(backend: Backend, type: 'index' | 'data'): Promise<string[]> {
  const out: string[] = [];
  for await (const info of backend.list(type)) out.push(info.name);
  return out;
}
