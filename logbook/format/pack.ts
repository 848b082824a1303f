/**
 * Packs: write-once files of many encoded blobs followed by a trailer that lists them, so an index can be
 * rebuilt from the packs alone. Layout: FORMAT.md §Packs.
 */
import { createHash } from 'node:crypto';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { VmlError } from '../../core/errors.js';

export type BlobType = 'data' | 'tree';

/** Where one blob lives inside its pack. */
export interface PackedBlob {
  readonly id: string;
  readonly type: BlobType;
  readonly offset: number;
  /** Stored (encoded) length. */
  readonly length: number;
  /** Plain length, so sizes are known without reading the blob. */
  readonly rawLength: number;
}

const MAGIC = new TextEncoder().encode('VMLPACK1');

/** Packs close at 16 MiB: few files for a backend to list, small enough to write and repack quickly. */
export const PACK_TARGET_SIZE = 16 * 1024 * 1024;

/** Accumulates encoded blobs into one pack. */
export class PackWriter {
  readonly #parts: Uint8Array[] = [];
  readonly #blobs: PackedBlob[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get count(): number {
    return this.#blobs.length;
  }

  add(id: string, type: BlobType, encoded: Uint8Array, rawLength: number): void {
    this.#parts.push(encoded);
    this.#blobs.push({ id, type, offset: this.#size, length: encoded.length, rawLength });
    this.#size += encoded.length;
  }

  /** The pack's bytes, its id (SHA-256 of the bytes) and its blob list. */
  finish(): { id: string; bytes: Uint8Array; blobs: PackedBlob[] } {
    const trailer = zstdCompressSync(Buffer.from(JSON.stringify(this.#blobs.map(toRow))));
    const tail = Buffer.alloc(4 + MAGIC.length);
    tail.writeUInt32LE(trailer.length, 0);
    tail.set(MAGIC, 4);
    const bytes = Buffer.concat([...this.#parts, trailer, tail]);
    const id = createHash('sha256').update(bytes).digest('hex');
    return { id, bytes, blobs: [...this.#blobs] };
  }
}

type Row = [string, BlobType, number, number, number];

function toRow(b: PackedBlob): Row {
  return [b.id, b.type, b.offset, b.length, b.rawLength];
}

/** Reads a pack's own blob list from its trailer (used by check and index rebuilds). */
export function readPackTrailer(bytes: Uint8Array, packId: string): PackedBlob[] {
  const damaged = (why: string, cause?: unknown) =>
    new VmlError('E_CORRUPT', `Pack ${packId.slice(0, 12)} is damaged: ${why}`, { cause });
  if (bytes.length < 4 + MAGIC.length) throw damaged('too short');
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!tail.subarray(tail.length - MAGIC.length).equals(MAGIC)) throw damaged('no pack trailer');
  const trailerLength = tail.readUInt32LE(tail.length - MAGIC.length - 4);
  const trailerStart = tail.length - MAGIC.length - 4 - trailerLength;
  if (trailerStart < 0) throw damaged('trailer length out of range');
  try {
    const rows = JSON.parse(
      zstdDecompressSync(tail.subarray(trailerStart, trailerStart + trailerLength)).toString(),
    ) as Row[];
    return rows.map(([id, type, offset, length, rawLength]) => ({ id, type, offset, length, rawLength }));
  } catch (cause) {
    throw damaged('unreadable trailer', cause);
  }
}
