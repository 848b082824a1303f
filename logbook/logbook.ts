/**
 * The logbook API: entries and their versions on top of a Backend. This module sees only the Backend
 * interface (STYLE.md §2.1); the format lives in logbook/format/ and is specified in FORMAT.md.
 */
import { VmlError } from '../core/errors.js';
import { type Backend, isBackendError } from './backend/backend.js';
import { BlobWriter, loadMasterIndex, readBlob } from './blob-store.js';
import { EncodePool } from './encode-pool.js';
import { decodeConfig, encodeConfig, type LogbookConfig, newConfig } from './format/config.js';
import type { MasterIndex } from './format/index-file.js';
import { decodeManifest, type Manifest } from './format/manifest.js';
import { decodeTree, type Tree, type TreeNode } from './format/tree.js';
import { acquireLock, type Lock, type LockRequest } from './locks.js';
import { resolveVersion } from './version-spec.js';
import { VersionWriter } from './version-writer.js';

/** A version as listed: its id (manifest hash) and manifest. */
export interface VersionRef {
  readonly id: string;
  readonly manifest: Manifest;
}

export interface OpenOptions {
  /** Told about damaged index or manifest files that were skipped. */
  readonly onDamaged?: (what: string, error: unknown) => void;
}

/**
 * Where a Logbook gets its versions, index and trees instead of reading them itself: a cache that outlives
 * one Logbook (the server's pages, logbook/server/view/namespace-cache.ts). Each Logbook asks it once for
 * versions and once for the index (again after forgetVersions or invalidate), as it would read them.
 */
export interface LogbookSource {
  /** Every readable version, in any order. */
  versions(): Promise<VersionRef[]>;
  /** The merged index. Read-only for a Logbook made from a source: it must not write blobs. */
  index(): Promise<MasterIndex>;
  /** Trees by id (content-addressed, so they never go stale); the source bounds its size. */
  readonly trees: Map<string, Tree>;
}

/** Oldest first per entry, entries by name: the order of Logbook.versions(). */
export function sortVersions(refs: VersionRef[]): VersionRef[] {
  return refs.sort(
    (a, b) => a.manifest.entry.localeCompare(b.manifest.entry) || a.manifest.seq - b.manifest.seq,
  );
}

export class Logbook {
  readonly backend: Backend;
  readonly config: LogbookConfig;
  readonly #onDamaged: (what: string, error: unknown) => void;
  #index: MasterIndex | undefined;
  #versions: Promise<VersionRef[]> | undefined;
  readonly #trees: Map<string, Tree>;
  readonly #source: LogbookSource | undefined;

  private constructor(backend: Backend, config: LogbookConfig, options: OpenOptions, source?: LogbookSource) {
    this.backend = backend;
    this.config = config;
    this.#onDamaged = options.onDamaged ?? (() => {});
    this.#source = source;
    this.#trees = source?.trees ?? new Map();
  }

  /** A logbook whose versions, index and trees come from `source` (a cache); `config` read before. */
  static fromSource(backend: Backend, config: LogbookConfig, source: LogbookSource): Logbook {
    return new Logbook(backend, config, {}, source);
  }

  /** Creates a logbook; refuses when the location already holds one. */
  static async init(backend: Backend, options: OpenOptions = {}): Promise<Logbook> {
    try {
      await backend.stat({ type: 'config', name: 'config' });
      throw new VmlError('E_USAGE', `A logbook already exists at "${backend.location}"`, {
        hint: 'Use it as it is, or choose another location',
      });
    } catch (error) {
      if (!isBackendError(error, 'NOT_FOUND')) throw error;
    }
    const config = newConfig();
    await backend.save({ type: 'config', name: 'config' }, encodeConfig(config));
    return new Logbook(backend, config, options);
  }

  /** Opens an existing logbook: E_NO_LOGBOOK when there is none, E_LOGBOOK_FOREIGN or E_LOGBOOK_NEWER. */
  static async open(backend: Backend, options: OpenOptions = {}): Promise<Logbook> {
    let bytes: Uint8Array;
    try {
      bytes = await backend.load({ type: 'config', name: 'config' });
    } catch (error) {
      if (!isBackendError(error, 'NOT_FOUND')) throw error;
      throw new VmlError(
        'E_NO_LOGBOOK',
        `Cannot open logbook "${backend.location}": there is no logbook there`,
        {
          hint: `Run "vml-agent init --logbook ${backend.location}" to create one, or check the location`,
        },
      );
    }
    return new Logbook(backend, decodeConfig(bytes, backend.location), options);
  }

