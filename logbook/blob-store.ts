/**
 * Reads blobs through the master index, and writes new blobs into packs. Every blob read is re-hashed, so
 * damage is an error, never wrong data.
 */
import { createHash } from 'node:crypto';
import { VmlError } from '../core/errors.js';
import { type Backend, isBackendError } from './backend/backend.js';
import { decodeBlob, encodeBlob } from './format/blob.js';
import { decodeIndex, encodeIndex, type IndexPack, MasterIndex } from './format/index-file.js';
import { type BlobType, PACK_TARGET_SIZE, PackWriter } from './format/pack.js';

/** Loads every index file, skipping the ones a newer index supersedes. Damaged ones are reported, not fatal. */
export async function loadMasterIndex(
  backend: Backend,
  onDamaged: (name: string, error: unknown) => void = () => {},
): Promise<{ index: MasterIndex; files: string[] }> {
  const decoded: NamedIndexFile[] = [];
  for await (const info of backend.list('index')) {
    try {
      const bytes = await backend.load({ type: 'index', name: info.name });
      decoded.push({ name: info.name, ...decodeIndex(bytes, info.name) });
    } catch (error) {
      if (isBackendError(error, 'NOT_FOUND')) continue; // removed by a concurrent gc after listing
      onDamaged(info.name, error);
    }
  }
  return mergeIndexFiles(decoded);
}

/** An index file as read: its name (hash), its packs and the older index files it replaces. */
export interface NamedIndexFile {
  readonly name: string;
  readonly packs: readonly IndexPack[];
  readonly supersedes: readonly string[];
}

/** The master index of decoded index files, without the ones a newer one supersedes. */
export function mergeIndexFiles(decoded: readonly NamedIndexFile[]): { index: MasterIndex; files: string[] } {
  const superseded = new Set(decoded.flatMap((d) => d.supersedes));
  const index = new MasterIndex();
  const files: string[] = [];
  for (const d of decoded) {
    if (superseded.has(d.name)) continue;
    files.push(d.name);
    for (const p of d.packs) index.addPack(p.id, p.blobs);
  }
  return { index, files };
}

/** Reads and verifies one blob. */
export async function readBlob(backend: Backend, index: MasterIndex, id: string): Promise<Uint8Array> {
  const loc = index.lookup(id);
  if (!loc) {
    throw new VmlError('E_CORRUPT', `Blob ${id.slice(0, 12)} is missing from the logbook index`, {
      hint: 'Run "vml-agent check" to see which versions are affected',
    });
  }
  let stored: Uint8Array;
  try {
    stored = await backend.load({ type: 'data', name: loc.pack }, { offset: loc.offset, length: loc.length });
  } catch (cause) {
    if (isBackendError(cause, 'NOT_FOUND') || isBackendError(cause, 'RANGE')) {
      throw new VmlError(
        'E_CORRUPT',
        `Pack ${loc.pack.slice(0, 12)} holding blob ${id.slice(0, 12)} is missing or truncated`,
        {
          hint: 'Run "vml-agent check" to see which versions are affected',
          cause,
        },
      );
    }
    throw cause;
  }
  const plain = decodeBlob(stored, `blob ${id.slice(0, 12)}`);
  if (createHash('sha256').update(plain).digest('hex') !== id) {
    throw new VmlError(
      'E_CORRUPT',
      `Blob ${id.slice(0, 12)} in pack ${loc.pack.slice(0, 12)} is damaged: its hash does not match`,
      {
        hint: 'Run "vml-agent check --read-data" to see which versions and files are affected',
      },
    );
  }
  return plain;
}

export interface BlobWriterStats {
  blobsAdded: number;
  bytesAdded: number;
}

/**
 * Adds blobs that the logbook does not have yet. Compression runs concurrently (bounded); full packs are
 * saved as they fill. Nothing is visible to readers until `flush()` writes the index file.
 */
export class BlobWriter {
  readonly #backend: Backend;
  readonly #known: MasterIndex;
  readonly #pending = new Set<string>();
  readonly #written: IndexPack[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #saves = new Set<Promise<void>>();
  #inFlightBytes = 0;
  #wakers: (() => void)[] = [];
  #pack = new PackWriter();
  #failure: unknown;
  readonly stats: BlobWriterStats = { blobsAdded: 0, bytesAdded: 0 };

  readonly #encode: (plain: Uint8Array) => Promise<Uint8Array>;

  /** `encode` may take over `plain` (an encode pool transfers it to a worker). */
  constructor(
    backend: Backend,
    known: MasterIndex,
    encode: (plain: Uint8Array) => Promise<Uint8Array> = encodeBlob,
  ) {
    this.#backend = backend;
    this.#known = known;
    this.#encode = encode;
  }

  /** Whether the logbook or this writer already has the blob. */
  has(id: string): boolean {
    return this.#known.has(id) || this.#pending.has(id);
  }

  /** Adds a blob by id; returns once the writer has room for more (back-pressure), not when it is stored. */
  async add(id: string, type: BlobType, plain: Uint8Array): Promise<void> {
    this.#throwIfFailed();
    if (this.has(id)) return;
    this.#pending.add(id);
    const rawLength = plain.length; // read before `encode` may transfer the bytes away
    const job = this.#encode(plain)
      .then((encoded) => this.#append(id, type, encoded, rawLength))
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
    this.#inFlight.add(job);
    this.#inFlightBytes += rawLength;
    void job.finally(() => {
      this.#inFlight.delete(job);
      this.#inFlightBytes -= rawLength;
      this.#wake();
    });
    // Up to 8 MiB (or 512 blobs) being compressed keeps the encode workers fed with full batches while
    // bounding memory; two pack saves at once keep the disk busy.
    while (this.#inFlightBytes >= 8 * 1024 * 1024 || this.#inFlight.size >= 512 || this.#saves.size >= 2) {
      await new Promise<void>((resolve) => this.#wakers.push(resolve));
    }
    this.#throwIfFailed();
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const w of wakers) w();
  }

  /** Waits for compressions and pack saves under way, ignoring their errors (after a failure, before exit). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inFlight, ...this.#saves]);
  }

  /** Saves the last pack and writes one index file for everything added. Returns the index name, if any. */
  async flush(): Promise<string | undefined> {
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
    if (this.#pack.count > 0) this.#savePack();
    await Promise.all(this.#saves);
    this.#throwIfFailed();
    if (this.#written.length === 0) return undefined;
    const { name, bytes } = await encodeIndex({ version: 1, packs: this.#written, supersedes: [] });
    await this.#backend.save({ type: 'index', name }, bytes);
    for (const p of this.#written) this.#known.addPack(p.id, p.blobs);
    this.#written.length = 0;
    this.#pending.clear();
    return name;
  }

  #append(id: string, type: BlobType, encoded: Uint8Array, rawLength: number): void {
    this.#pack.add(id, type, encoded, rawLength);
    this.stats.blobsAdded++;
    this.stats.bytesAdded += encoded.length;
    if (this.#pack.size >= PACK_TARGET_SIZE) this.#savePack();
  }

  #savePack(): void {
    const { id, bytes, blobs } = this.#pack.finish();
    this.#pack = new PackWriter();
    const save = this.#backend
      .save({ type: 'data', name: id }, bytes)
      .then(() => {
        this.#written.push({ id, blobs });
      })
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
    this.#saves.add(save);
    void save.finally(() => {
      this.#saves.delete(save);
      this.#wake();
    });
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
