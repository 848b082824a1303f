import { describe, expect, it } from 'vitest';
import { VmlError } from '../../../../core/errors.js';
import {
  BackendError,
  type FileInfo,
  type Handle,
  isBackendError,
} from '../../../../logbook/backend/backend.js';
import { FaultyBackend } from '../../../../logbook/backend/faulty.js';
import { MemoryBackend } from '../../../../logbook/backend/memory.js';
import { type RetryEvent, RetryingBackend } from '../../../../logbook/backend/retry.js';

const H: Handle = { type: 'keys', name: 'a'.repeat(64) };
const DATA = new TextEncoder().encode('key material');
const transient = (): BackendError => new BackendError('TRANSIENT', 'connection reset');

async function setup(): Promise<{ faulty: FaultyBackend; memory: MemoryBackend }> {
  const memory = new MemoryBackend();
  await memory.save(H, DATA);
  return { faulty: new FaultyBackend(memory), memory };
}

describe('RetryingBackend', () => {
  it('retries TRANSIENT failures until the call succeeds', async () => {
    const { faulty } = await setup();
    faulty.failNext('load', transient(), { times: 2 });
    const events: RetryEvent[] = [];
    const be = new RetryingBackend(faulty, { retries: 3, baseDelayMs: 1, onRetry: (e) => events.push(e) });
    expect(await be.load(H)).toEqual(DATA);
    expect(faulty.calls.load).toBe(3);
    expect(events.map((e) => [e.method, e.target, e.attempt])).toEqual([
      ['load', `keys/${H.name}`, 1],
      ['load', `keys/${H.name}`, 2],
    ]);
  });

  it('gives up after `retries` retries and rethrows the last TRANSIENT error', async () => {
    const { faulty } = await setup();
    const last = transient();
    faulty.failNext('stat', transient(), { times: 2 }).failNext('stat', last);
    const be = new RetryingBackend(faulty, { retries: 2, baseDelayMs: 1 });
    await expect(be.stat(H)).rejects.toBe(last);
    expect(faulty.calls.stat).toBe(3);
  });

  it('never retries NOT_FOUND, RANGE, DENIED or a VmlError', async () => {
    for (const error of [
      new BackendError('NOT_FOUND', 'gone'),
      new BackendError('RANGE', 'too far'),
      new BackendError('DENIED', 'no'),
      new VmlError('E_NO_SPACE', 'disk full'),
    ]) {
      const { faulty } = await setup();
      faulty.failNext('save', error, { times: 5 });
      const be = new RetryingBackend(faulty, { retries: 5, baseDelayMs: 1 });
      await expect(be.save(H, DATA)).rejects.toBe(error);
      expect(faulty.calls.save).toBe(1);
    }
  });

  it('waits twice as long before each retry, up to maxDelayMs', async () => {
    const { faulty } = await setup();
    faulty.failNext('remove', transient(), { times: 4 });
    const delays: number[] = [];
    const be = new RetryingBackend(faulty, {
      retries: 4,
      baseDelayMs: 2,
      maxDelayMs: 10,
      onRetry: (e) => delays.push(e.delayMs),
    });
    await be.remove(H);
    expect(delays).toEqual([2, 4, 8, 10]);
  });

  it("stops waiting as soon as the signal aborts, with the signal's reason", async () => {
    const { faulty } = await setup();
    faulty.failNext('load', transient(), { times: 1 });
    const be = new RetryingBackend(faulty, { retries: 3, baseDelayMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('interrupted');
    setTimeout(() => controller.abort(reason), 20);
    const started = Date.now();
    await expect(be.load(H, { signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(faulty.calls.load).toBe(1);
  });

  it('does not call the backend when the signal is already aborted', async () => {
    const { faulty } = await setup();
    const be = new RetryingBackend(faulty, { retries: 3, baseDelayMs: 1 });
    await expect(be.stat(H, { signal: AbortSignal.abort() })).rejects.toSatisfy((e) => !isBackendError(e));
    expect(faulty.calls.stat).toBe(0);
  });

  it('restarts a listing that fails half-way without repeating names', async () => {
    const { faulty, memory } = await setup();
    for (const c of 'bcde') await memory.save({ type: 'keys', name: c.repeat(64) }, DATA);
    faulty.failNext('list', transient(), { afterItems: 2 }).failNext('list', transient(), { afterItems: 4 });
    const be = new RetryingBackend(faulty, { retries: 3, baseDelayMs: 1 });
    const listed: FileInfo[] = [];
    for await (const info of be.list('keys')) listed.push(info);
    expect(listed.map((f) => f.name[0]).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(faulty.calls.list).toBe(3);
  });

  it('a save whose reply was lost is retried and stored once', async () => {
    const { faulty, memory } = await setup();
    const h: Handle = { type: 'snapshots', name: 'f'.repeat(64) };
    faulty.failNext('save', transient(), { when: 'after' });
    const be = new RetryingBackend(faulty, { retries: 1, baseDelayMs: 1 });
    await be.save(h, DATA);
    expect(faulty.calls.save).toBe(2);
    expect(await memory.load(h)).toEqual(DATA);
  });
});

describe('FaultyBackend', () => {
  it('a truncating save fault leaves a short file behind and throws', async () => {
    const { faulty, memory } = await setup();
    const crash = new Error('power cut');
    faulty.failNext('save', crash, { truncateTo: 3, match: (h) => h.type === 'index' });
    const h: Handle = { type: 'index', name: 'e'.repeat(64) };
    await faulty.save(H, DATA);
    await expect(faulty.save(h, DATA)).rejects.toBe(crash);
    expect(await memory.load(h)).toEqual(DATA.subarray(0, 3));
    expect(faulty.pending).toBe(0);
  });
});
