/**
 * Blob encoding: one codec byte, then the payload. Backups run this in worker threads (encode-pool.ts):
 * Node's asynchronous zstd does much of its work on the main thread, which measured slower than this.
 */
import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { VmlError } from '../../core/errors.js';

export const CODEC_RAW = 0;
export const CODEC_ZSTD = 1;

/** Below this size compression cannot pay for its frame header. */
const MIN_COMPRESS = 128;

/** zstd level 3 (zstd's default): the ratio of level 19 is not worth 20× the time for a backup. */
const ZSTD_LEVEL = 3;

/** Blobs at least this big are first probed on a sample: random data (ROOT files, images) is not compressed. */
const PROBE_FROM = 64 * 1024;
const PROBE_SIZE = 16 * 1024;

/** Whether a sample from the middle of the blob compresses at all (a fraction of a millisecond). */
function looksCompressible(plain: Uint8Array): boolean {
  if (plain.length < PROBE_FROM) return true;
  const start = (plain.length >> 1) - (PROBE_SIZE >> 1);
  const sample = plain.subarray(start, start + PROBE_SIZE);
  const packed = zstdCompressSync(sample, { params: { [constants.ZSTD_c_compressionLevel]: 1 } });
  return packed.length < sample.length * 0.95;
}

/** Encodes a blob on this thread, storing it raw when zstd does not save at least 3 %. */
export function encodeBlobSync(plain: Uint8Array): Uint8Array {
  if (plain.length >= MIN_COMPRESS && looksCompressible(plain)) {
    const packed = zstdCompressSync(plain, {
      // One output buffer for the whole blob: with the default 16 KiB, zstd is called again per 16 KiB (15 % slower).
      chunkSize: Math.max(16 * 1024, plain.length + 1024),
      params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL, [constants.ZSTD_c_checksumFlag]: 0 },
    });
    if (packed.length < plain.length * 0.97) return withCodec(CODEC_ZSTD, packed);
  }
  return withCodec(CODEC_RAW, plain);
}

/** The same as encodeBlobSync, as a promise (the signature blob writers take an encoder by). */
export async function encodeBlob(plain: Uint8Array): Promise<Uint8Array> {
  return encodeBlobSync(plain);
}

/** Decodes a stored blob; `what` names it in the error when the bytes are damaged. */
export function decodeBlob(stored: Uint8Array, what: string): Uint8Array {
  const codec = stored[0];
  const payload = stored.subarray(1);
  if (codec === CODEC_RAW) return payload;
  if (codec === CODEC_ZSTD) {
    try {
      return zstdDecompressSync(payload);
    } catch (cause) {
      throw new VmlError('E_CORRUPT', `Cannot decompress ${what}: the stored bytes are damaged`, {
        hint: 'Run "vml-agent check --read-data" to see which versions are affected',
        cause,
      });
    }
  }
  throw new VmlError('E_CORRUPT', `Cannot decode ${what}: unknown codec ${String(codec)}`, {
    hint: 'The logbook was written by a newer VML or is damaged; run "vml-agent check"',
  });
}

function withCodec(codec: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = codec;
  out.set(payload, 1);
  return out;
}
