/**
 * VersionTree: a version read from a logbook as the sanitizers' BackupTree, and copyVersion into another
 * logbook (memory backends: the server tests run both on real dir: namespaces).
 */
import { describe, expect, it } from 'vitest';
import { VersionTree } from '../../../../host/server/version-tree.js';
import { MemoryBackend } from '../../../../logbook/backend/memory.js';
import { copyVersion } from '../../../../logbook/copy-version.js';
import type { TreeNode } from '../../../../logbook/format/tree.js';
import { Logbook } from '../../../../logbook/logbook.js';
import { checkUserName } from '../../../../logbook/server/auth.js';
import { PUBLIC_NAMESPACE } from '../../../../logbook/server/storage.js';

/** A file of three chunks (10, 20 and 30 bytes: "0…", "1…", "2…") in home/alice, committed as v1. */
async function makeVersion() {
  const logbook = await Logbook.init(new MemoryBackend());
  const writer = await logbook.beginVersion('alice/t');
  const pieces = [10, 20, 30].map((n, i) => Buffer.alloc(n, String(i)));
  const content = [];
  for (const p of pieces) content.push(await writer.addChunk(p));
  const file: TreeNode = {
    name: 'f.txt',
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: '0',
    size: 60,
    content,
  };
  const alice = await writer.addTree({ nodes: [file] });
  const home = await writer.addTree({
    nodes: [{ name: 'alice', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: '0', subtree: alice }],
  });
  const tree = await writer.addTree({
    nodes: [{ name: 'home', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: '0', subtree: home }],
  });
  const stats = { files: 1, dirs: 2, bytes: 60, filesRead: 1, bytesRead: 60, seconds: 0 };
  const made = await writer.commit({
    time: new Date(0).toISOString(),
    reason: 'manual',
    visibility: 'private',
    recipe: { name: 'home', hash: '0'.repeat(64) },
    host: 'h',
    user: 'alice',
    root: '/',
    steps: {},
    tree,
    stats,
  });
  return { logbook, made, whole: Buffer.concat(pieces) };
}

describe('VersionTree', () => {
  it('lists the regular files and reads any range, across chunk boundaries', async () => {
    const { logbook, made, whole } = await makeVersion();
    const tree = await VersionTree.open(logbook, made.manifest.tree);
    expect(tree.files()).toEqual(['home/alice/f.txt']);
    expect(await tree.size('home/alice/f.txt')).toBe(60);
    expect(await tree.read('home/alice/f.txt')).toEqual(whole);
    expect(await tree.head('home/alice/f.txt', 12)).toEqual(whole.subarray(0, 12));
    for (const [offset, length] of [
      [0, 10],
      [5, 10],
      [10, 20],
      [25, 30],
      [59, 10],
      [60, 5],
    ] as const) {
      expect(await tree.slice('home/alice/f.txt', offset, length), `${offset}+${length}`).toEqual(
        whole.subarray(offset, offset + length),
      );
    }
    expect(await tree.read('home/alice/none')).toBeUndefined();
  });

  it('remembers writes and removals without changing the logbook (a dry run)', async () => {
    const { logbook, made, whole } = await makeVersion();
    const tree = await VersionTree.open(logbook, made.manifest.tree);
    await tree.write('home/alice/f.txt', 'short');
    expect(await tree.read('home/alice/f.txt')).toEqual(Buffer.from('short'));
    await tree.remove('home/alice/f.txt');
    expect(tree.files()).toEqual([]);
    expect(tree.exists('home/alice/f.txt')).toBe(false);
    const again = await VersionTree.open(logbook, made.manifest.tree);
    expect(await again.read('home/alice/f.txt')).toEqual(whole);
  });
});

describe('copyVersion', () => {
  it('copies trees, chunks and the manifest (same id) into another logbook; again adds nothing', async () => {
    const { logbook, made, whole } = await makeVersion();
    const target = await Logbook.init(new MemoryBackend());
    const bytes = await logbook.backend.load({ type: 'snapshots', name: made.id });
    const first = await copyVersion(logbook, target, bytes);
    expect(first).toMatchObject({ blobs: 6, blobsAdded: 6 });
    const copy = await target.resolve('alice/t@v1');
    expect(copy.id).toBe(made.id);
    const tree = await VersionTree.open(target, copy.manifest.tree);
    expect(await tree.read('home/alice/f.txt')).toEqual(whole);
    const reopened = await Logbook.open(target.backend);
    expect(await copyVersion(logbook, reopened, bytes)).toMatchObject({ blobs: 6, blobsAdded: 0 });
  });
});

describe('the public namespace', () => {
  it('cannot be a user: user names start with a letter', () => {
    expect(() => checkUserName(PUBLIC_NAMESPACE)).toThrow(/Cannot use "_public" as a user name/);
  });
});
