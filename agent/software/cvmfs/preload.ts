/**
 * Preload: copies subtrees of one repository revision into a plain tree `INTO/FQRN/…` (files, directories,
 * symlinks as published, modes, mtimes, xattrs, hard links), fetching in parallel and only what the state
 * file does not already vouch for; content shared by several paths is fetched once and copied locally.
 */
import { chmod, link, mkdir, rmdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { explainFsError, VmlError } from '../../../core/errors.js';
import type { PreloadCounts } from '../../../core/events.js';
import { writeXattrs } from '../../steps/files/xattrs.js';
import { hashToString, SUFFIX } from './hash.js';
import { type PreloadState, readState, type StateEntry, writeState } from './preload-state.js';
import {
  checkName,
  clearPath,
  contentKey,
  copyLocal,
  fileMatches,
  mtimeOf,
  writeFileAtomically,
  writeSymlink,
} from './preload-write.js';
import type { Repository, WalkEntry } from './repository.js';

export interface PreloadOptions {
  readonly repo: Repository;
  /** Subtrees, absolute in the repository ("/lcg/releases/ROOT/6.32.02"; "/" for everything). */
  readonly paths: readonly string[];
  readonly into: string;
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
  const root = await repo.rootCatalog(options.revision);
  const revision = options.revision ?? repo.manifest.revision;
  const entries = new Map<string, WalkEntry>();
  for (const p of options.paths) for (const e of await repo.walk(root, p)) entries.set(e.path, e);
  for (const e of entries.values()) checkName(e, fqrn);
  const base = join(into, fqrn);
  const target = (path: string) => join(base, path);
  const state = await readState(into, fqrn);
  const next: PreloadState = {
    version: 1,
    fqrn,
    revision,
    root: hashToString(root),
    entries: { ...state.entries },
  };
  const all = [...entries.values()];
  const dirs = all.filter((e) => e.kind === 'dir');
  const links = all.filter((e) => e.kind === 'symlink');
  const files = all.filter((e) => e.kind === 'file' && !e.external);
  for (const e of all) {
    if (e.external)
      options.onWarning?.('Skipped: an external file (its data is not in the repository)', e.path);
    if (e.kind === 'special') options.onWarning?.('Skipped: a special file (device, FIFO or socket)', e.path);
  }
  // What is already in place: same content key in the state, and the live file has its size and mtime.
  const fresh = new Set<string>();
  for (const e of files) {
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
  const pending = files.filter((e) => !fresh.has(e.path));
  const result = {
    fqrn,
    revision,
    rootCatalog: hashToString(root),
    into: base,
    files: files.length,
    dirs: dirs.length,
    symlinks: links.length,
    bytes: files.reduce((s, e) => s + e.size, 0),
    filesUnchanged: fresh.size,
    removed: stale.length,
  };
  const counters = () => ({
    catalogs: repo.catalogsOpened,
    objectsFetched: repo.objects.stats.fetched,
    requests: repo.http.stats.requests,
    bytesFetched: repo.http.stats.bytes,
  });
  if (options.dryRun) {
    const bytesWritten = pending.reduce((s, e) => s + e.size, 0);
    return { ...result, filesWritten: pending.length, bytesWritten, filesCopied: 0, ...counters() };
  }

  try {
    await mkdir(base, { recursive: true });
    for (const p of stale.sort().reverse()) {
      const kind = state.entries[p]?.k;
      if (kind === 'dir') await rmdir(target(p)).catch(() => undefined);
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

  const sources = new Map<string, string>();
  for (const e of files) if (fresh.has(e.path)) sources.set(contentKey(e), target(e.path));
  const written = await writeFiles(options, pending, target, next, sources);
  const xattrs = new Map<string, Record<string, string>>();
  for (const e of all) {
    if (!e.xattrs || e.kind === 'symlink') continue;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.xattrs)) attrs[k] = v.toString('base64');
    xattrs.set(target(e.path), attrs);
  }
  for (const problem of await writeXattrs(xattrs)) options.onWarning?.(`Extended attributes: ${problem}`);
  // Directory modes and times last, deepest first: writing into a directory changes its mtime.
  for (const d of [...dirs].reverse()) {
    await chmod(target(d.path), d.mode & 0o7777);
    await utimes(target(d.path), mtimeOf(d), mtimeOf(d));
  }
  await writeState(into, next);
  return { ...result, ...written, ...counters() };
}

/** Writes the pending files with `jobs` workers; records each in `next` as it completes. */
async function writeFiles(
  options: PreloadOptions,
  pending: readonly WalkEntry[],
  target: (path: string) => string,
  next: PreloadState,
  sources: ReadonlyMap<string, string>,
): Promise<{ filesWritten: number; bytesWritten: number; filesCopied: number }> {
  const { repo } = options;
  const jobs = Math.max(1, options.jobs ?? 8);
  // Content already on disk and left alone by this run: a local source for other paths with that content.
  const local = new Map<string, Promise<string | undefined>>();
  for (const [key, abs] of sources) local.set(key, Promise.resolve(abs));
  const limit = limiter(jobs);
  const hardlinks = new Map<string, Promise<string>>();
  let filesWritten = 0;
  let bytesWritten = 0;
  let filesCopied = 0;
  let done = 0;
  let doneBytes = 0;
  const totalBytes = pending.reduce((s, e) => s + e.size, 0);
  let lastReport = 0;
  let lastSave = Date.now();
  const report = (force = false) => {
    if (!force && Date.now() - lastReport < 250) return;
    lastReport = Date.now();
    options.onProgress?.({ files: done, bytes: doneBytes, totalFiles: pending.length, totalBytes });
  };

  const writeOne = async (e: WalkEntry): Promise<void> => {
    const path = target(e.path);
    const key = contentKey(e);
    const group = e.hardlinkGroup > 0 ? `${e.catalog}#${e.hardlinkGroup}` : undefined;
    const first = group ? hardlinks.get(group) : undefined;
    if (first) {
      const source = await first;
      await clearPath(path);
      await link(source, path).catch((error) => {
        throw explainFsError(error, path);
      });
    } else {
      const leader = deferred<string>();
      if (group) hardlinks.set(group, leader.promise);
      // Claim the content before any await, so that two workers never download the same object.
      const claimed = local.get(key);
      let own = deferred<string | undefined>();
      if (!claimed) local.set(key, own.promise);
      const source = claimed ? await claimed : undefined;
      if (source !== undefined && source !== path) {
        await copyLocal(source, path, e);
        filesCopied++;
      } else {
        if (claimed) {
          own = deferred<string | undefined>();
          local.set(key, own.promise);
        }
        try {
          await fetchInto(repo, e, path, limit);
        } catch (error) {
          own.resolve(undefined);
          throw error;
        }
        own.resolve(path);
        filesWritten++;
        bytesWritten += e.size;
      }
      leader.resolve(path);
    }
    next.entries[e.path] = { k: 'file', h: key, s: e.size, m: mtimeOf(e) } satisfies StateEntry;
    done++;
    doneBytes += e.size;
    report();
    if (Date.now() - lastSave > 5000) {
      lastSave = Date.now();
      await writeState(options.into, next);
    }
  };

  // Files sharing content or a hard-link group wait for the first writer (they only copy or link).
  let index = 0;
  const worker = async () => {
    while (index < pending.length) {
      if (options.signal?.aborted) throw options.signal.reason;
      await writeOne(pending[index++] as WalkEntry);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs * 2, pending.length) }, worker));
  } catch (error) {
    // Keep what was written so far: a re-run continues from there.
    await writeState(options.into, next).catch(() => undefined);
    throw error;
  }
  report(true);
  return { filesWritten, bytesWritten, filesCopied };
}

