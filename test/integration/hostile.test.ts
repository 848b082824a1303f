/**
 * Restore never writes outside --root: a version crafted with "../" names, and a live root whose
 * symlinks lead out of it, are refused with a clear error and nothing outside the root changes.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBackend } from '../../logbook/backend/open.js';
import type { TreeNode } from '../../logbook/format/tree.js';
import { Logbook } from '../../logbook/logbook.js';
import { testVersionFields } from '../helpers/versions.js';
import { runAgent } from './helpers/cli.js';

/** Writes a version whose tree is `home/alice/<nodes>` with the given (possibly hostile) nodes. */
async function craftVersion(lb: string, nodes: TreeNode[]): Promise<void> {
  const logbook = await Logbook.open(await openBackend(`dir:${lb}`));
  const w = await logbook.beginVersion('alice/evil');
  const base = { mode: 0o755, uid: 0, gid: 0, mtime: '0' };
  const inner = await w.addTree({ nodes });
  const alice = await w.addTree({ nodes: [{ ...base, name: 'alice', type: 'dir', subtree: inner }] });
  const root = await w.addTree({ nodes: [{ ...base, name: 'home', type: 'dir', subtree: alice }] });
  await w.commit(testVersionFields(root, 0, 0, 'home'));
  await logbook.close();
}

describe('restore refuses to write outside the root', async () => {
  let dir: string;
  let lb: string;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vml-hostile-'));
    lb = join(dir, 'lb');
    root = join(dir, 'root');
    outside = join(dir, 'outside');
    await mkdir(outside);
    expect((await runAgent(['init', '--logbook', `dir:${lb}`, '--no-config'])).code).toBe(0);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a version with a "../" name is refused with E_UNSAFE_PATH and nothing is written', async () => {
    const logbook = await Logbook.open(await openBackend(`dir:${lb}`));
    const w = await logbook.beginVersion('alice/evil');
    const chunk = await w.addChunk(new TextEncoder().encode('owned'));
    await w.abort();
    await w.logbook.close();
    // The blob was added but the version aborted; craft again with the data referenced.
    await craftVersion(lb, [
      {
        name: '../../../outside/pwned',
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: '0',
        size: 5,
        content: [chunk],
      },
    ]);
    const r = await runAgent([
      'restore',
      'alice/evil@latest',
      '--root',
      root,
      '--logbook',
      `dir:${lb}`,
      '--json',
    ]);
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stderr.trim().split('\n').pop() as string);
    expect(error).toMatchObject({ type: 'exit_error', error: 'E_UNSAFE_PATH' });
    expect(error.message).toContain('unsafe name');
    expect(await readdir(outside)).toEqual([]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a live symlink outside the recipe scope that leads out of the root is refused', async () => {
    await craftVersion(lb, [
      {
        name: 'work',
        type: 'dir',
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: '0',
        subtree: await emptyTreeWithFile(lb),
      },
    ]);
    // "home" is not in the home recipe's scope (home/alice/** is): it belongs to the admin.
    await mkdir(root, { recursive: true });
    await symlink(outside, join(root, 'home'));
    const r = await runAgent(['restore', 'alice/evil@latest', '--root', root, '--logbook', `dir:${lb}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a directory inside the root');
    expect(await readdir(outside)).toEqual([]);
  });

  it('a live symlink inside the recipe scope is replaced by the version directory, not followed', async () => {
    await craftVersion(lb, [
      {
        name: 'work',
        type: 'dir',
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: '0',
        subtree: await emptyTreeWithFile(lb),
      },
    ]);
    await mkdir(join(root, 'home'), { recursive: true });
    await symlink(outside, join(root, 'home/alice'));
    const r = await runAgent(['restore', 'alice/evil@latest', '--root', root, '--logbook', `dir:${lb}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(join(root, 'home/alice'))).isDirectory()).toBe(true);
    expect(existsSync(join(root, 'home/alice/work/f.txt'))).toBe(true);
    expect(r.stdout).toContain('What was there before is saved as alice/evil@v2');
  });
});

async function emptyTreeWithFile(lb: string): Promise<string> {
  const logbook = await Logbook.open(await openBackend(`dir:${lb}`));
  const w = await logbook.beginVersion('alice/helper');
  const chunk = await w.addChunk(new TextEncoder().encode('hello'));
  const tree = await w.addTree({
    nodes: [
      { name: 'f.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: '0', size: 5, content: [chunk] },
    ],
  });
  const root = await w.addTree({ nodes: [] });
  // Commit a helper version so the blobs are indexed and the tree can be referenced.
  await w.commit(testVersionFields(root, 0, 0, 'home'));
  await logbook.close();
  return tree;
}
