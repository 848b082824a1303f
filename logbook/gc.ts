/**
 * Garbage collection: removes packs no version needs, repacks mostly-dead ones and folds every index file
 * into one. It runs under an exclusive lock and never sweeps on an incomplete mark: if any manifest or
 * reachable tree cannot be read, it stops before changing anything.
 */
import { createHash } from 'node:crypto';
import { isVmlError } from '../core/errors.js';
import type { Backend, IoOptions } from './backend/backend.js';
import { decodeBlob } from './format/blob.js';
import { encodeIndex, type IndexPack } from './format/index-file.js';
import { PACK_TARGET_SIZE, type PackedBlob, PackWriter } from './format/pack.js';
import { type Marked, mark, type Plan, planSweep, type Survey, surveyLogbook } from './gc-plan.js';
import type { Logbook } from './logbook.js';

/** Options of gc. */
export interface GcOptions {
  /** Unindexed packs younger than this may belong to a backup that is still writing; they are left alone. */
  readonly graceMs: number;
  /** Repack a pack when less than this fraction of its stored bytes is live (default 0.5). */
  readonly repackThreshold?: number;
  /** Compute and report, but write and remove nothing. */
  readonly dryRun?: boolean;
  readonly onProgress?: (event: GcEvent) => void;
  /** Told about each stale lock removed while taking the gc lock. */
  readonly onStale?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** What gc reports while it runs. */
export type GcEvent =
  | { readonly type: 'phase'; readonly phase: 'mark' | 'plan' | 'repack' | 'index' | 'remove' }
  | { readonly type: 'marked'; readonly versions: number; readonly trees: number; readonly blobs: number }
  | { readonly type: 'repack'; readonly done: number; readonly total: number; readonly bytes: number }
  | { readonly type: 'warning'; readonly message: string };

/** The outcome of one gc run (of the plan, under `dryRun`). */
export interface GcResult {
  readonly versions: number;
  readonly packsBefore: number;
  /** Packs removed whole: unused ones and old debris (repacked ones are counted apart). */
  readonly packsDeleted: number;
  readonly packsRepacked: number;
  /** Packs in no index that held needed blobs and were added to the new index. */
  readonly packsRescued: number;
  /** Net: bytesBefore - bytesAfter. */
  readonly bytesFreed: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly blobsLive: number;
  readonly blobsRemoved: number;
  /** Blobs a version needs that no pack holds: the logbook was damaged before gc ran. */
  readonly blobsMissing: number;
}

/** Runs gc under an exclusive lock; throws E_LOCKED, E_CORRUPT (nothing removed) or backend errors. */
export async function gc(logbook: Logbook, options: GcOptions): Promise<GcResult> {
  const lock = await logbook.lock({ exclusive: true, purpose: 'gc', onStale: options.onStale });
  try {
    const { signal } = options;
    const emit = options.onProgress ?? (() => {});
    const warn = (message: string) => emit({ type: 'warning', message });
    const backend = logbook.backend;
    const survey = await surveyLogbook(backend, warn, signal);
    emit({ type: 'phase', phase: 'mark' });
    const marked = await mark(backend, survey.readIndex, signal);
    emit({ type: 'marked', versions: marked.versions, trees: marked.trees, blobs: marked.live.size });
    emit({ type: 'phase', phase: 'plan' });
    const plan = planSweep(survey, marked.live, Date.now() - options.graceMs, options.repackThreshold ?? 0.5);
    for (const message of plan.warnings) warn(message);
    if (options.dryRun === true) return summarize(survey, plan, marked, estimate(plan));
    const done = await applyPlan(backend, survey, plan, emit, signal);
    await cleanTempFiles(backend, options.graceMs, signal);
    return summarize(survey, plan, marked, done);
  } finally {
    logbook.invalidate();
    await lock.release();
  }
}

/** What applying the plan wrote. */
interface Applied {
  readonly written: readonly IndexPack[];
  readonly bytesWritten: number;
  readonly blobsCopied: number;
  /** Repack candidates with a damaged live blob: kept whole rather than copied. */
  readonly keptWhole: readonly string[];
}

/**
 * Writes, then removes, in the one order that keeps the logbook valid wherever gc is killed:
 * 1. new packs (until the index names them they are debris, and the old packs still hold everything);
 * 2. one index file superseding all others (readers now ignore the old files, and it lists only packs
 *    that exist);
 * 3. the old index files (already ignored);
 * 4. the dead and repacked packs, which no index names any more: if gc dies before, they are debris.
 */
async function applyPlan(
  backend: Backend,
  survey: Survey,
  plan: Plan,
  emit: (e: GcEvent) => void,
  signal?: AbortSignal,
): Promise<Applied> {
  emit({ type: 'phase', phase: 'repack' });
  const applied = await repack(backend, plan, emit, signal);
  if (!plan.rewriteIndex) return applied;
  emit({ type: 'phase', phase: 'index' });
  const kept = [...plan.keep].map(([id, blobs]) => ({ id, blobs }));
  // Packs kept whole for a damaged blob go last: a reader takes a blob's first location, the good copy.
  const keptWhole = applied.keptWhole.map((id) => ({ id, blobs: survey.indexed.get(id) ?? [] }));
  const packs = [...kept, ...applied.written, ...keptWhole];
  const { name, bytes } = await encodeIndex({ version: 1, packs, supersedes: survey.indexFiles });
  await backend.save({ type: 'index', name }, bytes, { signal });
  emit({ type: 'phase', phase: 'remove' });
  for (const file of survey.indexFiles) {
    if (file !== name) await backend.remove({ type: 'index', name: file }, { signal });
  }
  for (const id of gonePacks(plan, applied)) await backend.remove({ type: 'data', name: id }, { signal });
  return applied;
}

// A repack can write a pack that exists already as debris (a killed gc wrote the same blobs in the same
// order, so the same bytes and name): it must not be removed as debris after being written again.
function gonePacks(plan: Plan, applied: Applied): string[] {
  const written = new Set(applied.written.map((p) => p.id));
  const repacked = [...plan.repack.keys()].filter((id) => !applied.keptWhole.includes(id));
  return [...plan.remove, ...repacked].filter((id) => !written.has(id));
}

/** Copies the live blobs of repack candidates, stored bytes as they are, into new packs. */
async function repack(
  backend: Backend,
  plan: Plan,
  emit: (e: GcEvent) => void,
  signal?: AbortSignal,
): Promise<Applied> {
  const written: IndexPack[] = [];
  const keptWhole: string[] = [];
  const copied = new Set<string>();
  let bytesWritten = 0;
  let writer = new PackWriter();
  const save = async () => {
    const { id, bytes, blobs } = writer.finish();
    writer = new PackWriter();
    await backend.save({ type: 'data', name: id }, bytes, { signal });
    written.push({ id, blobs });
    bytesWritten += bytes.length;
  };
  let done = 0;
  for (const [pack, candidates] of plan.repack) {
    signal?.throwIfAborted();
    const copy = candidates.filter((b) => !copied.has(b.id));
    const stored =
      copy.length === 0
        ? []
        : verifiedCopies(await backend.load({ type: 'data', name: pack }, { signal }), copy);
    if (stored === undefined) {
      keptWhole.push(pack);
      emit({
        type: 'warning',
        message: `Pack ${pack.slice(0, 12)} has a damaged live blob; it is kept, not repacked`,
      });
    }
    for (const [i, b] of copy.entries()) {
      const bytes = stored?.[i];
      if (bytes === undefined) break;
      writer.add(b.id, b.type, bytes, b.rawLength);
      copied.add(b.id);
      if (writer.size >= PACK_TARGET_SIZE) await save();
    }
    emit({ type: 'repack', done: ++done, total: plan.repack.size, bytes: bytesWritten });
  }
  if (writer.count > 0) await save();
  return { written, bytesWritten, blobsCopied: copied.size, keptWhole };
}

// Copies (not views: a view would pin the whole source pack in memory) of blobs that decode to their id.
function verifiedCopies(pack: Uint8Array, blobs: readonly PackedBlob[]): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (const b of blobs) {
    if (b.offset + b.length > pack.length) return undefined;
    const stored = pack.slice(b.offset, b.offset + b.length);
    try {
      const plain = decodeBlob(stored, `blob ${b.id.slice(0, 12)}`);
      if (createHash('sha256').update(plain).digest('hex') !== b.id) return undefined;
    } catch (error) {
      if (isVmlError(error) && error.code === 'E_CORRUPT') return undefined;
      throw error;
    }
    out.push(stored);
  }
  return out;
}