/** Fetches a file's object (or chunks), verifies hashes and sizes, and writes it into place. */
async function fetchInto(repo: Repository, e: WalkEntry, path: string, limit: Limiter): Promise<void> {
  const what = `"${repo.fqrn}:${e.path}"`;
  try {
    await writeContent(repo, e, path, limit, what);
  } catch (error) {
    // Name the file as well as the object, so the user knows what was refused.
    if (!(error instanceof VmlError) || error.code !== 'E_CORRUPT' || error.message.includes(what))
      throw error;
    throw new VmlError('E_CORRUPT', `${error.message} (content of ${what})`, {
      hint: error.hint,
      cause: error,
    });
  }
}

async function writeContent(repo: Repository, e: WalkEntry, path: string, limit: Limiter, what: string) {
  await writeFileAtomically(path, e, async (write) => {
    if (e.chunks) {
      // Chunks come in parallel (within the shared download slots) and are written at their offsets.
      await Promise.all(
        e.chunks.map((c) =>
          limit(async () => {
            const data = await repo.objects.content(c.hash, SUFFIX.partial, e.compressed);
            if (data.length !== c.size) throw sizeMismatch(what, data.length, c.size, `chunk at ${c.offset}`);
            await write(c.offset, data);
          }),
        ),
      );
      return;
    }
    if (!e.hash) {
      if (e.size !== 0) throw new VmlError('E_CORRUPT', `The catalog gives ${what} no content hash`);
      return;
    }
    const hash = e.hash;
    const data = await limit(() => repo.objects.content(hash, SUFFIX.file, e.compressed));
    if (data.length !== e.size) throw sizeMismatch(what, data.length, e.size, 'file');
    await write(0, data);
  });
}

function sizeMismatch(what: string, got: number, expected: number, part: string): VmlError {
  return new VmlError(
    'E_CORRUPT',
    `Refusing ${what}: the ${part} has ${got} bytes, the catalog says ${expected}`,
    { hint: 'The repository is inconsistent; report it to the repository maintainers' },
  );
}

type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

/** Runs at most `slots` of the given functions at a time. */
function limiter(slots: number): Limiter {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (fn) => {
    if (active >= slots) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** A promise and its resolve function. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
