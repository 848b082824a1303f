/**
 * Index files map blob ids to packs. Each backup writes one when it commits; gc writes a consolidated one and
 * lists the files it supersedes. Layout: FORMAT.md §Index.
 */
import { createHash } from 'node:crypto';
import { VmlError } from '../../core/errors.js';
import { decodeBlob, encodeBlob } from './blob.js';
import type { BlobType, PackedBlob } from './pack.js';

export interface IndexPack {
  readonly id: string;
  readonly blobs: readonly PackedBlob[];
}

export interface IndexFile {
  readonly version: 1;
  readonly packs: readonly IndexPack[];
  /** Index files whose content this one includes; readers ignore those once this one is read. */
  readonly supersedes: readonly string[];
}

type Row = [string, BlobType, number, number, number];

/** Encodes an index file and returns it with its name (SHA-256 of the stored bytes). */
export async function encodeIndex(index: IndexFile): Promise<{ name: string; bytes: Uint8Array }> {
  const json = JSON.stringify({
    version: index.version,
    supersedes: index.supersedes,
    packs: index.packs.map((p) => ({
      id: p.id,
      blobs: p.blobs.map((b): Row => [b.id, b.type, b.offset, b.length, b.rawLength]),
    })),
  });
  const bytes = await encodeBlob(new TextEncoder().encode(json));
  return { name: createHash('sha256').update(bytes).digest('hex'), bytes };
}

/** Decodes and validates an index file. */
export function decodeIndex(bytes: Uint8Array, name: string): IndexFile {
  const what = `index ${name.slice(0, 12)}`;
  if (createHash('sha256').update(bytes).digest('hex') !== name) {
    throw new VmlError('E_CORRUPT', `The ${what} is damaged: its content does not match its name`, {
      hint: 'Run "vml-agent check" and then "vml-agent gc" to rebuild the index from the packs',
    });
  }
  const text = new TextDecoder().decode(decodeBlob(bytes, what));
  let parsed: { version: number; supersedes?: string[]; packs: { id: string; blobs: Row[] }[] } | null;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new VmlError('E_CORRUPT', `The ${what} is damaged: it is not JSON`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new VmlError('E_CORRUPT', `The ${what} is damaged: it is not a JSON object`);
  }
  if (parsed.version !== 1)
    throw new VmlError('E_LOGBOOK_NEWER', `The ${what} has unknown version ${parsed.version}`);
  if (!Array.isArray(parsed.packs)) {
    throw new VmlError('E_CORRUPT', `The ${what} is damaged: it has no pack list`);
  }
  return {
    version: 1,
    supersedes: parsed.supersedes ?? [],
    packs: parsed.packs.map((p) => ({
      id: p.id,
      blobs: p.blobs.map(([id, type, offset, length, rawLength]) => ({
        id,
        type,
        offset,
        length,
        rawLength,
      })),
    })),
  };
}

/** Where a blob can be read. */
export interface BlobLocation extends PackedBlob {
  readonly pack: string;
}

/** All index files of a logbook merged in memory: blob id to location. */
export class MasterIndex {
  readonly #blobs = new Map<string, BlobLocation>();
  readonly #packs = new Map<string, PackedBlob[]>();

  /** Adds one pack's blobs; a blob already known keeps its first location. */
  addPack(packId: string, blobs: readonly PackedBlob[]): void {
    const list = this.#packs.get(packId) ?? [];
    for (const b of blobs) {
      list.push(b);
      if (!this.#blobs.has(b.id)) this.#blobs.set(b.id, { ...b, pack: packId });
    }
    this.#packs.set(packId, list);
  }

  has(id: string): boolean {
    return this.#blobs.has(id);
  }

  lookup(id: string): BlobLocation | undefined {
    return this.#blobs.get(id);
  }

  get packs(): ReadonlyMap<string, readonly PackedBlob[]> {
    return this.#packs;
  }

  get blobCount(): number {
    return this.#blobs.size;
  }
}
