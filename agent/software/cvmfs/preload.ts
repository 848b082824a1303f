/**
 * Preload: copies subtrees of one repository revision into a plain tree `INTO/FQRN/…` (files, directories,
 * symlinks as published, modes, mtimes, xattrs, hard links) and/or into the client's alien-cache layout,
 * fetching in parallel and only what the state file (or the alien cache) does not already hold.
 */
import { chmod, mkdir, rmdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { explainFsError } from '../../../core/errors.js';
import type { PreloadCounts } from '../../../core/events.js';
import { writeXattrs } from '../../steps/files/xattrs.js';
import { hashToString } from './hash.js';
import { AlienCache, fillAlienCache } from './preload-alien.js';
import { limiter, writeFiles } from './preload-files.js';
import { type PreloadState, readState, writeState } from './preload-state.js';
import { checkName, clearPath, contentKey, fileMatches, mtimeOf, writeSymlink } from './preload-write.js';
import type { Repository, WalkEntry } from './repository.js';

export interface PreloadOptions {
  readonly repo: Repository;
  /** Subtrees, absolute in the repository ("/lcg/releases/ROOT/6.32.02"; "/" for everything). */
  readonly paths: readonly string[];
  /** Directory of the state file (and of the plain tree, unless `plainTree` is false). */
  readonly into: string;
  /** Write the plain tree INTO/FQRN (default true). */
  readonly plainTree?: boolean;
  /** Also fill this alien cache. */
  readonly alienCache?: string | undefined;
  readonly revision?: number | undefined;
  /** Parallel object downloads (default 8). */
  readonly jobs?: number;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: (p: { files: number; bytes: number; totalFiles: number; totalBytes: number }) => void;
  readonly onWarning?: (message: string, path?: string) => void;
}

export interface PreloadResult extends PreloadCounts {
  readonly fqrn: string;
}

/** Runs a preload. Throws VmlError on any verification failure, before the bad data is written. */
export async function preload(options: PreloadOptions): Promise<PreloadResult> {
  const { repo, into } = options;
  const fqrn = repo.fqrn;
  const plain = options.plainTree !== false;
  const alien = options.alienCache ? new AlienCache(options.alienCache) : undefined;
  if (alien && !options.dryRun) {
    await alien.prepare();
    // Catalogs go into the alien cache as the walk opens them, and files as they are fetched.
    repo.objects.sink = (hash, content) => alien.put(hash, content);
  }
  const root = await repo.rootCatalog(options.revision);
  const revision = options.revision ?? repo.manifest.revision;
  const entries = new Map<string, WalkEntry>();
  for (const p of options.paths) for (const e of await repo.walk(root, p)) entries.set(e.path, e);
  for (const e of entries.values()) checkName(e, fqrn);
  const base = join(into, fqrn);
  const target = (path: string) => join(base, path);
  const state = plain ? await readState(into, fqrn) : { entries: {} as PreloadState['entries'] };
  const all = [...entries.values()];
  const dirs = all.filter((e) => e.kind === 'dir');
  const links = all.filter((e) => e.kind === 'symlink');
  const files = all.filter((e) => e.kind === 'file' && (!e.external || repo.external));
  for (const e of all) {
    if (e.external && !repo.external) {
      options.onWarning?.('Skipped: an external file, and CVMFS_EXTERNAL_URL is not set', e.path);
    }
    if (e.kind === 'special') options.onWarning?.('Skipped: a special file (device, FIFO or socket)', e.path);
  }
  // What is already in place: same content key in the state, and the live file has its size and mtime.
  const fresh = new Set<string>();
  for (const e of plain ? files : []) {
    const old = state.entries[e.path];
    if (
      old?.k === 'file' &&
      old.h === contentKey(e) &&
      (await fileMatches(target(e.path), e.size, mtimeOf(e)))
    ) {
      fresh.add(e.path);
    }
  }
  const stale = Object.keys(state.entries).filter(
    (p) => !entries.has(p) && options.paths.some((s) => s === '/' || p === s || p.startsWith(`${s}/`)),
  );
  const pending = plain ? files.filter((e) => !fresh.has(e.path)) : [];
  const counters = () => ({
    catalogs: repo.catalogsOpened,
    objectsFetched: repo.objects.stats.fetched,
    requests: repo.http.stats.requests + (repo.external?.stats.requests ?? 0),
    bytesFetched: repo.http.stats.bytes + (repo.external?.stats.bytes ?? 0),
    ...(alien ? { alienCache: alien.dir, alienObjects: alien.written, alienBytes: alien.bytes } : {}),
  });
  const result = {
    fqrn,
    revision,
    rootCatalog: hashToString(root),
    into: plain ? base : '',
    files: files.length,
    dirs: dirs.length,
    symlinks: links.length,
    bytes: files.reduce((s, e) => s + e.size, 0),
    filesUnchanged: fresh.size,
    removed: plain ? stale.length : 0,
  };
  if (options.dryRun) {
    const bytesWritten = pending.reduce((s, e) => s + e.size, 0);
    return { ...result, filesWritten: pending.length, bytesWritten, filesCopied: 0, ...counters() };
  }
  const limit = limiter(Math.max(1, options.jobs ?? 8));
  let written = { filesWritten: 0, bytesWritten: 0, filesCopied: 0 };
  if (plain) {
    const next: PreloadState = {
      version: 1,
      fqrn,
      revision,
      root: hashToString(root),
      entries: { ...state.entries },
    };
    await writeSkeleton(base, target, dirs, links, stale, state.entries, next);
    const sources = new Map<string, string>();
    for (const e of files) if (fresh.has(e.path)) sources.set(contentKey(e), target(e.path));
    written = await writeFiles(options, pending, target, next, sources, limit);
    await finishTree(all, dirs, target, options);
    await writeState(into, next);
  }
  if (alien) await fillAlienCache(repo, files, alien, limit, options.signal);
  return { ...result, ...written, ...counters() };
}

/** Removes what the revision dropped, then makes the directories (owner-writable for now) and symlinks. */
async function writeSkeleton(
  base: string,
  target: (path: string) => string,
  dirs: readonly WalkEntry[],
  links: readonly WalkEntry[],
  stale: readonly string[],
  old: PreloadState['entries'],
  next: PreloadState,
): Promise<void> {
  try {
    await mkdir(base, { recursive: true });
    for (const p of [...stale].sort().reverse()) {
      if (old[p]?.k === 'dir') await rmdir(target(p)).catch(() => undefined);
      else await clearPath(target(p));
      delete next.entries[p];
    }
    for (const d of dirs) {
      await clearPath(target(d.path), true);
      await mkdir(target(d.path), { recursive: true, mode: 0o700 });
      await chmod(target(d.path), 0o700);
      next.entries[d.path] = { k: 'dir', m: d.mtime };
    }
    for (const l of links) {
      await writeSymlink(target(l.path), l.target ?? '', mtimeOf(l));
      next.entries[l.path] = { k: 'symlink', h: l.target ?? '' };
    }
  } catch (error) {
    throw explainFsError(error, base);
  }
}

/** Extended attributes, then directory modes and times, deepest first (writing into a directory changes its mtime). */
async function finishTree(
  all: readonly WalkEntry[],
  dirs: readonly WalkEntry[],
  target: (path: string) => string,
  options: PreloadOptions,
): Promise<void> {
  const xattrs = new Map<string, Record<string, string>>();
  for (const e of all) {
    if (!e.xattrs || e.kind === 'symlink') continue;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.xattrs)) attrs[k] = v.toString('base64');
    xattrs.set(target(e.path), attrs);
  }
  for (const problem of await writeXattrs(xattrs)) options.onWarning?.(`Extended attributes: ${problem}`);
  for (const d of [...dirs].reverse()) {
    await chmod(target(d.path), d.mode & 0o7777);
    await utimes(target(d.path), mtimeOf(d), mtimeOf(d));
  }
}
