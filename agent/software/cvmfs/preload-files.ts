/**
 * Writing the files of a preload into the plain tree: `jobs` downloads at a time, chunks in parallel,
 * content already on disk copied instead of fetched, hard-link groups linked to their first member.
 */
import { link } from 'node:fs/promises';
import { explainFsError, VmlError } from '../../../core/errors.js';
import { readExternal } from './external.js';
import { SUFFIX } from './hash.js';
import type { PreloadOptions } from './preload.js';
import { type PreloadState, type StateEntry, writeState } from './preload-state.js';
import { clearPath, contentKey, copyLocal, mtimeOf, writeFileAtomically } from './preload-write.js';
import type { Repository, WalkEntry } from './repository.js';

/** Writes the pending files with `jobs` workers; records each in `next` as it completes. */
export async function writeFiles(
  options: PreloadOptions,
  pending: readonly WalkEntry[],
  target: (path: string) => string,
  next: PreloadState,
  sources: ReadonlyMap<string, string>,
  limit: Limiter,
): Promise<{ filesWritten: number; bytesWritten: number; filesCopied: number }> {
  const { repo } = options;
  const jobs = Math.max(1, options.jobs ?? 8);
  // Content already on disk and left alone by this run: a local source for other paths with that content.
  const local = new Map<string, Promise<string | undefined>>();
  for (const [key, abs] of sources) local.set(key, Promise.resolve(abs));
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
    if (e.external) {
      const external = repo.external;
      if (!external)
        throw new VmlError('E_CONFIG_INVALID', `No CVMFS_EXTERNAL_URL for the external file ${what}`);
      await write(0, await limit(() => readExternal(external, e, what)));
      return;
    }
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

export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

/** Runs at most `slots` of the given functions at a time. */
export function limiter(slots: number): Limiter {
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
