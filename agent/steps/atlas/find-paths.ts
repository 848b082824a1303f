/**
 * Finds the directories and files that an ATLAS step's `with` globs name (`{home}/analysis/*`,
 * `{home}/data/**`), by a bounded walk from each glob's fixed prefix, so a glob never makes a step read the
 * whole root. Symbolic links are not followed: a link to /cvmfs or to EOS must not pull a repository in.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { HOME_PREFIX } from '../files-schema.js';

/** `{home}/x` → `home/alice/x` (root-relative, no leading "/"). */
export function expandHome(glob: string, home: string): string {
  if (glob === '{home}') return home;
  return glob.startsWith(HOME_PREFIX) ? `${home}/${glob.slice(HOME_PREFIX.length)}` : glob;
}

export interface FindOptions {
  /** The owner's home relative to the root. */
  readonly home: string;
  /** Directory levels below a glob's fixed prefix that are visited at most. */
  readonly maxDepth?: number;
  /** Directory names never entered (their contents are never matched). */
  readonly skip?: readonly string[];
  /** What to return: directories (default) or regular files. */
  readonly type?: 'dir' | 'file';
}

/** Directories that are never worth entering when looking for work areas. */
export const SKIP_DIRS = ['.git', 'build', 'node_modules', '.cache', '__pycache__'] as const;

/** Root-relative paths matching any of `globs`, sorted, without duplicates. */
export async function findPaths(root: string, globs: readonly string[], o: FindOptions): Promise<string[]> {
  const found = new Set<string>();
  for (const glob of globs) {
    const pattern = expandHome(glob, o.home).replace(/\/+$/, '');
    const match = picomatch(pattern, { dot: true });
    const base = fixedPrefix(pattern);
    const maxDepth = o.maxDepth ?? (pattern.includes('**') ? 8 : pattern.split('/').length - depthOf(base));
    await walk(root, base, 0, { ...o, maxDepth }, (rel, isDir) => {
      if (match(rel) && isDir === ((o.type ?? 'dir') === 'dir')) found.add(rel);
    });
  }
  return [...found].sort();
}

type Visit = (rel: string, isDir: boolean) => void;

async function walk(
  root: string,
  dir: string,
  depth: number,
  o: FindOptions & { maxDepth: number },
  visit: Visit,
): Promise<void> {
  if (depth === 0 && dir !== '') {
    const st = await lstat(join(root, dir)).catch(() => undefined);
    if (st === undefined || st.isSymbolicLink()) return;
    visit(dir, st.isDirectory());
    if (!st.isDirectory()) return;
  }
  if (depth >= o.maxDepth) return;
  let entries: Dirent[];
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    return; // a missing or unreadable directory holds nothing to record
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      visit(rel, true);
      if (!(o.skip ?? []).includes(entry.name)) await walk(root, rel, depth + 1, o, visit);
    } else if (entry.isFile()) {
      visit(rel, false);
    }
  }
}

/** The leading path segments of `glob` that hold no glob characters: where a walk starts. */
function fixedPrefix(glob: string): string {
  const segments = glob.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}()!+@]/.test(segment)) break;
    fixed.push(segment);
  }
  if (fixed.length === segments.length - 1 && !/[*?[\]{}()!+@]/.test(segments.at(-1) ?? '')) {
    return glob; // no glob characters at all: the path itself
  }
  return fixed.join('/');
}

function depthOf(path: string): number {
  return path === '' ? 0 : path.split('/').length;
}
