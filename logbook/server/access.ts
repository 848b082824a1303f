/**
 * What a token may do in its owner's namespace (docs/server.md, "Tokens"):
 * - read: list, stat, load and ask what is missing;
 * - append: also save new files, and manage locks (a backup takes and releases one). Files named by the
 *   SHA-256 of their content (data, index, snapshots) must match it, so saving over an existing name
 *   stores the same bytes; config and keys are saved only where absent. Nothing else is removed;
 * - full: everything, including deleting versions and gc.
 * A version (snapshot) belongs to the entry its manifest names; a token sees, writes and deletes only the
 * versions of entries its glob covers, and the entry's owner must be the namespace's user.
 */
import { createHash } from 'node:crypto';
import { type Backend, type Handle, isBackendError } from '../backend/backend.js';
import { scopeCovers } from './auth.js';
import { ApiFailure, type Caller } from './authenticate.js';
import type { AuditRecord } from './metadata.js';

type Audit = Omit<AuditRecord, 'time'>;

/** The fields of a manifest the server looks at; undefined when the bytes are not a manifest. */
interface ManifestHead {
  readonly entry: string;
  readonly seq: number;
  readonly visibility: unknown;
}

function manifestHead(data: Uint8Array): ManifestHead | undefined {
  try {
    const m = JSON.parse(new TextDecoder().decode(data)) as Partial<ManifestHead> | null;
    if (typeof m?.entry === 'string' && typeof m.seq === 'number') return m as ManifestHead;
  } catch {
    // Not JSON: not a manifest.
  }
  return undefined;
}

// A token whose glob is the whole namespace may also handle snapshot files that are no manifest (debris,
// or the backend contract suite's test files); narrower tokens see only the versions of their entries.
function coversNamespace(caller: Caller): boolean {
  return caller.scope.entries === `${caller.user}/*` || caller.scope.entries === `${caller.user}/**`;
}

/** Manifest heads by snapshot name, read once: manifests are write-once. */
export class SnapshotEntries {
  readonly #heads = new Map<string, ManifestHead | null>();

  /** Whether the caller's token may see `h`; an absent snapshot is not visible. */
  async visible(backend: Backend, caller: Caller, h: Handle): Promise<boolean> {
    if (h.type !== 'snapshots' || coversNamespace(caller)) return true;
    const head = await this.head(backend, h);
    return head !== undefined && head !== null && scopeCovers(caller.scope, head.entry);
  }

  /** The manifest head of a snapshot, null if it is not a manifest, undefined if absent. */
  async head(backend: Backend, h: Handle): Promise<ManifestHead | null | undefined> {
    const known = this.#heads.get(h.name);
    if (known !== undefined) return known;
    try {
      const head = manifestHead(await backend.load(h)) ?? null;
      this.#heads.set(h.name, head);
      return head;
    } catch (error) {
      if (isBackendError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** Forgets a snapshot that was saved or removed. */
  forget(h: Handle): void {
    if (h.type === 'snapshots') this.#heads.delete(h.name);
  }
}

/** Throws DENIED unless the caller may save `data` as `h`; returns what to write to the audit log. */
export async function checkSave(
  backend: Backend,
  caller: Caller,
  h: Handle,
  data: Uint8Array,
): Promise<Audit | undefined> {
  const { access } = caller.scope;
  if (access === 'read') throw denied('This token may only read');
  let audit: Audit | undefined;
  if (h.type === 'snapshots') {
    const head = manifestHead(data);
    if (head === undefined) {
      if (!coversNamespace(caller) || access !== 'full') {
        throw new ApiFailure('BAD_REQUEST', 'A snapshot must be a version manifest naming its entry');
      }
    } else {
      checkEntry(caller, head.entry);
      if (head.visibility === 'public') {
        audit = {
          actor: caller.user,
          action: 'publish',
          target: versionName(head, h),
          token: caller.tokenId,
        };
      }
    }
  }
  if (access === 'append') await checkAppend(backend, h, data);
  return audit;
}

/** Throws DENIED unless the caller may remove `h`; returns what to write to the audit log. */
export async function checkRemove(
  backend: Backend,
  caller: Caller,
  h: Handle,
  entries: SnapshotEntries,
): Promise<Audit | undefined> {
  const { access } = caller.scope;
  if (access === 'read') throw denied('This token may only read');
  if (access === 'append' && h.type !== 'locks') {
    throw denied('This token may only add files: it cannot remove them (only its own locks)');
  }
  const base = { actor: caller.user, token: caller.tokenId };
  if (h.type === 'snapshots') {
    const head = await entries.head(backend, h);
    if (head) return { ...base, action: 'delete-version', target: versionName(head, h) };
  }
  if (h.type === 'config' || h.type === 'keys')
    return { ...base, action: 'delete-file', target: `${h.type}/${h.name}` };
  return undefined;
}

function checkEntry(caller: Caller, entry: string): void {
  if (!entry.startsWith(`${caller.user}/`)) {
    throw denied(`Cannot save a version of "${entry}": entries on this server belong to "${caller.user}"`);
  }
  if (!scopeCovers(caller.scope, entry)) {
    throw denied(`Cannot save a version of "${entry}": this token covers only "${caller.scope.entries}"`);
  }
}

async function checkAppend(backend: Backend, h: Handle, data: Uint8Array): Promise<void> {
  if (h.type === 'data' || h.type === 'index' || h.type === 'snapshots') {
    if (createHash('sha256').update(data).digest('hex') !== h.name) {
      throw denied(
        `An append-only token may save "${h.type}/${h.name}" only under the SHA-256 of its content`,
      );
    }
  } else if (h.type === 'config' || h.type === 'keys') {
    try {
      await backend.stat(h);
    } catch (error) {
      if (isBackendError(error, 'NOT_FOUND')) return;
      throw error;
    }
    throw denied(`An append-only token cannot replace "${h.type}/${h.name}"`);
  }
}

function versionName(head: ManifestHead, h: Handle): string {
  return `${head.entry}@v${head.seq} (${h.name.slice(0, 8)})`;
}

function denied(message: string): ApiFailure {
  return new ApiFailure('DENIED', message);
}
