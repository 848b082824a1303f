/**
 * Open handles of a dir: logbook's packs. Packs are write-once, so a handle stays valid: a restore reading
 * 30,000 small blobs opens each pack once instead of once per blob. At most OPEN_PACKS stay open, least
 * recently used first out; a handle in use is closed when its last reader is done.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { isBackendError } from './backend.js';

const OPEN_PACKS = 16;

interface OpenPack {
  readonly opening: Promise<{ file: FileHandle; size: number }>;
  users: number;
  dropped: boolean;
}

export class OpenPacks {
  readonly #packs = new Map<string, OpenPack>();

  /**
   * Reads from the pack at `path` with `read(file, size)`. Any failure other than NOT_FOUND drops the handle
   * and answers with `fresh()` instead, so a pack damaged (say truncated) since it was opened is seen as it
   * is now.
   */
  async read<T>(
    path: string,
    read: (file: FileHandle, size: number) => Promise<T>,
    fresh: () => Promise<T>,
  ): Promise<T> {
    const entry = this.#get(path);
    entry.users++;
    try {
      const { file, size } = await entry.opening;
      return await read(file, size);
    } catch (error) {
      if (isBackendError(error, 'NOT_FOUND')) throw error;
      this.drop(path);
      return fresh();
    } finally {
      entry.users--;
      if (entry.dropped && entry.users === 0) void close(entry);
    }
  }

  /** Forgets the handle of `path` (the file was removed). */
  drop(path: string): void {
    const entry = this.#packs.get(path);
    if (!entry) return;
    this.#packs.delete(path);
    entry.dropped = true;
    if (entry.users === 0) void close(entry);
  }

  dropAll(): void {
    for (const path of [...this.#packs.keys()]) this.drop(path);
  }

  #get(path: string): OpenPack {
    const known = this.#packs.get(path);
    if (known) {
      // Most recently used last: a Map keeps insertion order.
      this.#packs.delete(path);
      this.#packs.set(path, known);
      return known;
    }
    const opening = open(path, 'r').then(async (file) => ({ file, size: (await file.stat()).size }));
    const entry: OpenPack = { opening, users: 0, dropped: false };
    opening.catch(() => this.#packs.delete(path));
    this.#packs.set(path, entry);
    for (const old of this.#packs.keys()) {
      if (this.#packs.size <= OPEN_PACKS) break;
      this.drop(old);
    }
    return entry;
  }
}

async function close(entry: OpenPack): Promise<void> {
  try {
    await (await entry.opening).file.close();
  } catch {
    // It never opened, or is closed already: nothing to release.
  }
}
