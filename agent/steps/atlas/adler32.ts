/**
 * Adler-32 of a file, the checksum Rucio keeps for every replica (8 lowercase hex digits), so a downloaded
 * file can be checked against the grid's catalogue without a second algorithm. Node's zlib computes it
 * internally but does not expose it, hence these few lines.
 */
import { createReadStream } from 'node:fs';

const MOD = 65521;
/** Bytes that can be summed before the 32-bit sums must be reduced (zlib's NMAX). */
const NMAX = 5552;

/** Continues an Adler-32 over `bytes`; start with 1. */
export function adler32Update(adler: number, bytes: Uint8Array): number {
  let a = adler & 0xffff;
  let b = (adler >>> 16) & 0xffff;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + NMAX, bytes.length);
    for (; i < end; i++) {
      a += bytes[i] as number;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** Adler-32 of the bytes of `path`, as Rucio writes it: `0a1b2c3d`. */
export async function adler32OfFile(path: string, signal?: AbortSignal): Promise<string> {
  let adler = 1;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    signal?.throwIfAborted();
    adler = adler32Update(adler, chunk as Buffer);
  }
  return adler.toString(16).padStart(8, '0');
}
