import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import { type FileInfo, isBackendError } from '../../../../logbook/backend/backend.js';
import { checkHandle, DirBackend, fsError } from '../../../../logbook/backend/dir.js';

const NAME = `ab${'c'.repeat(62)}`;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function collect(items: AsyncIterable<FileInfo>): Promise<string[]> {
  const out: string[] = [];
  for await (const info of items) out.push(info.name);
  return out.sort();
}

// Every file under `dir`, relative, so a test can see exactly what a backend left on disk.
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let tmp: string;
let root: string;
const mounts: string[] = [];
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vml-dir-'));
  root = join(tmp, 'logbook');
});
afterEach(async () => {
  for (const m of mounts.splice(0)) execFileSync('umount', [m]);
  await rm(tmp, { recursive: true, force: true });
});

describe('DirBackend layout', () => {
  it('create() makes the root and one directory per file type', async () => {
    await DirBackend.create(root);
    expect((await readdir(root)).sort()).toEqual(['data', 'index', 'keys', 'locks', 'snapshots']);
  });

  it('open() creates nothing, and a missing logbook reads as NOT_FOUND', async () => {
    const be = await DirBackend.open(root);
    expect(be.location).toBe(`dir:${root}`);
    expect(await collect(be.list('keys'))).toEqual([]);
    await expect(be.load({ type: 'config', name: 'config' })).rejects.toSatisfy((e) =>
      isBackendError(e, 'NOT_FOUND'),
    );
    await expect(stat(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('save() puts config at the root, data in a two-hex shard and the rest under the type', async () => {
    const be = await DirBackend.create(root);
    await be.save({ type: 'config', name: 'config' }, bytes('c'));
    await be.save({ type: 'data', name: NAME }, bytes('d'));
    await be.save({ type: 'keys', name: NAME }, bytes('k'));
    expect(await filesUnder(root)).toEqual(['config', `data/ab/${NAME}`, `keys/${NAME}`]);
  });

  it('save() creates missing type and shard directories but never a missing root', async () => {
    await mkdir(root);
    const be = await DirBackend.open(root);
    await be.save({ type: 'snapshots', name: NAME }, bytes('s'));
    expect(await filesUnder(root)).toEqual([`snapshots/${NAME}`]);

    const gone = await DirBackend.open(join(tmp, 'unmounted'));
    await expect(gone.save({ type: 'keys', name: NAME }, bytes('k'))).rejects.toSatisfy(
      (e) => isVmlError(e) && e.code === 'E_IO',
    );
    await expect(stat(join(tmp, 'unmounted'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects names that could escape the type directory', async () => {
    const be = await DirBackend.create(root);
    for (const name of ['../config', 'a/b', '.tmp-x', '', '..']) {
      expect(() => checkHandle({ type: 'keys', name })).toThrow(/Cannot use/);
    }
    expect(() => checkHandle({ type: 'data', name: 'zz-not-hex' })).toThrow(/Cannot use/);
    expect(() => checkHandle({ type: 'config', name: 'other' })).toThrow(/Cannot use/);
    await expect(be.save({ type: 'keys', name: '../../escape' }, bytes('x'))).rejects.toSatisfy(
      (e) => isVmlError(e) && e.code === 'E_UNSAFE_PATH',
    );
    expect(await filesUnder(tmp)).toEqual([]);
  });
});

describe('DirBackend reads', () => {
  it('load() reads a range of a file too large to read whole', async () => {
    const be = await DirBackend.create(root);
    const path = join(root, 'index', NAME);
    // A sparse 3 GiB file: reading it whole would fail (Node's 2 GiB limit), reading 5 bytes must not.
    await writeFile(path, '');
    await truncate(path, 3 * 1024 ** 3);
    await writeFile(path, bytes('hello'), { flag: 'r+' });
    const far = await be.load({ type: 'index', name: NAME }, { offset: 3 * 1024 ** 3 - 5, length: 5 });
    expect(far).toEqual(new Uint8Array(5));
    expect(await be.load({ type: 'index', name: NAME }, { offset: 0, length: 5 })).toEqual(bytes('hello'));
  });

  it('list() skips temp files in type directories and data shards', async () => {
    const be = await DirBackend.create(root);
    await be.save({ type: 'data', name: NAME }, bytes('d'));
    await writeFile(join(root, 'data', 'ab', '.tmp-1234'), 'partial');
    await writeFile(join(root, 'keys', '.tmp-5678'), 'partial');
    await writeFile(join(root, '.tmp-9abc'), 'partial config');
    expect(await collect(be.list('data'))).toEqual([NAME]);
    expect(await collect(be.list('keys'))).toEqual([]);
    expect(await collect(be.list('config'))).toEqual([]);
  });
});

describe('DirBackend failures', () => {
  it('save() removes its temp file when the rename fails', async () => {
    const be = await DirBackend.create(root);
    // A non-empty directory where the file should go makes the final rename fail after the data is written.
    await mkdir(join(root, 'keys', NAME, 'occupied'), { recursive: true });
    await expect(be.save({ type: 'keys', name: NAME }, bytes('key'))).rejects.toSatisfy(
      (e) => isVmlError(e) && e.code === 'E_IO',
    );
    expect(await readdir(join(root, 'keys'))).toEqual([NAME]);
  });

  it('save() on a full disk throws E_NO_SPACE and leaves no temp file', async (ctx) => {
    await mkdir(root);
    if (!tryMount(root, 'size=64k')) ctx.skip('cannot mount a tmpfs here (needs root): ENOSPC not tested');
    mounts.push(root);
    const be = await DirBackend.create(root);
    const error = await be
      .save({ type: 'data', name: NAME }, new Uint8Array(512 * 1024))
      .catch((e: unknown) => e);
    expect(isVmlError(error) && error.code).toBe('E_NO_SPACE');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('save() on a read-only file system throws DENIED', async (ctx) => {
    await mkdir(root);
    if (!tryMount(root, 'size=64k')) ctx.skip('cannot mount a tmpfs here (needs root): EROFS not tested');
    mounts.push(root);
    const be = await DirBackend.create(root);
    execFileSync('mount', ['-o', 'remount,ro', root]);
    await expect(be.save({ type: 'keys', name: NAME }, bytes('k'))).rejects.toSatisfy((e) =>
      isBackendError(e, 'DENIED'),
    );
    // A missing shard directory must be reported the same way, not as "no such file".
    await expect(be.save({ type: 'data', name: NAME }, bytes('d'))).rejects.toSatisfy((e) =>
      isBackendError(e, 'DENIED'),
    );
  });

  it('fsError() maps errno codes to backend and VML errors', () => {
    const errno = (code: string): Error => Object.assign(new Error(code), { code });
    expect(isBackendError(fsError(errno('EACCES'), '/x', 'write'), 'DENIED')).toBe(true);
    expect(isBackendError(fsError(errno('EPERM'), '/x', 'remove'), 'DENIED')).toBe(true);
    expect(isBackendError(fsError(errno('ENOENT'), '/x', 'read'), 'NOT_FOUND')).toBe(true);
    expect(fsError(errno('EDQUOT'), '/x', 'write')).toMatchObject({ name: 'VmlError', code: 'E_NO_SPACE' });
    expect(fsError(errno('EIO'), '/x', 'read')).toMatchObject({ name: 'VmlError', code: 'E_IO' });
    // A missing directory while writing is not "file not found": the caller did not ask for a file.
    expect(fsError(errno('ENOENT'), '/x', 'write')).toMatchObject({ name: 'VmlError', code: 'E_IO' });
  });
});

describe('DirBackend.cleanTempFiles()', () => {
  it('removes stale temp files and keeps fresh ones and real files', async () => {
    const be = await DirBackend.create(root);
    await be.save({ type: 'data', name: NAME }, bytes('d'));
    const hourAgo = new Date(Date.now() - 3600_000);
    const stale = [
      join(root, 'data', 'ab', '.tmp-old1'),
      join(root, 'locks', '.tmp-old2'),
      join(root, '.tmp-old3'),
    ];
    for (const path of stale) {
      await writeFile(path, 'crashed writer');
      await utimes(path, hourAgo, hourAgo);
    }
    await writeFile(join(root, 'keys', '.tmp-fresh'), 'save in progress');
    expect(await be.cleanTempFiles(600_000)).toBe(3);
    expect(await filesUnder(root)).toEqual([`data/ab/${NAME}`, 'keys/.tmp-fresh']);
  });
});
