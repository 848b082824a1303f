/**
 * The `dir:` backend: a logbook in a local (or NFS-mounted) directory, laid out as in FORMAT.md:
 * `<root>/config`, `<root>/data/<first 2 hex chars>/<name>`, `<root>/<type>/<name>` for the other types.
 * Writes go to a `.tmp-*` file in the target directory and are renamed into place (restic's local backend).
 */
import { randomBytes } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { explainFsError, isVmlError, VmlError } from '../../core/errors.js';
import {
  type Backend,
  BackendError,
  describeHandle,
  FILE_TYPES,
  type FileInfo,
  type FileType,
  type Handle,
  type IoOptions,
  isBackendError,
  type LoadOptions,
} from './backend.js';
import { OpenPacks } from './dir-packs.js';

/** Prefix of in-flight writes; `list` never shows them and `cleanTempFiles` removes stale ones. */
export const TEMP_PREFIX = '.tmp-';

// Letters, digits, '.', '_', '-', not starting with a dot: no path separators, no "..", no clash with temp files.
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const SHARD = /^[0-9a-f]{2}$/;

/** Rejects names that could escape the type directory, hide as temp files, or not be sharded. */
export function checkHandle(h: Handle): void {
  const ok =
    h.type === 'config'
      ? h.name === 'config'
      : SAFE_NAME.test(h.name) && (h.type !== 'data' || SHARD.test(h.name.slice(0, 2)));
  if (!ok) {
    throw new VmlError('E_UNSAFE_PATH', `Cannot use "${describeHandle(h)}" as a logbook file name`, {
      hint: 'Names are lowercase SHA-256 hex digests; "config" is the only name of type config',
    });
  }
}

/** What an fs call was doing, for messages. */
export type FsVerb = 'read' | 'write' | 'remove' | 'list';

