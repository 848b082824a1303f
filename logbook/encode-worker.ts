/**
 * A worker thread that compresses blobs (encodeBlobSync), so compression runs beside chunking and hashing.
 * Blobs come in batches: one message per blob cost more than compressing a small one.
 * in: { seq, blobs } (each blob's buffer transferred) · out: { seq, encoded } (transferred back)
 */
import { parentPort } from 'node:worker_threads';
import { encodeBlobSync } from './format/blob.js';

export interface EncodeRequest {
  readonly seq: number;
  readonly blobs: readonly Uint8Array[];
}

export interface EncodeReply {
  readonly seq: number;
  readonly encoded: readonly Uint8Array[];
}

/** The bytes in a buffer of their own, so they can be transferred without copying. */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

parentPort?.on('message', ({ seq, blobs }: EncodeRequest) => {
  const encoded = blobs.map((plain) => ownBuffer(encodeBlobSync(plain)));
  parentPort?.postMessage(
    { seq, encoded } satisfies EncodeReply,
    encoded.map((e) => e.buffer as ArrayBuffer),
  );
});
