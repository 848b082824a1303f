/**
 * Content-addressed objects under `data/`: fetched (or read from the local object cache), verified against
 * their hash over the stored (compressed) bytes before anything else touches them, then inflated.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { inflate as inflateCb } from 'node:zlib';
import { explainFsError, VmlError } from '../../../core/errors.js';
import { type ContentHash, hashMatches, hashToString, type ObjectSuffix, objectPath } from './hash.js';
import type { HttpFetcher } from './http.js';

const inflateAsync = promisify(inflateCb);

export interface ObjectStoreOptions {
  readonly http: HttpFetcher;
  readonly fqrn: string;
  /** Directory of the local object cache (same layout as the server's data/); none: no cache. */
  readonly cacheDir?: string | undefined;
  /** Which object kinds go into the cache (default: catalogs, history, certificates, meta-info). */
  readonly cacheSuffixes?: readonly ObjectSuffix[];
}

/** Counters: objects that came over the network and from the cache. */
export interface ObjectStats {
  fetched: number;
  fetchedBytes: number;
  cached: number;
}

/** Verified object access. Every method throws E_CORRUPT rather than return bytes that fail their hash. */
export class ObjectStore {
  readonly stats: ObjectStats = { fetched: 0, fetchedBytes: 0, cached: 0 };
  /** Receives every object's content once verified and inflated (preload's alien cache). */
  sink: ((hash: ContentHash, content: Buffer) => Promise<void>) | undefined;
  private readonly cacheSuffixes: ReadonlySet<string>;

  constructor(private readonly options: ObjectStoreOptions) {
    this.cacheSuffixes = new Set(options.cacheSuffixes ?? ['C', 'H', 'X', 'M']);
  }

  /** The stored (compressed) bytes of an object, verified. */
  async raw(hash: ContentHash, suffix: ObjectSuffix): Promise<Uint8Array> {
    const path = objectPath(hash, suffix);
    const useCache = this.options.cacheDir !== undefined && this.cacheSuffixes.has(suffix);
    const cachePath = useCache ? join(this.options.cacheDir as string, path) : undefined;
    if (cachePath) {
      const cached = await readFile(cachePath).catch(() => undefined);
      // A damaged cache entry is not an error: it is fetched again and replaced.
      if (cached && hashMatches(hash, cached)) {
        this.stats.cached++;
        return cached;
      }
    }
    const body = await this.options.http.get(path, (data) =>
      hashMatches(hash, data)
        ? undefined
        : `the object's content does not match its hash ${hashToString(hash)}`,
    );
    this.stats.fetched++;
    this.stats.fetchedBytes += body.length;
    if (cachePath) await storeAtomically(cachePath, body);
    return body;
  }

  /** The object's content: verified, then inflated (catalog objects and file data are zlib streams). */
  async content(hash: ContentHash, suffix: ObjectSuffix, compressed = true): Promise<Buffer> {
    const raw = await this.raw(hash, suffix);
    const content = compressed
      ? await inflate(raw, `${objectPath(hash, suffix)} of "${this.options.fqrn}"`)
      : Buffer.from(raw);
    await this.sink?.(hash, content);
    return content;
  }
}

/** Inflates a zlib stream; a broken stream (whose hash matched) is E_CORRUPT naming `what`. */
export async function inflate(data: Uint8Array, what: string): Promise<Buffer> {
  try {
    return await inflateAsync(data);
  } catch (cause) {
    throw new VmlError('E_CORRUPT', `Cannot inflate ${what}: ${(cause as Error).message}`, {
      hint: 'The object is not a zlib stream although its hash matches; report it to the repository maintainers',
      cause,
    });
  }
}

async function storeAtomically(path: string, data: Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    throw explainFsError(error, path);
  }
}
