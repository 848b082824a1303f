/**
 * Seeded pseudo-random numbers for the bench data sets. Fast and deterministic, never for security:
 * the same seed must give byte-identical data sets on every machine so results stay comparable.
 */
import { createCipheriv, createHash } from 'node:crypto';

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** xoshiro128** over 32-bit words, seeded from any string through SHA-256. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.s0 = h.readUInt32LE(0);
    this.s1 = h.readUInt32LE(4);
    this.s2 = h.readUInt32LE(8);
    // An all-zero state would only ever yield zeros.
    this.s3 = h.readUInt32LE(12) | 1;
  }

  /** Next unsigned 32-bit value. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** One item of weighted pairs, with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let roll = this.float() * items.reduce((sum, [, w]) => sum + w, 0);
    for (const [item, w] of items) {
      roll -= w;
      if (roll < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }

  /** Standard normal deviate (Box-Muller); used for log-normal file sizes. */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }
}

const ZEROS = Buffer.alloc(1 << 22);

/** Incompressible bytes: AES-128-CTR over zeros keyed from the seed, which runs at GB/s with AES-NI. */
export class ByteStream {
  private readonly cipher: ReturnType<typeof createCipheriv>;

  constructor(seed: string) {
    const key = createHash('sha256').update(`${seed}/key`).digest().subarray(0, 16);
    const iv = createHash('sha256').update(`${seed}/iv`).digest().subarray(0, 16);
    this.cipher = createCipheriv('aes-128-ctr', key, iv);
  }

  /** The next n bytes of the stream. */
  next(n: number): Buffer {
    if (n <= ZEROS.length) return this.cipher.update(ZEROS.subarray(0, n));
    const parts: Buffer[] = [];
    for (let left = n; left > 0; left -= ZEROS.length) parts.push(this.next(Math.min(left, ZEROS.length)));
    return Buffer.concat(parts, n);
  }
}