/** Maps a Node fs error to BackendError (NOT_FOUND, DENIED), VmlError E_NO_SPACE or E_IO. */
export function fsError(error: unknown, path: string, verb: FsVerb): Error {
  if (isBackendError(error) || isVmlError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // ENOTDIR on a read means a path component is a plain file: the file we want cannot exist.
  if (verb !== 'write' && (code === 'ENOENT' || code === 'ENOTDIR')) {
    return new BackendError('NOT_FOUND', `File "${path}" does not exist`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    const why = code === 'EROFS' ? 'the file system is read-only' : 'permission denied';
    return new BackendError('DENIED', `Cannot ${verb} "${path}": ${why}`, { cause: error });
  }
  const explained = explainFsError(error, path);
  if (explained instanceof Error && explained !== error) return explained;
  const detail = error instanceof Error ? error.message : String(error);
  return new VmlError('E_IO', `Cannot ${verb} "${path}": ${detail}`, { cause: error });
}

// For promise `.catch()`: turns an fs rejection into the error callers expect.
function rethrowAs(path: string, verb: FsVerb): (error: unknown) => never {
  return (error) => {
    throw fsError(error, path, verb);
  };
}

/** Resolves `offset` and `length` against a file's size to `[offset, length]`; throws RANGE if past the end. */
export function checkRange(options: LoadOptions | undefined, size: number, where: string): [number, number] {
  const offset = options?.offset ?? 0;
  const length = options?.length ?? size - offset;
  const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  if (!isCount(offset) || !isCount(length) || offset + length > size) {
    throw new BackendError(
      'RANGE',
      `Cannot read ${length} bytes at ${offset} of "${where}": it has ${size} bytes`,
    );
  }
  return [offset, length];
}

/** A logbook in a directory. The constructor and `open` touch nothing on disk; `create` makes the layout. */
export class DirBackend implements Backend {
  readonly root: string;
  readonly location: string;
  readonly properties = { connections: 4, atomicReplace: true } as const;
  readonly #packs = new OpenPacks();

  constructor(path: string) {
    this.root = resolve(path);
    this.location = `dir:${this.root}`;
  }

  /** Makes the root and one directory per file type (data shards appear on first write). */
  static async create(path: string): Promise<DirBackend> {
    const backend = new DirBackend(path);
    for (const type of FILE_TYPES) {
      const dir = type === 'config' ? backend.root : join(backend.root, type);
      await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch(rethrowAs(dir, 'write'));
    }
    return backend;
  }

  /** Opens an existing logbook without checking it: a missing one shows up as NOT_FOUND on `config`. */
  static async open(path: string): Promise<DirBackend> {
    return new DirBackend(path);
  }

  /** Where a handle lives on disk. */
  pathOf(h: Handle): string {
    checkHandle(h);
    if (h.type === 'config') return join(this.root, 'config');
    if (h.type === 'data') return join(this.root, 'data', h.name.slice(0, 2), h.name);
    return join(this.root, h.type, h.name);
  }

  async save(h: Handle, data: Uint8Array, options?: IoOptions): Promise<void> {
    const path = this.pathOf(h);
    options?.signal?.throwIfAborted();
    const dir = dirname(path);
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let created = false;
    try {
      const file = await openTemp(this.root, temp);
      created = true;
      try {
        await file.writeFile(data);
        await file.sync();
      } finally {
        await file.close();
      }
      // Last chance to back out: after the rename the file is in the logbook.
      options?.signal?.throwIfAborted();
      await rename(temp, path);
      created = false;
      await syncDir(dir);
    } catch (error) {
      if (created) await unlink(temp).catch(() => undefined);
      if (options?.signal?.aborted && error === options.signal.reason) throw error;
      throw fsError(error, path, 'write');
    }
  }

  async load(h: Handle, options?: LoadOptions): Promise<Uint8Array> {
    const path = this.pathOf(h);
    options?.signal?.throwIfAborted();
    // Packs are read through open handles kept for the next blob (dir-packs.ts); other files are small.
    return h.type === 'data'
      ? this.#packs.read(
          path,
          (file, size) => readRange(file, ...checkRange(options, size, path), path),
          () => this.#loadFresh(path, options),
        )
      : this.#loadFresh(path, options);
  }

  async #loadFresh(path: string, options: LoadOptions | undefined): Promise<Uint8Array> {
    const file = await open(path, 'r').catch(rethrowAs(path, 'read'));
    try {
      const { size } = await file.stat();
      const [offset, length] = checkRange(options, size, path);
      return await readRange(file, offset, length, path);
    } catch (error) {
      throw fsError(error, path, 'read');
    } finally {
      await file.close();
    }
  }

  async stat(h: Handle, options?: IoOptions): Promise<FileInfo> {
    const path = this.pathOf(h);
    options?.signal?.throwIfAborted();
    const st = await stat(path).catch(rethrowAs(path, 'read'));
    return { type: h.type, name: h.name, size: st.size, mtimeMs: st.mtimeMs };
  }

  async *list(type: FileType, options?: IoOptions): AsyncIterable<FileInfo> {
    for await (const { name, path } of this.#entries(type, options)) {
      if (name.startsWith('.') || (type === 'config' && name !== 'config')) continue;
      const st = await statIfExists(path);
      if (st?.isFile()) yield { type, name, size: st.size, mtimeMs: st.mtimeMs };
    }
  }

  async remove(h: Handle, options?: IoOptions): Promise<void> {
    const path = this.pathOf(h);
    options?.signal?.throwIfAborted();
    this.#packs.drop(path);
    await this.#unlink(path);
  }

  /**
   * Removes `.tmp-*` files older than `olderThanMs` (left by crashed writers) and returns how many.
   * Fresh ones may belong to a save in progress, so gc passes a generous age.
   */
  async cleanTempFiles(olderThanMs: number, options?: IoOptions): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const type of FILE_TYPES) {
      for await (const { name, path } of this.#entries(type, options)) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const st = await statIfExists(path);
        if (st === undefined || st.mtimeMs >= cutoff) continue;
        await this.#unlink(path);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#packs.dropAll();
  }

  // Idempotent: a file that is already gone is what the caller wanted.
  async #unlink(path: string): Promise<void> {
    try {
      await unlink(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fsError(error, path, 'remove');
    }
  }

  // Every non-directory entry where files of one type live: the root for config, the shards for data.
  async *#entries(
    type: FileType,
    options: IoOptions | undefined,
  ): AsyncIterable<{ name: string; path: string }> {
    const top = type === 'config' ? this.root : join(this.root, type);
    const dirs =
      type === 'data'
        ? (await listEntries(top))
            .filter((e) => e.isDirectory() && SHARD.test(e.name))
            .map((e) => join(top, e.name))
        : [top];
    for (const dir of dirs) {
      for (const entry of await listEntries(dir)) {
        options?.signal?.throwIfAborted();
        if (!entry.isDirectory()) yield { name: entry.name, path: join(dir, entry.name) };
      }
    }
  }
}

// Private versions are readable by their owner only: no group or world bits, whatever the umask (as restic).
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

// Type and shard directories are created on demand, but never the root: a missing root may be an
// unmounted file system, and writing into the mount point would hide the logbook.
async function openTemp(root: string, temp: string): Promise<FileHandle> {
  try {
    return await open(temp, 'wx', FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await makeDirsBelow(root, dirname(temp));
    return await open(temp, 'wx', FILE_MODE);
  }
}

// One level at a time rather than `mkdir -p`: Node's recursive mkdir reports EROFS as ENOENT.
async function makeDirsBelow(root: string, dir: string): Promise<void> {
  let path = root;
  for (const part of relative(root, dir).split(sep)) {
    path = join(path, part);
    await mkdir(path, DIR_MODE).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
  }
}

async function readRange(file: FileHandle, pos: number, length: number, path: string): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, pos + done);
    // Files are written once, so a shorter file means someone truncated it under us.
    if (bytesRead === 0) throw new VmlError('E_IO', `Cannot read "${path}": the file shrank while reading`);
    done += bytesRead;
  }
  return buffer;
}

// Makes the rename durable. Some file systems refuse fsync on directories; there is nothing more to do then.
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}

async function listEntries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw fsError(error, dir, 'list');
  }
}

// Undefined when the file was removed after readdir saw it (a concurrent gc): it is no longer listed.
async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(error, path, 'list');
  }
}
