/**
 * The staged copy on disk as sanitizers see it (BackupTree). The file list comes from one walk that never
 * follows symbolic links; every read opens with O_NOFOLLOW and re-checks that the path's parents are real
 * directories, so a link planted in the staged copy cannot make a sanitizer read or write outside it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { lstat, open, readdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupTree } from './sanitizer.js';

/** A directory the walk could not list: the pipeline keeps it out, with the reason. */
export interface Unlistable {
  readonly path: string;
  readonly reason: string;
}

/** Lists the regular files under `root` (relative, '/'-separated), without following links. */
export async function walkRegularFiles(root: string): Promise<{ files: string[]; unlistable: Unlistable[] }> {
  const files: string[] = [];
  const unlistable: Unlistable[] = [];
  async function visit(rel: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true });
    } catch (error) {
      unlistable.push({
        path: rel,
        reason: `cannot list directory: ${(error as NodeJS.ErrnoException).code}`,
      });
      return;
    }
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await visit(path);
      else if (e.isFile()) files.push(path);
      // Links, sockets, FIFOs and devices carry no content of their own: they are kept as they are.
    }
  }
  await visit('');
  files.sort();
  return { files, unlistable };
}

/**
 * Reads up to `length` bytes at `offset`, stopping early at the end of the file. Synchronous on purpose:
 * the scanners read thousands of small files, and a thread-pool round trip per call costs more than the read.
 */
function readFully(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** A BackupTree over `root` with the given regular files. */
export class DiskTree implements BackupTree {
  readonly #root: string;
  readonly #dryRun: boolean;
  readonly #files: Set<string>;
  /** Dry run: content a write would have left, so later sanitizers read what the real run would. */
  readonly #written = new Map<string, Buffer>();
  #sorted: string[] | undefined;
  /** Parents already checked to be real directories (sanitizers never replace a directory by a link). */
  readonly #checkedDirs = new Set<string>();

  readonly #onUnreadable: (path: string, reason: string) => void;

  /** `onUnreadable` is told of each file that could not be read, which the tree then removes. */
  constructor(
    root: string,
    files: Iterable<string>,
    options: { dryRun: boolean; onUnreadable: (path: string, reason: string) => void },
  ) {
    const { dryRun, onUnreadable } = options;
    this.#onUnreadable = onUnreadable;
    this.#root = root;
    this.#dryRun = dryRun;
    this.#files = new Set(files);
  }

  files(): readonly string[] {
    this.#sorted ??= [...this.#files].sort();
    return this.#sorted;
  }

  exists(path: string): boolean {
    return this.#files.has(path);
  }

  async size(path: string): Promise<number | undefined> {
    const w = this.#written.get(path);
    if (w !== undefined) return w.length;
    return this.#failClosed(path, async () => (await lstat(await this.#safe(path))).size);
  }

  async read(path: string): Promise<Buffer | undefined> {
    const w = this.#written.get(path);
    if (w !== undefined) return w;
    return this.#failClosed(path, async () => {
      const fd = openSync(await this.#safe(path), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return readFully(fd, 0, fstatSync(fd).size);
      } finally {
        closeSync(fd);
      }
    });
  }

  head(path: string, length: number): Promise<Buffer | undefined> {
    return this.slice(path, 0, length);
  }

  async slice(path: string, offset: number, length: number): Promise<Buffer | undefined> {
    const w = this.#written.get(path);
    if (w !== undefined) return w.subarray(offset, offset + length);
    return this.#failClosed(path, async () => {
      const fd = openSync(await this.#safe(path), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return readFully(fd, offset, length);
      } finally {
        closeSync(fd);
      }
    });
  }

  /** Runs a read; if it fails, the file is kept out of the result (removed) and the reason reported. */
  async #failClosed<T>(path: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (!this.#files.has(path)) throw error; // a sanitizer bug, not a property of the file
      const code = (error as NodeJS.ErrnoException).code;
      const reason = `cannot be read${code ? ` (${code})` : ''}: kept out, since it could not be checked`;
      // If even the removal fails, the error ends the whole run: nothing half-checked gets published.
      await this.remove(path);
      this.#onUnreadable(path, reason);
      return undefined;
    }
  }

  async write(path: string, content: string | Uint8Array): Promise<void> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    if (this.#dryRun) {
      this.#written.set(path, bytes);
      return;
    }
    const abs = await this.#safe(path);
    const before = await lstat(abs);
    // Truncate in place (not a new file) so mode, owner and extended attributes stay as they were.
    const handle = await open(abs, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    await utimes(abs, before.atime, before.mtime);
  }

  async remove(path: string): Promise<void> {
    if (!this.#files.has(path)) return;
    // Recursive: what the walk saw as a file may have become a directory; rm never follows links.
    if (!this.#dryRun) await rm(await this.#safe(path), { force: true, recursive: true });
    this.#files.delete(path);
    this.#sorted = undefined;
    this.#written.delete(path);
  }

  /** The absolute path of a tree file, after checking that no parent is a link (the tree may have changed). */
  async #safe(path: string): Promise<string> {
    if (!this.#files.has(path)) throw new Error(`"${path}" is not a regular file of the staged tree`);
    const parts = path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`Unsafe path "${path}"`);
    let dir = this.#root;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      if (this.#checkedDirs.has(dir)) continue;
      if (!(await lstat(dir)).isDirectory())
        throw new Error(`"${path}" leads through a link or non-directory`);
      this.#checkedDirs.add(dir);
    }
    return join(this.#root, ...parts);
  }
}
