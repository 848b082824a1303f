/**
 * Verifies a logbook and says what any damage costs: which versions, which files. Damage is collected as
 * problems, never thrown; only a lock conflict or a failing backend ends a check early.
 */
import { createHash } from 'node:crypto';
import { isVmlError } from '../core/errors.js';
import { type Backend, type FileInfo, isBackendError } from './backend/backend.js';
import { loadMasterIndex } from './blob-store.js';
import { type Damage, type Problem, ProblemList, reason, walkVersions } from './check-walk.js';
import { decodeBlob } from './format/blob.js';
import { decodeConfig } from './format/config.js';
import type { MasterIndex } from './format/index-file.js';
import { decodeManifest } from './format/manifest.js';
import type { PackedBlob } from './format/pack.js';
import type { Logbook } from './logbook.js';

export type { Affected, Problem, ProblemKind, Severity } from './check-walk.js';

/** Options of check. */
export interface CheckOptions {
  /** Also read every pack and verify every blob (slow: reads the whole logbook). */
  readonly readData?: boolean;
  readonly onProgress?: (event: CheckEvent) => void;
  /** Told about each stale lock removed while taking the check lock. */
  readonly onStale?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** What check reports while it runs. */
export type CheckEvent =
  | { readonly type: 'phase'; readonly phase: 'config' | 'index' | 'packs' | 'data' | 'versions' }
  | { readonly type: 'pack'; readonly done: number; readonly total: number; readonly bytes: number }
  | { readonly type: 'version'; readonly done: number; readonly total: number };

/** What check found. */
export interface CheckResult {
  /** Errors first, then warnings, then notes. */
  readonly problems: Problem[];
  readonly versions: number;
  readonly packs: number;
  readonly blobs: number;
  readonly bytesRead: number;
}

/** Checks the logbook under a shared lock (so gc cannot run meanwhile); throws only E_LOCKED or I/O errors. */
export async function check(logbook: Logbook, options: CheckOptions = {}): Promise<CheckResult> {
  const lock = await logbook.lock({ exclusive: false, purpose: 'check', onStale: options.onStale });
  try {
    return await runCheck(logbook.backend, options);
  } finally {
    await lock.release();
  }
}

async function runCheck(backend: Backend, options: CheckOptions): Promise<CheckResult> {
  const { signal } = options;
  const emit = options.onProgress ?? (() => {});
  const problems = new ProblemList();
  emit({ type: 'phase', phase: 'config' });
  await checkConfig(backend, problems);
  emit({ type: 'phase', phase: 'index' });
  const { index } = await loadMasterIndex(backend, (name, error) => {
    problems.add(
      'error',
      'index',
      name,
      `Index file is unreadable, so the blobs it lists cannot be found: ${reason(error)}`,
    );
  });
  emit({ type: 'phase', phase: 'packs' });
  const packs = new Map<string, FileInfo>();
  for await (const info of backend.list('data', { signal })) packs.set(info.name, info);
  const damage = checkPacks(index, packs, problems);
  let bytesRead = 0;
  if (options.readData === true) {
    emit({ type: 'phase', phase: 'data' });
    bytesRead = await readData(backend, index, packs, damage, problems, emit, signal);
  }
  emit({ type: 'phase', phase: 'versions' });
  const versions = await readManifests(backend, problems, signal);
  const indexDamaged = problems.has('index');
  await walkVersions({ backend, index, damage, problems, indexDamaged, signal }, versions, (done) =>
    emit({ type: 'version', done, total: versions.length }),
  );
  return {
    problems: problems.finish(damage),
    versions: versions.length,
    packs: index.packs.size,
    blobs: index.blobCount,
    bytesRead,
  };
}

async function checkConfig(backend: Backend, problems: ProblemList): Promise<void> {
  try {
    decodeConfig(await backend.load({ type: 'config', name: 'config' }), backend.location);
  } catch (error) {
    if (!isDamage(error)) throw error;
    problems.add('error', 'config', 'config', `Config file is unreadable: ${reason(error)}`);
  }
}

/** Finds indexed packs that are missing or shorter than the index says, and packs no index lists. */
function checkPacks(
  index: MasterIndex,
  packs: ReadonlyMap<string, FileInfo>,
  problems: ProblemList,
): Map<string, Damage> {
  const damage = new Map<string, Damage>();
  const lose = (pack: string, blobs: readonly PackedBlob[], why: string) =>
    markLost(index, damage, pack, blobs, why);
  for (const [id, blobs] of index.packs) {
    const info = packs.get(id);
    const expected = blobs.reduce((end, b) => Math.max(end, b.offset + b.length), 0);
    if (info === undefined) {
      problems.add('error', 'pack', id, 'Pack is missing');
      lose(id, blobs, `pack ${id.slice(0, 12)} is missing`);
    } else if (info.size < expected) {
      problems.add(
        'error',
        'pack',
        id,
        `Pack is truncated: it has ${info.size} bytes, the index expects at least ${expected}`,
      );
      lose(
        id,
        blobs.filter((b) => b.offset + b.length > info.size),
        `pack ${id.slice(0, 12)} is truncated`,
      );
    }
  }
  for (const id of packs.keys()) {
    if (index.packs.has(id)) continue;
    problems.add(
      'info',
      'debris',
      id,
      'Pack is in no index: gc re-indexes it if a version needs its blobs, else removes it',
    );
  }
  return damage;
}

// Only the copy readers use matters: a blob in two packs is read from its first location.
function markLost(
  index: MasterIndex,
  damage: Map<string, Damage>,
  pack: string,
  blobs: readonly PackedBlob[],
  why: string,
): void {
  for (const b of blobs) {
    if (index.lookup(b.id)?.pack === pack) damage.set(b.id, { pack, type: b.type, why });
  }
}

/** Loads every indexed pack whole and verifies its name and each blob; returns the bytes read. */
async function readData(
  backend: Backend,
  index: MasterIndex,
  packs: ReadonlyMap<string, FileInfo>,
  damage: Map<string, Damage>,
  problems: ProblemList,
  emit: (e: CheckEvent) => void,
  signal?: AbortSignal,
): Promise<number> {
  const todo = [...index.packs].filter(([id]) => packs.has(id));
  let bytesRead = 0;
  let done = 0;
  for (const [id, blobs] of todo) {
    signal?.throwIfAborted();
    let bytes: Uint8Array;
    try {
      bytes = await backend.load({ type: 'data', name: id }, { signal });
    } catch (error) {
      if (!isBackendError(error, 'NOT_FOUND')) throw error;
      problems.add('error', 'pack', id, 'Pack is missing');
      markLost(index, damage, id, blobs, `pack ${id.slice(0, 12)} is missing`);
      continue;
    }
    bytesRead += bytes.length;
    if (sha256(bytes) !== id) {
      problems.add('error', 'pack', id, 'Pack content does not match its name: it was changed on disk');
    }
    for (const b of blobs) {
      if (damage.has(b.id) || b.offset + b.length > bytes.length || blobIsIntact(bytes, b)) continue;
      if (index.lookup(b.id)?.pack === id) {
        damage.set(b.id, { pack: id, type: b.type, why: 'its stored bytes are damaged' });
      } else {
        const message = `A spare copy of the blob in pack ${id.slice(0, 12)} is damaged; readers use another copy`;
        problems.add('warning', 'blob', b.id, message);
      }
    }
    emit({ type: 'pack', done: ++done, total: todo.length, bytes: bytesRead });
  }
  return bytesRead;
}

function blobIsIntact(pack: Uint8Array, b: PackedBlob): boolean {
  try {
    return sha256(decodeBlob(pack.subarray(b.offset, b.offset + b.length), b.id)) === b.id;
  } catch {
    return false; // decodeBlob throws E_CORRUPT for bytes that do not decompress
  }
}

/** Decodes every manifest; damaged ones become problems naming the file. */
async function readManifests(
  backend: Backend,
  problems: ProblemList,
  signal?: AbortSignal,
): Promise<{ label: string; tree: string; attachments?: string | undefined }[]> {
  const versions: {
    label: string;
    tree: string;
    attachments?: string | undefined;
    entry: string;
    seq: number;
  }[] = [];
  for await (const info of backend.list('snapshots', { signal })) {
    try {
      const m = decodeManifest(
        await backend.load({ type: 'snapshots', name: info.name }, { signal }),
        info.name,
      );
      versions.push({
        label: `${m.entry}@v${m.seq}`,
        tree: m.tree,
        attachments: typeof m.attachments === 'string' ? m.attachments : undefined,
        entry: m.entry,
        seq: m.seq,
      });
    } catch (error) {
      if (isBackendError(error, 'NOT_FOUND')) continue; // forgotten after listing
      if (!isDamage(error)) throw error;
      if (isVmlError(error) && error.code === 'E_LOGBOOK_NEWER') {
        problems.add(
          'warning',
          'manifest',
          info.name,
          `Version manifest is too new to check: ${reason(error)}`,
        );
        continue;
      }
      problems.add(
        'error',
        'manifest',
        info.name,
        `Version manifest is unreadable, so its version is lost: ${reason(error)}`,
      );
    }
  }
  return versions.sort((a, b) => a.entry.localeCompare(b.entry) || a.seq - b.seq);
}

const DAMAGE_CODES = new Set<string>(['E_CORRUPT', 'E_LOGBOOK_FOREIGN', 'E_LOGBOOK_NEWER', 'E_UNSAFE_PATH']);

// Damage is reported; anything else (a dead backend, a full disk, an abort) ends the check.
function isDamage(error: unknown): boolean {
  if (isBackendError(error)) return isBackendError(error, 'NOT_FOUND') || isBackendError(error, 'RANGE');
  if (isVmlError(error)) return DAMAGE_CODES.has(error.code);
  return error instanceof SyntaxError;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
