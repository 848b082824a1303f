/**
 * Retries BackendError TRANSIENT with exponential backoff (restic's backend/retry). Every other error is
 * final: NOT_FOUND, RANGE and DENIED do not change on a second try, and a full disk needs the user.
 */
import {
  type Backend,
  type BackendError,
  describeHandle,
  type FileInfo,
  type FileType,
  type Handle,
  type IoOptions,
  isBackendError,
  type LoadOptions,
} from './backend.js';

/** What `onRetry` hears before each wait. */
export interface RetryEvent {
  readonly method: 'save' | 'load' | 'stat' | 'list' | 'remove';
  /** "data/3f2a…" or, for list, the type. */
  readonly target: string;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: BackendError;
}

/** Options of RetryingBackend. */
export interface RetryOptions {
  /** Retries after the first attempt (default 5), so a call reaches the base at most retries+1 times. */
  readonly retries?: number;
  /** Wait before the first retry (default 250 ms); it doubles with each retry. */
  readonly baseDelayMs?: number;
  /** Upper bound of one wait (default 15 s). */
  readonly maxDelayMs?: number;
  /** Called before each wait, e.g. to print "retrying in 2 s". */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** Wraps a backend and retries its TRANSIENT failures; waits end early when the signal aborts. */
export class RetryingBackend implements Backend {
  readonly base: Backend;
  readonly #retries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(base: Backend, options: RetryOptions = {}) {
    this.base = base;
    this.#retries = options.retries ?? 5;
    this.#baseDelayMs = options.baseDelayMs ?? 250;
    this.#maxDelayMs = options.maxDelayMs ?? 15_000;
    this.#onRetry = options.onRetry;
  }

  get location(): string {
    return this.base.location;
  }

  get properties(): Backend['properties'] {
    return this.base.properties;
  }

  // Saving again is safe: writes are atomic, and names are content hashes (or replace config and locks).
  save(h: Handle, data: Uint8Array, options?: IoOptions): Promise<void> {
    return this.#retry('save', describeHandle(h), options, () => this.base.save(h, data, options));
  }

  load(h: Handle, options?: LoadOptions): Promise<Uint8Array> {
    return this.#retry('load', describeHandle(h), options, () => this.base.load(h, options));
  }

  stat(h: Handle, options?: IoOptions): Promise<FileInfo> {
    return this.#retry('stat', describeHandle(h), options, () => this.base.stat(h, options));
  }

  async *list(type: FileType, options?: IoOptions): AsyncIterable<FileInfo> {
    // A listing that fails half-way starts over; names already yielded are skipped, as restic does.
    const seen = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const info of this.base.list(type, options)) {
          if (seen.has(info.name)) continue;
          seen.add(info.name);
          yield info;
        }
        return;
      } catch (error) {
        await this.#wait('list', type, attempt, error, options);
      }
    }
  }

  // Removing again is safe: remove is idempotent.
  remove(h: Handle, options?: IoOptions): Promise<void> {
    return this.#retry('remove', describeHandle(h), options, () => this.base.remove(h, options));
  }

  close(): Promise<void> {
    return this.base.close();
  }

  async #retry<T>(
    method: RetryEvent['method'],
    target: string,
    options: IoOptions | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      options?.signal?.throwIfAborted();
      try {
        return await run();
      } catch (error) {
        await this.#wait(method, target, attempt, error, options);
      }
    }
  }

  // Rethrows `error` unless it is worth another attempt; otherwise reports it and sleeps.
  async #wait(
    method: RetryEvent['method'],
    target: string,
    attempt: number,
    error: unknown,
    options: IoOptions | undefined,
  ): Promise<void> {
    const signal = options?.signal;
    if (!isBackendError(error, 'TRANSIENT') || attempt > this.#retries) throw error;
    // An abort often surfaces as a failed request; the caller wants to hear about the abort.
    signal?.throwIfAborted();
    const delayMs = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    this.#onRetry?.({ method, target, attempt, delayMs, error });
    await sleep(delayMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