// What a dry run would write: each live blob of the candidates once (pack trailers left out).
function estimate(plan: Plan): Applied {
  const unique = new Map([...plan.repack.values()].flat().map((b) => [b.id, b.length]));
  const bytesWritten = [...unique.values()].reduce((sum, length) => sum + length, 0);
  return { written: [], bytesWritten, blobsCopied: unique.size, keptWhole: [] };
}

/** DirBackend leaves `.tmp-*` files when a writer crashes; wrappers expose what they wrap as `base`. */
async function cleanTempFiles(backend: Backend, olderThanMs: number, signal?: AbortSignal): Promise<void> {
  type Cleaner = { cleanTempFiles(olderThanMs: number, options?: IoOptions): Promise<number> };
  for (let b: object | undefined = backend; b !== undefined; b = (b as { base?: object }).base) {
    if ('cleanTempFiles' in b && typeof b.cleanTempFiles === 'function') {
      await (b as Cleaner).cleanTempFiles(olderThanMs, { signal });
      return;
    }
  }
}

function summarize(survey: Survey, plan: Plan, marked: Marked, applied: Applied): GcResult {
  const size = (id: string) => survey.packs.get(id)?.size ?? 0;
  const count = (id: string) => (survey.indexed.get(id) ?? survey.unindexed.get(id) ?? []).length;
  const gone = gonePacks(plan, applied);
  const goneSet = new Set(gone);
  const bytesBefore = [...survey.packs.keys()].reduce((sum, id) => sum + size(id), 0);
  const bytesAfter = bytesBefore - gone.reduce((sum, id) => sum + size(id), 0) + applied.bytesWritten;
  return {
    versions: marked.versions,
    packsBefore: survey.packs.size,
    packsDeleted: plan.remove.filter((id) => goneSet.has(id)).length,
    packsRepacked: plan.repack.size - applied.keptWhole.length,
    packsRescued: plan.rescued.length,
    bytesFreed: bytesBefore - bytesAfter,
    bytesBefore,
    bytesAfter,
    blobsLive: marked.live.size,
    blobsRemoved: gone.reduce((sum, id) => sum + count(id), 0) - applied.blobsCopied,
    blobsMissing: plan.blobsMissing,
  };
}
