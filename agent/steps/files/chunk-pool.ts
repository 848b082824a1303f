/**
 * Worker threads that chunk and hash big files (chunk-worker.ts), one file per worker at a time. Small
 * files stay on the main thread, where a message round trip would cost more than the work.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChunkerParams } from '../../../logbook/format/chunker.js';
import type { WorkerReply } from './chunk-worker.js';

export interface HashedChunk {
  readonly id: string;
  readonly bytes: Uint8Array;
}

/** Node's error shape, so callers handle a worker's ENOENT like their own. */
class WorkerFsError extends Error {
  readonly code: string | undefined;
  constructor(code: string | undefined, message: string) {
    super(message);
    this.code = code;
  }
}

export class ChunkPool {
  readonly #params: ChunkerParams;
  readonly #size: number;
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #waiting: ((w: Worker) => void)[] = [];

  constructor(params: ChunkerParams, size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.#params = params;
    this.#size = size;
  }

  /**
   * Streams a file through a worker; `onChunks` receives each batch in file order and must have taken the
   * bytes when its promise settles. Returns the file's mtime and size after reading.
   */
  async chunkFile(
    path: string,
    onChunks: (chunks: HashedChunk[]) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<{ mtimeNs: bigint; size: bigint }> {
    const worker = await this.#acquire();
    try {
      return await new Promise((resolve, reject) => {
        const onMessage = (reply: WorkerReply) => {
          if (reply.type === 'chunks') {
            onChunks(reply.chunks).then(
              () => (signal?.aborted ? fail(signal.reason) : worker.postMessage({ type: 'ack' })),
              fail,
            );
          } else if (reply.type === 'done') {
            cleanup();
            resolve({ mtimeNs: BigInt(reply.mtimeNs), size: BigInt(reply.size) });
          } else {
            fail(new WorkerFsError(reply.code, reply.message));
          }
        };
        const fail = (error: unknown) => {
          cleanup();
          reject(error);
        };
        const cleanup = () => {
          worker.off('message', onMessage);
          worker.off('error', fail);
        };
        worker.on('message', onMessage);
        worker.on('error', fail);
        worker.postMessage({ type: 'file', path, params: this.#params });
      });
    } catch (error) {
      // A worker left mid-file would answer the next request with stale chunks: replace it.
      this.#retire(worker);
      throw error;
    } finally {
      if (this.#all.includes(worker)) this.#release(worker);
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.#all.map((w) => w.terminate()));
    this.#all.length = 0;
    this.#idle.length = 0;
  }

  async #acquire(): Promise<Worker> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.length < this.#size) {
      // Not unref'd: a backup waiting only for a worker's message must keep the process alive.
      // Small heaps: a worker only holds a read buffer and the chunks of one read (both off-heap).
      const worker = new Worker(new URL('./chunk-worker.js', import.meta.url), {
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 24 },
      });
      this.#all.push(worker);
      return worker;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(worker: Worker): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(worker);
    else this.#idle.push(worker);
  }

  #retire(worker: Worker): void {
    this.#all.splice(this.#all.indexOf(worker), 1);
    void worker.terminate();
    const waiter = this.#waiting.shift();
    if (waiter) void this.#acquire().then(waiter);
  }
}
