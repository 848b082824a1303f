/**
 * An in-memory backend for tests (kopia's blobtesting map storage). Same contract as `dir`: it passes the
 * suite in test/contract/backend-suite.ts.
 */
import {
  type Backend,
  BackendError,
  describeHandle,
  type FileInfo,
  type FileType,
  type Handle,
  type IoOptions,
  type LoadOptions,
} from './backend.js';
import { checkHandle, checkRange } from './dir.js';

/** Options of MemoryBackend. */
export interface MemoryBackendOptions {
  /** Clock for `mtimeMs`, so gc tests can move time forward; defaults to `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  readonly data: Uint8Array;
  readonly mtimeMs: number;
}

/** Files in a Map. Data is copied on save and on load, so callers can never alias stored bytes. */
export class MemoryBackend implements Backend {
  readonly location = 'memory:';
  readonly properties = { connections: 8, atomicReplace: true } as const;
  readonly #files = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(options: MemoryBackendOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Number of stored files, for assertions in tests. */
  get size(): number {
    return this.#files.size;
  }

  async save(h: Handle, data: Uint8Array, options?: IoOptions): Promise<void> {
    checkHandle(h);
    // Copied before the first await: the caller may reuse its buffer as soon as save() returns a promise.
    const copy = data.slice();
    await tick(options);
    this.#files.set(key(h), { data: copy, mtimeMs: this.#now() });
  }

  async load(h: Handle, options?: LoadOptions): Promise<Uint8Array> {
    const { data } = await this.#get(h, options);
    const [offset, length] = checkRange(options, data.byteLength, describeHandle(h));
    return data.slice(offset, offset + length);
  }

  async stat(h: Handle, options?: IoOptions): Promise<FileInfo> {
    const { data, mtimeMs } = await this.#get(h, options);
    return { type: h.type, name: h.name, size: data.byteLength, mtimeMs };
  }

  async *list(type: FileType, options?: IoOptions): AsyncIterable<FileInfo> {
    await tick(options);
    // A snapshot, so saves and removes during the iteration do not disturb it (like readdir).
    const prefix = `${type}/`;
    const found: FileInfo[] = [];
    for (const [k, { data, mtimeMs }] of this.#files) {
      if (k.startsWith(prefix))
        found.push({ type, name: k.slice(prefix.length), size: data.byteLength, mtimeMs });
    }
    for (const info of found) {
      options?.signal?.throwIfAborted();
      yield info;
    }
  }

  async remove(h: Handle, options?: IoOptions): Promise<void> {
    checkHandle(h);
    await tick(options);
    this.#files.delete(key(h));
  }

  async close(): Promise<void> {}

  async #get(h: Handle, options: IoOptions | undefined): Promise<Entry> {
    checkHandle(h);
    await tick(options);
    const entry = this.#files.get(key(h));
    if (entry === undefined)
      throw new BackendError('NOT_FOUND', `File "${describeHandle(h)}" does not exist`);
    return entry;
  }
}

function key(h: Handle): string {
  return `${h.type}/${h.name}`;
}

// Yields to the event loop so tests cannot come to rely on synchronous completion, then honours the signal.
async function tick(options: IoOptions | undefined): Promise<void> {
  options?.signal?.throwIfAborted();
  await Promise.resolve();
  options?.signal?.throwIfAborted();
}
