/**
 * What the web pages keep between requests of one namespace, so a page on a namespace of hundreds of versions
 * does not read every manifest and index file again (docs/server.md, "Figures").
 *
 * Correct across several servers sharing storage without any message between them: each request lists the
 * namespace's `snapshots` once (and its `index` once, only if the page reads a blob), and only what that
 * listing names is used. Manifests, index files and trees are named by the SHA-256 of their content and
 * written once, so a cached one is never stale: a version added through another server is read at the next
 * request, one deleted is dropped from the cache at the next request. A TTL would save those listings but let
 * a deleted version show for the TTL; a listing of a few hundred names costs about a millisecond on dir:.
 */
import { isVmlError } from '../../../core/errors.js';
import type { Backend } from '../../backend/backend.js';
import { mergeIndexFiles, type NamedIndexFile } from '../../blob-store.js';
import type { LogbookConfig } from '../../format/config.js';
import { decodeIndex, type MasterIndex } from '../../format/index-file.js';
import { decodeManifest } from '../../format/manifest.js';
import type { Tree } from '../../format/tree.js';
import { Logbook, type LogbookSource, type VersionRef } from '../../logbook.js';
import type { Storage } from '../storage.js';

/** How many namespaces are kept (least recently used go first), and trees per namespace. */
const MAX_NAMESPACES = 64;
const MAX_TREES = 2048;

/** Logbooks of namespaces for the pages, each made for one request, sharing what does not change. */
export class NamespaceCache {
  readonly #storage: Storage;
  readonly #namespaces = new Map<string, CachedNamespace>();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /**
   * The logbook of `namespace` for one request (its versions listed at first use), or undefined when nothing
   * was ever stored there. Read-only: pages may remove versions through it, never write blobs.
   */
  async open(namespace: string): Promise<Logbook | undefined> {
    let cached = this.#namespaces.get(namespace);
    if (cached) {
      this.#namespaces.delete(namespace); // re-inserted below: the Map's order is the LRU order
    } else {
      const backend = await this.#storage.namespace(namespace);
      const config = await readConfig(backend);
      if (config === undefined) return undefined;
      cached = new CachedNamespace(backend, config);
    }
    this.#namespaces.set(namespace, cached);
    for (const oldest of this.#namespaces.keys()) {
      if (this.#namespaces.size <= MAX_NAMESPACES) break;
      this.#namespaces.delete(oldest);
    }
    return Logbook.fromSource(cached.backend, cached.config, cached.source());
  }
}

/** The config of a namespace's logbook; undefined when there is none (the same test as Logbook.open). */
async function readConfig(backend: Backend): Promise<LogbookConfig | undefined> {
  try {
    return (await Logbook.open(backend)).config;
  } catch (error) {
    if (isVmlError(error) && error.code === 'E_NO_LOGBOOK') return undefined;
    throw error;
  }
}

class CachedNamespace {
  readonly backend: Backend;
  readonly config: LogbookConfig;
  /** Manifest id → the version, or undefined for one that could not be read (tried again next time). */
  readonly #manifests = new Map<string, Promise<VersionRef | undefined>>();
  readonly #indexFiles = new Map<string, Promise<NamedIndexFile | undefined>>();
  /** The index merged from exactly the index files named by `key`. */
  #merged: { key: string; index: MasterIndex } | undefined;
  readonly #trees = new BoundedMap<string, Tree>(MAX_TREES);

  constructor(backend: Backend, config: LogbookConfig) {
    this.backend = backend;
    this.config = config;
  }

  source(): LogbookSource {
    return { versions: () => this.#versions(), index: () => this.#index(), trees: this.#trees };
  }

  async #versions(): Promise<VersionRef[]> {
    const names = await listNames(this.backend, 'snapshots');
    forgetAllBut(this.#manifests, names);
    const refs = await Promise.all(names.map((name) => this.#manifest(name)));
    return refs.filter((ref) => ref !== undefined);
  }

  #manifest(name: string): Promise<VersionRef | undefined> {
    let reading = this.#manifests.get(name);
    if (!reading) {
      reading = this.backend.load({ type: 'snapshots', name }).then(
        (bytes) => ({ id: name, manifest: decodeManifest(bytes, name) }),
        // Removed since the listing (NOT_FOUND) or damaged: skipped now, as Logbook.versions() does, and
        // read again at the next request.
        () => {
          this.#manifests.delete(name);
          return undefined;
        },
      );
      this.#manifests.set(name, reading);
    }
    return reading;
  }

  async #index(): Promise<MasterIndex> {
    const names = await listNames(this.backend, 'index');
    const key = names.sort().join(',');
    if (this.#merged?.key === key) return this.#merged.index;
    forgetAllBut(this.#indexFiles, names);
    const files = await Promise.all(names.map((name) => this.#indexFile(name)));
    const { index } = mergeIndexFiles(files.filter((file) => file !== undefined));
    // Not kept when an index file could not be read: the next request tries again.
    if (files.every((file) => file !== undefined)) this.#merged = { key, index };
    return index;
  }

  #indexFile(name: string): Promise<NamedIndexFile | undefined> {
    let reading = this.#indexFiles.get(name);
    if (!reading) {
      reading = this.backend.load({ type: 'index', name }).then(
        (bytes) => ({ name, ...decodeIndex(bytes, name) }),
        // Removed by gc since the listing, or damaged: skipped, as loadMasterIndex does, and read again
        // at the next request.
        () => {
          this.#indexFiles.delete(name);
          return undefined;
        },
      );
      this.#indexFiles.set(name, reading);
    }
    return reading;
  }
}

async function listNames(backend: Backend, type: 'snapshots' | 'index'): Promise<string[]> {
  const names: string[] = [];
  for await (const info of backend.list(type)) names.push(info.name);
  return names;
}

/** Drops the entries of `map` that `names` does not list (removed files). */
function forgetAllBut<V>(map: Map<string, V>, names: readonly string[]): void {
  const keep = new Set(names);
  for (const name of map.keys()) if (!keep.has(name)) map.delete(name);
}

/** A Map that forgets its oldest entries beyond `limit`. */
class BoundedMap<K, V> extends Map<K, V> {
  readonly #limit: number;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    for (const oldest of this.keys()) {
      if (this.size <= this.#limit) break;
      this.delete(oldest);
    }
    return this;
  }
}
