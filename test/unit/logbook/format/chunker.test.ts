import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Chunker,
  type ChunkerParams,
  checkChunkerParams,
  cutPoint,
  DEFAULT_CHUNKER,
} from '../../../../logbook/format/chunker.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const { min, avg, max } = DEFAULT_CHUNKER;

/** Chunks `data` in one push. */
function chunkAll(data: Uint8Array, params: ChunkerParams = DEFAULT_CHUNKER): Uint8Array[] {
  const chunker = new Chunker(params);
  return [...chunker.push(data), ...chunker.finish()];
}

/** Chunks `data` pushed in pieces of the given sizes (repeated until the data ends). */
function chunkInPieces(data: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunker = new Chunker();
  const chunks: Uint8Array[] = [];
  for (let pos = 0, i = 0; pos < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(...chunker.push(data.subarray(pos, pos + size)));
    pos += size;
  }
  return [...chunks, ...chunker.finish()];
}

const lengths = (chunks: readonly Uint8Array[]): number[] => chunks.map((c) => c.length);
/** Where each chunk ends, as an offset into the input. */
function endsOf(chunks: readonly Uint8Array[]): number[] {
  const ends: number[] = [];
  let end = 0;
  for (const c of chunks) {
    end += c.length;
    ends.push(end);
  }
  return ends;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * FastCDC as FORMAT.md §Chunking words it, written independently of chunker.ts: if the two disagree, either
 * the spec or the code is wrong, and an independent reader built from the spec would cut differently.
 */
function referenceCuts(data: Uint8Array, p: ChunkerParams): number[] {
  const gear: number[] = [];
  for (let i = 0; i < 256; i++)
    gear.push(createHash('sha256').update(`vml-gear-${i}`).digest().readUInt32LE(0));
  const bits = Math.log2(p.avg);
  const top = (n: number): bigint => ((1n << BigInt(n)) - 1n) << BigInt(32 - n);
  const maskS = top(bits + 2);
  const maskL = top(bits - 2);
  const cuts: number[] = [];
  let start = 0;
  while (start < data.length) {
    const n = data.length - start;
    let len = Math.min(n, p.max);
    if (n > p.min) {
      let fp = 0n;
      for (let i = p.min; i < Math.min(n, p.max); i++) {
        fp = ((fp << 1n) + BigInt(gear[data[start + i] as number] as number)) & 0xffffffffn;
        const mask = i < Math.min(n, p.avg) ? maskS : maskL;
        if ((fp & mask) === 0n) {
          len = i + 1;
          break;
        }
      }
    } else len = n;
    start += len;
    cuts.push(start);
  }
  return cuts;
}

describe('Chunker', () => {
  it('cuts the same data at the same places every time', () => {
    const data = randomBytes(4 * MiB);
    expect(lengths(chunkAll(data))).toEqual(lengths(chunkAll(Buffer.from(data))));
  });

  it('cuts exactly where the algorithm in FORMAT.md says', () => {
    // Small parameters so the BigInt reference stays fast and many boundaries are compared.
    const small: ChunkerParams = { min: 256, avg: 1024, max: 8192 };
    const data = randomBytes(512 * KiB);
    const cuts = endsOf(chunkAll(data, small));
    expect(cuts.length).toBeGreaterThan(100);
    expect(cuts).toEqual(referenceCuts(data, small));
  });

  it('cuts the default parameters where the reference does too', () => {
    const data = randomBytes(3 * MiB);
    expect(endsOf(chunkAll(data))).toEqual(referenceCuts(data, DEFAULT_CHUNKER));
  });

  it('returns chunks that concatenate to the input', () => {
    const data = randomBytes(5 * MiB + 123);
    expect(Buffer.concat(chunkAll(data)).equals(data)).toBe(true);
  });

  it('keeps every chunk but the last between min and max', () => {
    const sizes = lengths(chunkAll(randomBytes(16 * MiB + 17)));
    for (const size of sizes.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(min);
      expect(size).toBeLessThanOrEqual(max);
    }
    expect(sizes.at(-1)).toBeLessThanOrEqual(max);
  });

  it('cuts data without any boundary at exactly max', () => {
    // Zeros never satisfy the mask, so only the max rule cuts: that is how zeroed disk regions dedup.
    expect(lengths(chunkAll(new Uint8Array(3 * max + 5)))).toEqual([max, max, max, 5]);
  });

  it('makes chunks of about the average size on random data', () => {
    const data = randomBytes(32 * MiB);
    const mean = data.length / chunkAll(data).length;
    // Normalized chunking with a min of avg/4 lands a little above avg (about 1.1×).
    expect(mean).toBeGreaterThan(0.75 * avg);
    expect(mean).toBeLessThan(1.5 * avg);
  });

  it('keeps most chunks after a few bytes are inserted in the middle', () => {
    const data = randomBytes(8 * MiB);
    const edited = Buffer.concat([data.subarray(0, 4 * MiB), Buffer.from('vml!!'), data.subarray(4 * MiB)]);
    const before = new Set(chunkAll(data).map(sha256));
    const after = chunkAll(edited).map(sha256);
    const shared = after.filter((id) => before.has(id)).length;
    expect(shared / before.size).toBeGreaterThan(0.9);
    expect(shared).toBeLessThan(before.size); // the edit did change something
  });

  it('finds the same boundaries whatever the sizes of the pushed pieces', () => {
    const data = randomBytes(6 * MiB + 1);
    const whole = lengths(chunkAll(data));
    expect(lengths(chunkInPieces(data, [4096]))).toEqual(whole);
    expect(lengths(chunkInPieces(data, [1, 77_777, 3 * MiB, 100, max - 1, max + 1]))).toEqual(whole);
    expect(lengths(chunkInPieces(data, [data.length]))).toEqual(whole);
  });

  it('returns no chunks for empty input', () => {
    const chunker = new Chunker();
    expect(chunker.push(new Uint8Array(0))).toEqual([]);
    expect(chunker.finish()).toEqual([]);
  });

  it('returns input shorter than min as one chunk', () => {
    expect(lengths(chunkAll(randomBytes(1000)))).toEqual([1000]);
  });

  it('can be used again after finish()', () => {
    const data = randomBytes(2 * MiB);
    const chunker = new Chunker();
    const first = [...chunker.push(data), ...chunker.finish()];
    const second = [...chunker.push(data), ...chunker.finish()];
    expect(lengths(second)).toEqual(lengths(first));
  });

  it('refuses parameters it cannot chunk correctly with', () => {
    expect(() => checkChunkerParams({ min: 1024, avg: 3000, max: 8192 })).toThrow(/Invalid chunker/);
    expect(() => checkChunkerParams({ min: 4096, avg: 4096, max: 8192 })).toThrow(/Invalid chunker/);
    expect(() => checkChunkerParams({ min: 1024, avg: 4096, max: 4096 })).toThrow(/Invalid chunker/);
    expect(() => new Chunker({ min: 0, avg: 4096, max: 8192 })).toThrow(/Invalid chunker/);
    expect(() => checkChunkerParams(DEFAULT_CHUNKER)).not.toThrow();
  });

  it('uses 32 KiB / 128 KiB / 1 MiB by default', () => {
    expect(DEFAULT_CHUNKER).toEqual({ min: 32 * KiB, avg: 128 * KiB, max: MiB });
  });

  it('never cuts before min in cutPoint', () => {
    const data = randomBytes(2 * MiB);
    for (let start = 0; start < MiB; start += 99_991) {
      const len = cutPoint(data, start, data.length, DEFAULT_CHUNKER);
      expect(len).toBeGreaterThanOrEqual(min);
      expect(len).toBeLessThanOrEqual(max);
    }
  });
});
