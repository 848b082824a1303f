/**
 * A wrapper that fails on command, for tests (kopia's blobtesting/faulty.go). Faults are armed per method
 * and used up in order; a call that no fault matches goes straight to the base backend.
 *
 * @example
 * const faulty = new FaultyBackend(new MemoryBackend());
 * faulty.failNext('save', new BackendError('TRANSIENT', 'connection reset'), { times: 2 });
 * faulty.failNext('save', new Error('crash'), { truncateTo: 10, match: (h) => h.type === 'index' });
 */
import type { Backend, FileInfo, FileType, Handle, IoOptions, LoadOptions } from './backend.js';

/** The methods a fault can be armed on. */
export type FaultMethod = 'save' | 'load' | 'stat' | 'list' | 'remove';

/** How and when an armed fault fires. */
export interface FaultOptions {
  /** How many matching calls fail (default 1); `Infinity` for a permanent fault. */
  readonly times?: number;
  /**
   * Only calls for which this returns true fail; `list` passes `{ type, name: '' }`. It is called once per
   * call while the fault is armed, so a counter in it can fail every n-th call.
   */
  readonly match?: (h: Handle) => boolean;
  /**
   * `before` (default): the call fails without reaching the base. `after`: the base does the work and then
   * the error is thrown, like a reply lost on the network.
   */
  readonly when?: 'before' | 'after';
  /**
   * `save` only: the base stores just the first `truncateTo` bytes, then the error is thrown. This is a
   * crash in the middle of a write on a backend without atomic writes.
   */
  readonly truncateTo?: number;
  /** `list` only: this many files are yielded before the error. */
  readonly afterItems?: number;
}

/** One armed fault. */
export interface Fault extends FaultOptions {
  readonly method: FaultMethod;
  readonly error: Error;
}

interface Armed {
  readonly fault: Fault;
  remaining: number;
}

/** Wraps a backend and throws the armed errors instead of (or after) calling it. */
export class FaultyBackend implements Backend {
  readonly base: Backend;
  /** Calls per method, faulty or not, so tests can count attempts. */
  readonly calls: Record<FaultMethod, number> = { save: 0, load: 0, stat: 0, list: 0, remove: 0 };
  readonly #armed: Armed[] = [];

  constructor(base: Backend, faults: readonly Fault[] = []) {
    this.base = base;
    for (const fault of faults) this.#arm(fault);
  }

  get location(): string {
    return this.base.location;
  }

  get properties(): Backend['properties'] {
    return this.base.properties;
  }

  /** Arms a fault on the next matching call(s) of `method`; returns this for chaining. */
  failNext(method: FaultMethod, error: Error, options: FaultOptions = {}): this {
    this.#arm({ ...options, method, error });
    return this;
  }

  /** How many faults have yet to fire (a permanent fault counts as one). */
  get pending(): number {
    return this.#armed.filter((a) => a.remaining > 0).length;
  }

  async save(h: Handle, data: Uint8Array, options?: IoOptions): Promise<void> {
    const fault = this.#take('save', h);
    if (fault === undefined) return this.base.save(h, data, options);
    if (fault.when === 'after') await this.base.save(h, data, options);
    else if (fault.truncateTo !== undefined)
      await this.base.save(h, data.subarray(0, fault.truncateTo), options);
    throw fault.error;
  }

  async load(h: Handle, options?: LoadOptions): Promise<Uint8Array> {
    return this.#call('load', h, () => this.base.load(h, options));
  }

  async stat(h: Handle, options?: IoOptions): Promise<FileInfo> {
    return this.#call('stat', h, () => this.base.stat(h, options));
  }

  async *list(type: FileType, options?: IoOptions): AsyncIterable<FileInfo> {
    const fault = this.#take('list', { type, name: '' });
    if (fault !== undefined && fault.when !== 'after' && fault.afterItems === undefined) throw fault.error;
    let yielded = 0;
    for await (const info of this.base.list(type, options)) {
      if (fault?.afterItems !== undefined && yielded >= fault.afterItems) throw fault.error;
      yield info;
      yielded++;
    }
    if (fault !== undefined) throw fault.error;
  }

  async remove(h: Handle, options?: IoOptions): Promise<void> {
    return this.#call('remove', h, () => this.base.remove(h, options));
  }

  async close(): Promise<void> {
    return this.base.close();
  }

  #arm(fault: Fault): void {
    this.#armed.push({ fault, remaining: fault.times ?? 1 });
  }

  // Counts the call and uses up the first armed fault that matches it.
  #take(method: FaultMethod, h: Handle): Fault | undefined {
    this.calls[method]++;
    for (const armed of this.#armed) {
      if (armed.fault.method !== method || armed.remaining <= 0) continue;
      if (armed.fault.match !== undefined && !armed.fault.match(h)) continue;
      armed.remaining--;
      return armed.fault;
    }
    return undefined;
  }

  async #call<T>(method: FaultMethod, h: Handle, run: () => Promise<T>): Promise<T> {
    const fault = this.#take(method, h);
    if (fault === undefined) return run();
    if (fault.when === 'after') await run();
    throw fault.error;
  }
}