  /** The merged index of all blobs, loaded once. */
  async index(): Promise<MasterIndex> {
    this.#index ??= this.#source
      ? await this.#source.index()
      : (await loadMasterIndex(this.backend, (name, e) => this.#onDamaged(`index ${name}`, e))).index;
    return this.#index;
  }

  /**
   * Every readable version of every entry, oldest first per entry; damaged manifests are reported (once) and
   * skipped. Read once per Logbook: resolve, history and a restore's safety backup share one listing.
   */
  async versions(): Promise<VersionRef[]> {
    if (!this.#versions) {
      const reading = this.#source ? this.#source.versions().then(sortVersions) : this.#readVersions();
      reading.catch(() => {
        if (this.#versions === reading) this.#versions = undefined;
      });
      this.#versions = reading;
    }
    return [...(await this.#versions)];
  }

  /** Drops the cached listing of versions (after one was added or removed). */
  forgetVersions(): void {
    this.#versions = undefined;
  }

  async #readVersions(): Promise<VersionRef[]> {
    const refs: VersionRef[] = [];
    for await (const info of this.backend.list('snapshots')) {
      try {
        const bytes = await this.backend.load({ type: 'snapshots', name: info.name });
        refs.push({ id: info.name, manifest: decodeManifest(bytes, info.name) });
      } catch (error) {
        if (isBackendError(error, 'NOT_FOUND')) continue;
        this.#onDamaged(`version ${info.name.slice(0, 8)}`, error);
      }
    }
    return sortVersions(refs);
  }

  /** Entry names with at least one version. */
  async entries(): Promise<string[]> {
    return [...new Set((await this.versions()).map((v) => v.manifest.entry))].sort();
  }

  /** One entry's versions, oldest first. */
  async history(entry: string): Promise<VersionRef[]> {
    return (await this.versions()).filter((v) => v.manifest.entry === entry);
  }

  /** Resolves `ENTRY@vN`, `ENTRY@<id prefix>`, `ENTRY@latest` or `ENTRY` (latest). */
  async resolve(spec: string): Promise<VersionRef> {
    return resolveVersion(spec, await this.versions());
  }

  /** Reads and verifies a blob. */
  async readBlob(id: string): Promise<Uint8Array> {
    return readBlob(this.backend, await this.index(), id);
  }

  /** Reads a tree, cached: restore and diff visit each tree more than once. */
  async readTree(id: string): Promise<Tree> {
    const cached = this.#trees.get(id);
    if (cached) return cached;
    const tree = decodeTree(await this.readBlob(id), id);
    this.#trees.set(id, tree);
    return tree;
  }

  /** The contents of a file node, chunk by chunk, verified; reads a few chunks ahead. */
  async *readFile(
    node: TreeNode,
    options: { signal?: AbortSignal | undefined } = {},
  ): AsyncIterable<Uint8Array> {
    const ids = node.content ?? [];
    const ahead: Promise<Uint8Array>[] = [];
    let next = 0;
    while (next < ids.length || ahead.length > 0) {
      while (ahead.length < 4 && next < ids.length) {
        const p = this.readBlob(ids[next++] as string);
        p.catch(() => {}); // awaited below; avoids an unhandled rejection while earlier chunks are consumed
        ahead.push(p);
      }
      options.signal?.throwIfAborted();
      yield await (ahead.shift() as Promise<Uint8Array>);
    }
  }

  /** The named attachment of a version (FORMAT.md §Manifests), verified; undefined if it has none. */
  async readAttachment(manifest: Manifest, name: string): Promise<Uint8Array | undefined> {
    if (typeof manifest.attachments !== 'string') return undefined;
    const node = (await this.readTree(manifest.attachments)).nodes.find((n) => n.name === name);
    if (node === undefined || node.type !== 'file') return undefined;
    const pieces: Uint8Array[] = [];
    for await (const piece of this.readFile(node)) pieces.push(piece);
    return Buffer.concat(pieces);
  }

  /** Takes a lock on the logbook (see locks.ts). */
  async lock(request: LockRequest): Promise<Lock> {
    return acquireLock(this.backend, request);
  }

  /** Starts a version of `entry` under a shared lock; nothing is visible until `commit()`. */
  async beginVersion(
    entry: string,
    options: { onStale?: (message: string) => void } = {},
  ): Promise<VersionWriter> {
    const lock = await this.lock({ exclusive: false, purpose: 'backup', entry, onStale: options.onStale });
    // Compression runs in worker threads for the life of the version (closed on commit or abort).
    const pool = new EncodePool();
    try {
      const writer = new BlobWriter(this.backend, await this.index(), (plain) => pool.encode(plain));
      return new VersionWriter(this, writer, entry, async () => {
        await pool.close();
        await lock.release();
      });
    } catch (error) {
      await pool.close();
      await lock.release();
      throw error;
    }
  }

  /** Forgets the cached index and trees (after another process changed the logbook). */
  invalidate(): void {
    this.#versions = undefined;
    this.#index = undefined;
    this.#trees.clear();
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}
