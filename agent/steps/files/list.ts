/**
 * The regular files a scope keeps, as root-relative paths, without reading them or comparing with a
 * version: for fact steps that look at the files a backup would keep (the credentials step). Quiet about
 * what it cannot list; the files capture itself warns about those.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from './scope.js';

/** Every regular file under `root` that `scope` keeps, parents' files before children's, sorted by name. */
export function listFilesInScope(root: string, scope: Scope, signal?: AbortSignal): string[] {
  const out: string[] = [];
  const rootDev = lstatSync(root).dev;
  const walk = (abs: string, rel: string, flags: readonly boolean[]) => {
    signal?.throwIfAborted();
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const childAbs = join(abs, entry.name);
      const isDir = entry.isDirectory();
      const verdict = scope.judge(childRel, isDir, flags);
      if (!isDir) {
        if (verdict.keep && entry.isFile()) out.push(childRel);
        continue;
      }
      if (!verdict.descend) continue;
      if (scope.oneFileSystem && lstatSync(childAbs, { throwIfNoEntry: false })?.dev !== rootDev) continue;
      walk(childAbs, childRel, scope.keptBy(childRel, flags));
    }
  };
  walk(root, '', scope.rootFlags());
  return out;
}
