/**
 * Worker threads that encode (compress) blobs for a BlobWriter: see encode-worker.ts. Blobs are sent in
 * batches of up to BATCH_BYTES or BATCH_COUNT, and a partial batch leaves at the next turn of the event loop,
 * so a lone blob never waits for company.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type EncodeReply, ownBuffer } from './encode-worker.js';
import { encodeBlob } from './format/blob.js';

const WORKER_URL = new URL('./encode-worker.js', import.meta.url);
// Run from the TypeScript sources (unit tests), there is no compiled worker: encode on this thread then.
const WORKERS_AVAILABLE = existsSync(fileURLToPath(WORKER_URL));

const BATCH_BYTES = 1024 * 1024;
const BATCH_COUNT = 64;

interface Waiting {
  readonly resolve: (b: Uint8Array) => void;
  readonly reject: (e: unknown) => void;
}

export class EncodePool {
  readonly #size: number;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Waiting[]>();
  #batch: Uint8Array[] = [];
  #waiting: Waiting[] = [];
  #batchBytes = 0;
  #scheduled = false;
  #seq = 0;

  constructor(size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.#size = size;
  }

  /** Compresses `plain` in a worker. `plain` is handed over: the caller must not use it afterwards. */
  encode(plain: Uint8Array): Promise<Uint8Array> {
    if (!WORKERS_AVAILABLE) return encodeBlob(plain);
    return new Promise((resolve, reject) => {
      this.#batch.push(ownBuffer(plain));
      this.#waiting.push({ resolve, reject });
      this.#batchBytes += plain.length;
      if (this.#batchBytes >= BATCH_BYTES || this.#batch.length >= BATCH_COUNT) this.#send();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#send());
      }
    });
  }

  /** Stops the workers; pending encodes are rejected. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
    for (const batch of this.#pending.values())
      for (const w of batch) w.reject(new Error('Encode pool closed'));
    this.#pending.clear();
  }

  #send(): void {
    this.#scheduled = false;
    if (this.#batch.length === 0) return;
    const seq = this.#seq++;
    this.#pending.set(seq, this.#waiting);
    const blobs = this.#batch;
    this.#batch = [];
    this.#waiting = [];
    this.#batchBytes = 0;
    this.#worker(seq % this.#size).postMessage(
      { seq, blobs },
      blobs.map((b) => b.buffer as ArrayBuffer),
    );
  }

  #worker(index: number): Worker {
    let worker = this.#workers[index];
    if (!worker) {
      worker = new Worker(WORKER_URL, {
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 24 },
      });
      worker.on('message', ({ seq, encoded }: EncodeReply) => {
        const waiting = this.#pending.get(seq) ?? [];
        this.#pending.delete(seq);
        waiting.forEach((w, i) => {
          w.resolve(encoded[i] as Uint8Array);
        });
      });
      worker.on('error', (error) => {
        for (const batch of this.#pending.values()) for (const w of batch) w.reject(error);
        this.#pending.clear();
      });
      this.#workers[index] = worker;
    }
    return worker;
  }
}
