/**
 * Writing preloaded entries into a plain tree: files through a temporary name and a rename (so a reader or
 * an interrupted run never sees a partial file), with the published mode and mtime; symlinks as published.
 */
import { createHash } from 'node:crypto';
import {
  chmod,
  copyFile,
  lstat,
  lutimes,
  open,
  readlink,
  rename,
  rm,
  symlink,
  utimes,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { explainFsError, VmlError } from '../../../core/errors.js';
import type { WalkEntry } from './repository.js';

/** Names a catalog may give an entry: anything but "", ".", ".." and names with "/" or NUL. */
export function checkName(entry: WalkEntry, fqrn: string): void {
  const n = entry.name;
  if (entry.path === '') return;
  if (n === '' || n === '.' || n === '..' || n.includes('/') || n.includes('\0')) {
    throw new VmlError('E_UNSAFE_PATH', `Refusing the entry "${entry.path}" of "${fqrn}": unsafe name`, {
      hint: 'The catalog is malformed; report it to the repository maintainers',
    });
  }
}

/** The content key of a file: its object hash, or a digest of its chunk list. */
export function contentKey(entry: WalkEntry): string {
  if (entry.chunks) {
    const h = createHash('sha1');
    for (const c of entry.chunks) h.update(`${c.offset}:${c.size}:${c.hash.algorithm}:${c.hash.hex};`);
    return `chunks:${h.digest('hex')}`;
  }
  return entry.hash ? `${entry.hash.algorithm}:${entry.hash.hex}` : 'empty';
}

/** The mtime of an entry as seconds with a fraction. */
export function mtimeOf(entry: WalkEntry): number {
  return entry.mtime + (entry.mtimeNs ?? 0) / 1e9;
}

/** True when `path` is a regular file of `size` bytes with mtime `mtime` (whole seconds compared). */
export async function fileMatches(path: string, size: number, mtime: number): Promise<boolean> {
  const st = await lstat(path).catch(() => undefined);
  return st?.isFile() === true && st.size === size && Math.floor(st.mtimeMs / 1000) === Math.floor(mtime);
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.vml-tmp${process.pid}`);
}

/** Removes whatever is at `path` unless it is a directory and `keepDir`. */
export async function clearPath(path: string, keepDir = false): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st || (keepDir && st.isDirectory())) return;
  await rm(path, { recursive: true, force: true });
}

/**
 * Writes a file from parts produced by `fill` (called with a writer for (offset, bytes)), then sets mode
 * and mtime and renames it into place.
 */
export async function writeFileAtomically(
  path: string,
  entry: WalkEntry,
  fill: (write: (position: number, data: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  await installFile(path, entry, async (temp) => {
    const handle = await open(temp, 'w', 0o600);
    try {
      await fill(async (position, data) => {
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
          done += bytesWritten;
        }
      });
      await handle.truncate(entry.size);
    } finally {
      await handle.close();
    }
  });
}

/** Copies an already written local file with the same content (instead of fetching it again). */
export async function copyLocal(source: string, path: string, entry: WalkEntry): Promise<void> {
  await installFile(path, entry, (temp) => copyFile(source, temp));
}

/**
 * Creates the file under a temporary name with `create`, gives it the entry's mode and mtime, and renames it
 * over `path`: a reader never sees a half-written file, and a failure leaves no temporary one behind.
 */
async function installFile(
  path: string,
  entry: WalkEntry,
  create: (temp: string) => Promise<void>,
): Promise<void> {
  const temp = tempName(path);
  try {
    await create(temp);
    await chmod(temp, entry.mode & 0o7777);
    await utimes(temp, mtimeOf(entry), mtimeOf(entry));
    await clearPath(path);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw explainFsError(error, path);
  }
}

/** Makes `path` a symlink to `target` (as published); returns false when it already was. */
export async function writeSymlink(path: string, target: string, mtime: number): Promise<boolean> {
  const current = await readlink(path).catch(() => undefined);
  if (current === target) return false;
  try {
    await clearPath(path);
    await symlink(target, path);
    await lutimes(path, mtime, mtime).catch(() => undefined);
  } catch (error) {
    throw explainFsError(error, path);
  }
  return true;
}
