/**
 * Restore never writes outside --root. Names in trees are validated when decoded (no "..", no "/"), and
 * every directory on the way to a path is checked here: a live symlink that leads out of the root is refused.
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { VmlError } from '../../core/errors.js';

/** Whether `path` (already resolved) is `root` or inside it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/**
 * Makes sure the parent directories of `rel` exist inside the root; returns the absolute path of `rel`.
 * `verified` remembers directories already checked in this run (a restore of 30,000 files would otherwise
 * lstat every ancestor of every file); the caller drops entries for paths it removes or replaces.
 */
export async function safeTarget(
  root: string,
  realRoot: string,
  rel: string,
  verified: Set<string> = new Set(),
): Promise<string> {
  const parts = rel.split('/');
  let current = root;
  for (const part of parts.slice(0, -1)) {
    current = join(current, part);
    if (verified.has(current)) continue;
    let stat: Awaited<ReturnType<typeof lstat>> | undefined;
    try {
      stat = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!stat) {
      await mkdir(current, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error; // made meanwhile by a concurrent write in the same directory
      });
      verified.add(current);
      continue;
    }
    if (stat.isDirectory()) {
      verified.add(current);
      continue;
    }
    if (stat.isSymbolicLink()) {
      const resolved = await realpath(current).catch(() => undefined);
      if (resolved && isInside(realRoot, resolved)) {
        verified.add(current);
        continue;
      }
    }
    throw new VmlError(
      'E_UNSAFE_PATH',
      `Refusing to restore "${rel}": "${relative(root, current)}" is not a directory inside the root`,
      {
        hint: 'A symlink or file in the live root stands where the version has a directory; move it away and restore again',
      },
    );
  }
  return join(root, rel);
}
