/**
 * FastCDC content-defined chunking with normalized chunking (Xia et al., "The Design of Fast Content-Defined
 * Chunking for Data Deduplication Based Storage Systems", 2020). Boundaries depend on content only, so an
 * insertion shifts only the chunks around it. Parameters and the reasons for them: FORMAT.md §Chunking.
 */
import { createHash } from 'node:crypto';

export interface ChunkerParams {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
}

/** 32 KiB / 128 KiB / 1 MiB: small enough that a rewritten region of a disk image drags in little unchanged data. */
export const DEFAULT_CHUNKER: ChunkerParams = { min: 32 * 1024, avg: 128 * 1024, max: 1024 * 1024 };

/** The gear table: 256 pseudo-random 32-bit values, derived from SHA-256 so every implementation agrees. */
// Int32Array, not Uint32Array: the rolling hash then stays in V8's fast 32-bit integer arithmetic (4× faster).
const GEAR: Int32Array = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    table[i] = createHash('sha256').update(`vml-gear-${i}`).digest().readInt32LE(0);
  }
  return table;
})();

/** A mask of the `bits` highest bits: bit 31 of the rolling hash depends on the last 32 bytes, bit 0 on one. */
function topBitsMask(bits: number): number {
  return bits <= 0 ? 0 : ((0xffffffff << (32 - bits)) >>> 0) | 0;
}

/** Validates parameters; the chunker stays correct only for min < avg < max and a power-of-two avg. */
export function checkChunkerParams(p: ChunkerParams): void {
  const bits = Math.log2(p.avg);
  if (!Number.isInteger(bits) || !(p.min > 0 && p.min < p.avg && p.avg < p.max) || bits < 8 || bits > 28) {
    throw new Error(`Invalid chunker parameters ${JSON.stringify(p)}`);
  }
}

/**
 * Length of the chunk that starts at `start` in `buf[start, end)`. Returns `end - start` when no boundary
 * was found within `max` bytes or the data ends first (the caller decides whether more data may follow).
 */
export function cutPoint(buf: Uint8Array, start: number, end: number, p: ChunkerParams): number {
  const n = end - start;
  if (n <= p.min) return n;
  const limit = Math.min(n, p.max);
  const normal = Math.min(limit, p.avg);
  const bits = Math.log2(p.avg);
  // Normalized chunking: a harder mask before the average size, an easier one after it.
  const maskS = topBitsMask(bits + 2);
  const maskL = topBitsMask(bits - 2);
  const gear = GEAR;
  let fp = 0;
  let i = start + p.min;
  const normalEnd = start + normal;
  const limitEnd = start + limit;
  for (; i < normalEnd; i++) {
    fp = ((fp << 1) + (gear[buf[i] as number] as number)) | 0;
    if ((fp & maskS) === 0) return i + 1 - start;
  }
  for (; i < limitEnd; i++) {
    fp = ((fp << 1) + (gear[buf[i] as number] as number)) | 0;
    if ((fp & maskL) === 0) return i + 1 - start;
  }
  return limit;
}

/** Streaming chunker: feed buffers of any size, get whole chunks back. */
export class Chunker {
  readonly #params: ChunkerParams;
  #pending: Uint8Array = new Uint8Array(0);

  constructor(params: ChunkerParams = DEFAULT_CHUNKER) {
    checkChunkerParams(params);
    this.#params = params;
  }

  /**
   * Returns the chunks completed by `data`. They are views into `data` (or into a private copy of the
   * bytes held back from the previous call), so they are valid as long as `data` is: a caller that reuses
   * its read buffer must consume them first. Bytes held back are copied.
   */
  push(data: Uint8Array): Uint8Array[] {
    const buf = this.#pending.length === 0 ? data : concat(this.#pending, data);
    const chunks: Uint8Array[] = [];
    let start = 0;
    // Only cut where a boundary is certain: with fewer than `max` bytes left, more data could move it.
    while (buf.length - start >= this.#params.max) {
      const len = cutPoint(buf, start, buf.length, this.#params);
      chunks.push(buf.subarray(start, start + len));
      start += len;
    }
    // A copy, not `buf.slice()`: on a Buffer (a caller's reused read buffer) slice() is a view.
    this.#pending = new Uint8Array(buf.subarray(start));
    return chunks;
  }

  /** Cuts what is left at the end of the stream. */
  finish(): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    const buf = this.#pending;
    let start = 0;
    while (start < buf.length) {
      const len = cutPoint(buf, start, buf.length, this.#params);
      chunks.push(buf.subarray(start, start + len));
      start += len;
    }
    this.#pending = new Uint8Array(0);
    return chunks;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
