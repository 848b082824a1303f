/**
 * The client's alien-cache layout, as cvmfs_preload (`cvmfs_swissknife pull -c`) fills it: every object
 * of the preloaded subtrees — catalogs, files, chunks — at `DIR/<first 2 hex digits>/<rest of the hash>`
 * (algorithm id kept, kind suffix dropped), stored *inflated*, because the client reads files straight
 * from its cache; plus the `txn/` directory the client writes through. A client with
 * `CVMFS_ALIEN_CACHE=DIR`, `CVMFS_SHARED_CACHE=no` and `CVMFS_QUOTA_LIMIT=-1` then needs no network for
 * those paths. Objects are verified (hash over the compressed bytes) before they are inflated and written.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { explainFsError } from '../../../core/errors.js';
import { type ContentHash, hashToString, SUFFIX } from './hash.js';
import type { Limiter } from './preload-files.js';
import type { Repository, WalkEntry } from './repository.js';

export class AlienCache {
  /** Objects written by this run, and their bytes (inflated). */
  written = 0;
  bytes = 0;

  constructor(readonly dir: string) {}

  /** Where the client looks for the object `hash`. */
  path(hash: ContentHash): string {
    const name = hashToString(hash);
    return join(this.dir, name.slice(0, 2), name.slice(2));
  }

  has(hash: ContentHash): boolean {
    return existsSync(this.path(hash));
  }

  /** Creates the directory and its `txn/`. */
  async prepare(): Promise<void> {
    await mkdir(join(this.dir, 'txn'), { recursive: true }).catch((error) => {
      throw explainFsError(error, this.dir);
    });
  }

  /** Stores inflated `content` (already verified) unless the object is there; temporary name, then rename. */
  async put(hash: ContentHash, content: Uint8Array): Promise<void> {
    const path = this.path(hash);
    if (existsSync(path)) return;
    const temp = join(this.dir, 'txn', `${hashToString(hash)}.vml-tmp${process.pid}`);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temp, content, { mode: 0o660 });
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw explainFsError(error, path);
    }
    this.written++;
    this.bytes += content.length;
  }
}

/**
 * Puts every file object and chunk of `entries` that the alien cache lacks into it, `limit` at a time.
 * (The catalogs get there as the walk opens them.) External files are not in the cache: the client
 * fetches them from CVMFS_EXTERNAL_URL.
 */
export async function fillAlienCache(
  repo: Repository,
  entries: readonly WalkEntry[],
  alien: AlienCache,
  limit: Limiter,
  signal?: AbortSignal,
): Promise<void> {
  const wanted = new Map<string, { hash: ContentHash; suffix: string; compressed: boolean }>();
  for (const e of entries) {
    if (e.kind !== 'file' || e.external) continue;
    if (e.chunks) {
      for (const c of e.chunks)
        wanted.set(hashToString(c.hash), { hash: c.hash, suffix: SUFFIX.partial, compressed: e.compressed });
    } else if (e.hash) {
      wanted.set(hashToString(e.hash), { hash: e.hash, suffix: SUFFIX.file, compressed: e.compressed });
    }
  }
  const missing = [...wanted.values()].filter((o) => !alien.has(o.hash));
  await Promise.all(
    missing.map((o) =>
      limit(async () => {
        signal?.throwIfAborted();
        const content = await repo.objects.content(o.hash, o.suffix as typeof SUFFIX.file, o.compressed);
        await alien.put(o.hash, content);
      }),
    ),
  );
}
