/**
 * Writes one version: blobs first (packs, then an index file), the manifest last, so a crash at any point
 * leaves a valid logbook in which the version simply does not exist.
 */
import { createHash } from 'node:crypto';
import type { BlobWriter } from './blob-store.js';
import { encodeManifest, MANIFEST_FORMAT, type Manifest, type VersionStats } from './format/manifest.js';
import { encodeTree, type Tree, type TreeNode } from './format/tree.js';
import type { Logbook } from './logbook.js';

/** The manifest fields a caller provides; format, entry, seq and the write stats are filled in here. */
export type VersionFields = Omit<Manifest, 'format' | 'entry' | 'seq' | 'stats'> & {
  readonly stats: Omit<VersionStats, 'blobsAdded' | 'bytesAdded'>;
};

const ATTACHMENT_PIECE = 1024 * 1024;

export class VersionWriter {
  readonly logbook: Logbook;
  readonly entry: string;
  readonly #blobs: BlobWriter;
  readonly #release: () => Promise<void>;
  #done = false;

  /** `release` frees what the version held (its lock, its encode workers); called once, on commit or abort. */
  constructor(logbook: Logbook, blobs: BlobWriter, entry: string, release: () => Promise<void>) {
    this.logbook = logbook;
    this.#blobs = blobs;
    this.entry = entry;
    this.#release = release;
  }

  /** Bytes and blobs this version added so far. */
  get added(): { readonly blobs: number; readonly bytes: number } {
    return { blobs: this.#blobs.stats.blobsAdded, bytes: this.#blobs.stats.bytesAdded };
  }

  /**
   * Stores one chunk of file data (deduplicated) and returns its id. The bytes are hashed and, when new,
   * copied before the first await, so the caller may reuse its buffer once this returns a promise.
   * (Hashing on the thread pool through WebCrypto was measured slower: the pool is busy compressing.)
   */
  async addChunk(plain: Uint8Array): Promise<string> {
    const id = createHash('sha256').update(plain).digest('hex');
    // `new Uint8Array(view)` copies; `plain.slice()` would not when plain is a Buffer.
    if (!this.#blobs.has(id)) await this.#blobs.add(id, 'data', new Uint8Array(plain));
    return id;
  }

  /** Stores a chunk whose id the caller computed (a chunking worker); `bytes` must not change afterwards. */
  async addHashedChunk(id: string, bytes: Uint8Array): Promise<void> {
    if (!this.#blobs.has(id)) await this.#blobs.add(id, 'data', bytes);
  }

  /** Stores a tree and returns its id. */
  async addTree(tree: Tree): Promise<string> {
    const bytes = encodeTree(tree);
    const id = createHash('sha256').update(bytes).digest('hex');
    await this.#blobs.add(id, 'tree', bytes);
    return id;
  }

  /**
   * Stores named attachments (FORMAT.md §Manifests, `attachments`) as one tree of plain files and returns
   * its id for the manifest. Names are single path components, like tree names.
   */
  async addAttachments(files: ReadonlyMap<string, Uint8Array>): Promise<string> {
    const nodes: TreeNode[] = [];
    for (const [name, bytes] of files) {
      const content: string[] = [];
      // Attachments are small and written once: fixed pieces are enough, no content-defined chunking.
      for (let at = 0; at < bytes.length; at += ATTACHMENT_PIECE) {
        content.push(await this.addChunk(bytes.subarray(at, at + ATTACHMENT_PIECE)));
      }
      nodes.push({
        name,
        type: 'file',
        mode: 0o600,
        uid: 0,
        gid: 0,
        mtime: '0',
        size: bytes.length,
        content,
      });
    }
    return this.addTree({ nodes });
  }

  /** Makes the version durable and visible: index first, manifest last. Releases the lock. */
  async commit(fields: VersionFields): Promise<{ id: string; manifest: Manifest }> {
    try {
      await this.#blobs.flush();
      // The entry lock keeps other backups of this entry out, so the next number is ours.
      this.logbook.forgetVersions(); // a fresh listing, taken under the entry lock
      const history = await this.logbook.history(this.entry);
      const seq = Math.max(0, ...history.map((v) => v.manifest.seq)) + 1;
      const manifest: Manifest = {
        format: MANIFEST_FORMAT,
        entry: this.entry,
        seq,
        ...fields,
        stats: {
          ...fields.stats,
          blobsAdded: this.#blobs.stats.blobsAdded,
          bytesAdded: this.#blobs.stats.bytesAdded,
        },
      };
      const { id, bytes } = encodeManifest(manifest);
      await this.logbook.backend.save({ type: 'snapshots', name: id }, bytes);
      this.logbook.forgetVersions();
      return { id, manifest };
    } catch (error) {
      await this.#blobs.settle();
      throw error;
    } finally {
      await this.#finish();
    }
  }

  /** Gives up: what was written stays as unreferenced data for gc. */
  async abort(): Promise<void> {
    // Let saves under way end (and remove their temp files) before the workers and the lock go.
    await this.#blobs.settle();
    await this.#finish();
  }

  async #finish(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#release();
  }
}
