/**
 * A worker thread that reads one file at a time, cuts it into chunks and hashes them, so that chunking and
 * hashing (the main thread's work otherwise) run on both cores. Protocol with chunk-pool.ts:
 *   in:  { type: 'file', path, params }  then one { type: 'ack' } per 'chunks' message (flow control)
 *   out: { type: 'chunks', chunks: [{ id, bytes }] }* then { type: 'done', mtimeNs, size } or { type: 'error' }
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { Chunker, type ChunkerParams } from '../../../logbook/format/chunker.js';

const READ_SIZE = 4 * 1024 * 1024;

export type WorkerRequest = { type: 'file'; path: string; params: ChunkerParams } | { type: 'ack' };
export type WorkerReply =
  | { type: 'chunks'; chunks: { id: string; bytes: Uint8Array }[] }
  | { type: 'done'; mtimeNs: string; size: string }
  | { type: 'error'; code: string | undefined; message: string };

const port = parentPort;
let acked: (() => void) | undefined;

async function chunkFile(path: string, params: ChunkerParams): Promise<WorkerReply> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const chunker = new Chunker(params);
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, null);
      if (bytesRead === 0) break;
      await send(chunker.push(buffer.subarray(0, bytesRead)));
    }
    await send(chunker.finish());
    const after = await handle.stat({ bigint: true });
    return { type: 'done', mtimeNs: after.mtimeNs.toString(), size: after.size.toString() };
  } finally {
    await handle.close();
  }
}

/** Posts hashed copies of the chunks (transferred, not cloned) and waits until the main thread took them. */
async function send(chunks: Uint8Array[]): Promise<void> {
  if (chunks.length === 0) return;
  const out = chunks.map((c) => ({
    id: createHash('sha256').update(c).digest('hex'),
    bytes: new Uint8Array(c),
  }));
  const wait = new Promise<void>((resolve) => {
    acked = resolve;
  });
  port?.postMessage(
    { type: 'chunks', chunks: out } satisfies WorkerReply,
    out.map((c) => c.bytes.buffer),
  );
  await wait;
}

port?.on('message', (message: WorkerRequest) => {
  if (message.type === 'ack') {
    acked?.();
    return;
  }
  chunkFile(message.path, message.params).then(
    (reply) => port.postMessage(reply),
    (error: NodeJS.ErrnoException) =>
      port.postMessage({ type: 'error', code: error.code, message: error.message } satisfies WorkerReply),
  );
});
