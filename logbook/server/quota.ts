/**
 * Quotas per user (docs/server.md, "Quotas"): the stored bytes of a user's namespace may not grow past the
 * user's quota. Usage is a tally per namespace, primed by one listing and then moved by every save and
 * removal this server makes, so a save costs one stat, not a listing. Several servers sharing storage each
 * see only their own changes between primings: the tally is primed again after `maxAgeMs`, so a user can
 * go over the quota by at most what the other servers accepted within that window.
 */

import { formatBytes } from '../../core/format.js';
import { type Backend, FILE_TYPES, type FileType, type Handle, isBackendError } from '../backend/backend.js';
import { ApiFailure, type Caller } from './authenticate.js';

/** Stored bytes of every file of a namespace: one listing of each type. */
export function namespaceUsage(backend: Backend): Promise<number> {
  return bytesOfTypes(backend, FILE_TYPES);
}

interface Tally {
  bytes: number;
  readonly primed: number;
}

/** The usage tallies of one server process. */
export class UsageTally {
  readonly #tallies = new Map<string, Promise<Tally>>();
  readonly #maxAgeMs: number;

  /** `maxAgeMs`: how long a priming is trusted (default 10 minutes). */
  constructor(options: { maxAgeMs?: number } = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 10 * 60 * 1000;
  }

  /** The owner's stored bytes, priming (or re-priming a stale tally) with one listing. */
  async usage(owner: string, backend: Backend): Promise<number> {
    let tally = this.#tallies.get(owner);
    if (tally && Date.now() - (await tally).primed > this.#maxAgeMs) tally = undefined;
    if (!tally) {
      const primed = Date.now();
      tally = namespaceUsage(backend).then((bytes) => ({ bytes, primed }));
      tally.catch(() => this.#tallies.delete(owner));
      this.#tallies.set(owner, tally);
    }
    return (await tally).bytes;
  }

  /** Moves a primed tally by `delta` bytes (a save or removal this server made); unprimed ones wait. */
  async add(owner: string, delta: number): Promise<void> {
    const tally = this.#tallies.get(owner);
    if (tally) (await tally).bytes += delta;
  }
}

/** What a save or removal changes: bytes of the file before it. */
export async function storedSize(backend: Backend, h: Handle): Promise<number> {
  try {
    return (await backend.stat(h)).size;
  } catch (error) {
    if (isBackendError(error, 'NOT_FOUND')) return 0;
    throw error;
  }
}

const MiB = 1024 * 1024;

/**
 * How far beyond its quota a namespace may go for what must always be writable: lock and index files (no
 * backup could end cleanly, no gc could run) may take this many bytes in all, and a full token's saves
 * while the namespace holds an exclusive lock (gc writes repacked packs before it removes more than it
 * wrote) may go this far over. 10% of the quota or 64 MiB, whichever is larger: bounded, because a user
 * can write such files (even a fake gc lock) at will.
 */
export function overQuotaAllowance(quota: number): number {
  return Math.max(Math.ceil(quota / 10), 64 * MiB);
}

/** What a save changes: `size` new bytes replacing `before`, on `used` stored and `pending` in open uploads. */
export interface QuotaChange {
  readonly size: number;
  readonly before: number;
  readonly used: number;
  readonly pending?: number;
  readonly quota: number;
}

/**
 * Throws QUOTA if saving `size` bytes as `h` (replacing `before` bytes) takes the caller's namespace over
 * `quota`, counting the declared bytes of the caller's other open uploads (`pending`). Beyond the quota,
 * lock and index files may take overQuotaAllowance(quota) bytes in all (counted on their own, so they stay
 * writable in a namespace whose quota was lowered below its usage), and a full token's saves during an
 * exclusive lock (gc) may go over by overQuotaAllowance(quota); nothing more.
 */
export async function checkQuota(
  backend: Backend,
  caller: Caller,
  h: Handle,
  change: QuotaChange,
): Promise<void> {
  const { size, before, used, quota } = change;
  const pending = change.pending ?? 0;
  const after = used + pending + size - before;
  if (size <= before || after <= quota) return;
  const allowance = overQuotaAllowance(quota);
  let may: string | undefined;
  if (h.type === 'locks' || h.type === 'index') {
    if ((await bytesOfTypes(backend, ['locks', 'index'])) + size - before <= allowance) return;
    may = `lock and index files may take ${formatBytes(allowance)} beyond it`;
  } else if (caller.scope.access === 'full' && (await holdsExclusiveLock(backend))) {
    if (after <= quota + allowance) return;
    may = `gc (an exclusive lock) may go over it by ${formatBytes(allowance)}`;
  }
  const inUploads = pending > 0 ? `, ${formatBytes(pending)} more in open uploads` : '';
  throw new ApiFailure(
    'QUOTA',
    `Saving "${h.type}/${h.name.slice(0, 12)}" (${formatBytes(size)}) would take user "${caller.user}" over the quota: ${formatBytes(used)} of ${formatBytes(quota)} used${inUploads}${may === undefined ? '' : ` (${may}, no more)`}`,
  );
}

async function bytesOfTypes(backend: Backend, types: readonly FileType[]): Promise<number> {
  let bytes = 0;
  for (const type of types) for await (const file of backend.list(type)) bytes += file.size;
  return bytes;
}

async function holdsExclusiveLock(backend: Backend): Promise<boolean> {
  for await (const file of backend.list('locks')) {
    try {
      const lock = JSON.parse(new TextDecoder().decode(await backend.load(file))) as { exclusive?: unknown };
      if (lock.exclusive === true) return true;
    } catch {
      // A lock removed meanwhile, or not JSON: not gc's.
    }
  }
  return false;
}

/** "500M", "20GiB", "1.5 TB", "none" → bytes (binary units; a bare number is bytes), null for none. */
export function parseQuota(text: string): number | null {
  if (/^none$/i.test(text.trim())) return null;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!match) throw new RangeError(`Cannot read the size "${text}": write e.g. 500M, 20G or none`);
  const power = ' KMGT'.indexOf((match[2] || ' ').toUpperCase());
  return Math.round(Number(match[1]) * 1024 ** power);
}
