/**
 * Logbook locks: files under `locks/`. Backups take a shared lock (one per entry at a time); gc and delete take
 * an exclusive one. A lock whose process is gone (same host) or that was not refreshed for STALE_AFTER_MS is
 * stale: it is removed and named, so a crashed backup never blocks the logbook for good.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmlError } from '../core/errors.js';
import { type Backend, isBackendError } from './backend/backend.js';

export interface LockInfo {
  readonly host: string;
  readonly pid: number;
  readonly exclusive: boolean;
  /** The entry a backup writes; two backups of one entry at once would race for its sequence numbers. */
  readonly entry?: string | undefined;
  readonly purpose: string;
  readonly time: string;
  readonly refreshed: string;
}

/** A lock not refreshed for this long is stale, whatever its pid. */
export const STALE_AFTER_MS = 30 * 60 * 1000;
const REFRESH_EVERY_MS = 5 * 60 * 1000;

export interface Lock {
  release(): Promise<void>;
}

export interface LockRequest {
  readonly exclusive: boolean;
  readonly purpose: string;
  readonly entry?: string | undefined;
  /** Told about each stale lock removed, in a sentence that names it. */
  readonly onStale?: ((message: string) => void) | undefined;
}

/** Takes a lock or throws E_LOCKED naming who holds the conflicting one. */
export async function acquireLock(backend: Backend, request: LockRequest): Promise<Lock> {
  for (let attempt = 1; ; attempt++) {
    await checkConflicts(backend, request, undefined);
    const name = randomBytes(16).toString('hex');
    const now = new Date().toISOString();
    const info: LockInfo = {
      host: hostname(),
      pid: process.pid,
      exclusive: request.exclusive,
      entry: request.entry,
      purpose: request.purpose,
      time: now,
      refreshed: now,
    };
    const save = (i: LockInfo) =>
      backend.save({ type: 'locks', name }, new TextEncoder().encode(JSON.stringify(i)));
    await save(info);
    try {
      // Two processes may pass the first check at once; whoever sees the other's lock after writing backs off.
      await checkConflicts(backend, request, name);
    } catch (error) {
      await backend.remove({ type: 'locks', name });
      // Both contenders may have seen each other and backed off: try again after a random pause, so one of
      // them gets the lock instead of both being refused. A lock that was there before we wrote ours is
      // caught by the first check and refused at once.
      if (attempt < CONTENDED_ATTEMPTS) {
        await sleep(20 + Math.random() * 130);
        continue;
      }
      throw error;
    }
    return holdLock(save, info, () => backend.remove({ type: 'locks', name }));
  }
}

const CONTENDED_ATTEMPTS = 5;

function holdLock(
  save: (info: LockInfo) => Promise<void>,
  info: LockInfo,
  remove: () => Promise<void>,
): Lock {
  const timer = setInterval(() => {
    void save({ ...info, refreshed: new Date().toISOString() }).catch(() => {});
  }, REFRESH_EVERY_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await remove();
    },
  };
}

/** Lists the locks, removing stale ones; returns the live ones by name. */
export async function listLocks(
  backend: Backend,
  onStale: (message: string) => void = () => {},
): Promise<Map<string, LockInfo>> {
  const live = new Map<string, LockInfo>();
  for await (const file of backend.list('locks')) {
    let lock: LockInfo;
    try {
      lock = JSON.parse(
        new TextDecoder().decode(await backend.load({ type: 'locks', name: file.name })),
      ) as LockInfo;
    } catch (error) {
      if (isBackendError(error, 'NOT_FOUND')) continue;
      // An unreadable lock file is debris of a crash while it was written (non-atomic backends).
      lock = { host: '?', pid: 0, exclusive: false, purpose: 'unknown', time: '', refreshed: '' };
    }
    const why = staleReason(lock);
    if (why) {
      await backend.remove({ type: 'locks', name: file.name });
      onStale(`Removed a stale lock: ${describeLock(lock)} (${why})`);
      continue;
    }
    live.set(file.name, lock);
  }
  return live;
}

async function checkConflicts(
  backend: Backend,
  request: LockRequest,
  own: string | undefined,
): Promise<void> {
  const locks = await listLocks(backend, request.onStale);
  for (const [name, lock] of locks) {
    if (name === own) continue;
    const conflict =
      request.exclusive || lock.exclusive || (request.entry !== undefined && request.entry === lock.entry);
    if (!conflict) continue;
    throw new VmlError('E_LOCKED', `The logbook "${backend.location}" is locked: ${describeLock(lock)}`, {
      hint:
        lock.host === hostname()
          ? `Wait for process ${lock.pid} to finish; a lock of a process that has exited is removed automatically`
          : `Wait for it to finish; a lock not refreshed for ${STALE_AFTER_MS / 60000} minutes is removed automatically`,
    });
  }
}

function staleReason(lock: LockInfo): string | undefined {
  const refreshed = Date.parse(lock.refreshed);
  if (!Number.isFinite(refreshed)) return 'unreadable lock file';
  if (Date.now() - refreshed > STALE_AFTER_MS) return `not refreshed since ${lock.refreshed}`;
  if (lock.host === hostname() && !isAlive(lock.pid)) return `process ${lock.pid} has exited`;
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "exclusive lock for gc by process 1234 on host pc1, taken 2026-11-22T10:00:00Z". */
export function describeLock(lock: LockInfo): string {
  const kind = lock.exclusive ? 'exclusive' : 'shared';
  const what = lock.entry ? `${lock.purpose} of ${lock.entry}` : lock.purpose;
  return `${kind} lock for ${what} by process ${lock.pid} on host ${lock.host}, taken ${lock.time}`;
}
