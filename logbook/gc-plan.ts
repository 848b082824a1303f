/**
 * The read-only half of gc: what the logbook holds (index files, packs, trailers of unindexed packs), which
 * blobs its versions reach, and what to do with each pack. Nothing here writes.
 */
import { isVmlError, VmlError } from '../core/errors.js';
import { type Backend, type FileInfo, isBackendError } from './backend/backend.js';
import { loadMasterIndex, readBlob } from './blob-store.js';
import { MasterIndex } from './format/index-file.js';
import { decodeManifest } from './format/manifest.js';
import { type PackedBlob, readPackTrailer } from './format/pack.js';
import { decodeTree, type TreeNode } from './format/tree.js';

/** What is in the logbook before gc touches it. */
export interface Survey {
  /** Every file under index/, damaged and superseded ones included: the new index supersedes them all. */
  readonly indexFiles: readonly string[];
  /** How many of them are readable and not superseded. */
  readonly currentIndexFiles: number;
  /** Packs an index lists that are not in data/; the new index leaves them out. */
  readonly missingPacks: number;
  /** Packs listed by the readable, current index files that exist in data/, with their blobs. */
  readonly indexed: ReadonlyMap<string, readonly PackedBlob[]>;
  /** Packs in data/ that no index lists, with their trailer (undefined when it is unreadable). */
  readonly unindexed: ReadonlyMap<string, readonly PackedBlob[] | undefined>;
  readonly packs: ReadonlyMap<string, FileInfo>;
  /** Indexed and unindexed packs together, so the mark can read trees whose index file was damaged. */
  readonly readIndex: MasterIndex;
}

/** Lists index files and packs and reads the trailers of unindexed packs; `warn` hears of damaged indexes. */
export async function surveyLogbook(
  backend: Backend,
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<Survey> {
  const indexFiles: string[] = [];
  for await (const info of backend.list('index', { signal })) indexFiles.push(info.name);
  const { index, files } = await loadMasterIndex(backend, (name, error) => {
    // An index from a newer VML may list packs this one cannot judge; superseding it would lose them.
    if (isVmlError(error) && error.code === 'E_LOGBOOK_NEWER') throw error;
    warn(`Index ${name.slice(0, 12)} is damaged; gc rescues the packs it listed from their trailers`);
  });
  const packs = new Map<string, FileInfo>();
  for await (const info of backend.list('data', { signal })) packs.set(info.name, info);
  const indexed = new Map<string, readonly PackedBlob[]>();
  const readIndex = new MasterIndex();
  let missingPacks = 0;
  for (const [id, blobs] of index.packs) {
    if (!packs.has(id)) {
      missingPacks++;
      warn(
        `Pack ${id.slice(0, 12)} is in the index but missing from the logbook; it is left out of the new index`,
      );
      continue;
    }
    const unique = uniqueBlobs(blobs);
    indexed.set(id, unique);
    readIndex.addPack(id, unique);
  }
  const unindexed = new Map<string, readonly PackedBlob[] | undefined>();
  for (const info of [...packs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (indexed.has(info.name)) continue;
    const blobs = await loadTrailer(backend, info, signal);
    unindexed.set(info.name, blobs);
    if (blobs) readIndex.addPack(info.name, blobs);
  }
  return { indexFiles, currentIndexFiles: files.length, missingPacks, indexed, unindexed, packs, readIndex };
}

// A pack listed by two index files appears twice in MasterIndex.packs; one entry per blob is enough.
function uniqueBlobs(blobs: readonly PackedBlob[]): PackedBlob[] {
  const seen = new Set<string>();
  return blobs.filter((b) => !seen.has(b.id) && seen.add(b.id));
}

/** uint32 trailer length + "VMLPACK1" at the end of every pack (pack.ts). */
const PACK_TAIL = 12;

/** Reads only the end of a pack: its blob list, or undefined when the pack is damaged or truncated. */
async function loadTrailer(
  backend: Backend,
  info: FileInfo,
  signal?: AbortSignal,
): Promise<PackedBlob[] | undefined> {
  const h = { type: 'data', name: info.name } as const;
  try {
    if (info.size < PACK_TAIL) return undefined;
    const tail = await backend.load(h, { offset: info.size - PACK_TAIL, length: PACK_TAIL, signal });
    const trailerLength = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
    const length = Math.min(info.size, trailerLength + PACK_TAIL);
    const blobs = readPackTrailer(
      await backend.load(h, { offset: info.size - length, length, signal }),
      info.name,
    );
    const end = info.size - length;
    return blobs.every((b) => b.offset >= 0 && b.length > 0 && b.offset + b.length <= end)
      ? blobs
      : undefined;
  } catch (error) {
    if (isVmlError(error) && error.code === 'E_CORRUPT') return undefined;
    if (isBackendError(error, 'NOT_FOUND') || isBackendError(error, 'RANGE')) return undefined;
    throw error;
  }
}

/** The outcome of the mark: every blob some version reaches. */
export interface Marked {
  readonly versions: number;
  readonly trees: number;
  /** Ids of every tree and data blob some version reaches. */
  readonly live: Set<string>;
}

/** Reads every manifest and walks its trees; any unreadable one aborts gc with E_CORRUPT. */
export async function mark(backend: Backend, index: MasterIndex, signal?: AbortSignal): Promise<Marked> {
  const pending: { id: string; path: string; version: string }[] = [];
  for await (const info of backend.list('snapshots', { signal })) {
    try {
      const m = decodeManifest(
        await backend.load({ type: 'snapshots', name: info.name }, { signal }),
        info.name,
      );
      pending.push({ id: m.tree, path: '', version: `${m.entry}@v${m.seq}` });
      if (typeof m.attachments === 'string') {
        pending.push({ id: m.attachments, path: '(attachments)', version: `${m.entry}@v${m.seq}` });
      }
    } catch (error) {
      if (isBackendError(error, 'NOT_FOUND')) continue; // removed (forgotten) after listing: nothing to keep
      throw damage(error, `version manifest ${info.name.slice(0, 12)} is unreadable`);
    }
  }
  const versions = pending.length;
  const live = new Set<string>();
  // Apart from `live`: a file whose bytes equal a tree's would otherwise hide that tree's children.
  const visited = new Set<string>();
  // Depth-first with a few reads in flight: each tree is read once however many versions share it.
  const worker = async () => {
    for (let next = pending.pop(); next; next = pending.pop()) {
      signal?.throwIfAborted();
      if (visited.has(next.id)) continue;
      visited.add(next.id);
      live.add(next.id);
      let nodes: readonly TreeNode[];
      try {
        nodes = decodeTree(await readBlob(backend, index, next.id), next.id).nodes;
      } catch (error) {
        pending.length = 0; // stops the other workers
        const dir = next.path === '' ? 'the root directory' : `directory "${next.path}"`;
        throw damage(error, `the tree of ${dir} in ${next.version} is unreadable`);
      }
      for (const node of nodes) {
        const path = next.path === '' ? node.name : `${next.path}/${node.name}`;
        if (node.subtree !== undefined) pending.push({ id: node.subtree, path, version: next.version });
        for (const id of node.content ?? []) live.add(id);
      }
    }
  };
  // A worker stops when the stack is momentarily empty; rerun until the last one leaves it empty for good.
  while (pending.length > 0) {
    await Promise.all(Array.from({ length: Math.max(1, backend.properties.connections) }, worker));
  }
  return { versions, trees: visited.size, live };
}

// Damage becomes E_CORRUPT naming what gc could not read; a dead backend or a newer format passes unchanged.
function damage(error: unknown, what: string): unknown {
  if (!isVmlError(error) || (error.code !== 'E_CORRUPT' && error.code !== 'E_UNSAFE_PATH')) return error;
  return new VmlError('E_CORRUPT', `Cannot run gc: ${what}: ${error.message}`, {
    hint: 'Nothing was removed. Run "vml-agent check" to see the damage; gc never sweeps on an incomplete mark',
    cause: error,
  });
}

/** Which packs stay, go, are repacked or rescued, and which blobs move. */
export interface Plan {
  readonly keep: ReadonlyMap<string, readonly PackedBlob[]>;
  readonly rescued: readonly string[];
  /** Repack candidates and the live blobs to copy out of each (none when kept packs hold them all). */
  readonly repack: ReadonlyMap<string, readonly PackedBlob[]>;
  /** Packs removed whole: dead indexed packs and old debris. */
  readonly remove: readonly string[];
  readonly blobsMissing: number;
  /** Whether the index files differ from one readable file listing exactly the kept packs. */
  readonly rewriteIndex: boolean;
  readonly warnings: readonly string[];
}

/** Decides the fate of every pack from the survey and the live set; `cutoffMs` is the grace limit. */
export function planSweep(
  survey: Survey,
  live: ReadonlySet<string>,
  cutoffMs: number,
  threshold: number,
): Plan {
  const keep = new Map<string, readonly PackedBlob[]>();
  const remove: string[] = [];
  const held = new Set<string>(); // live blobs that a kept pack, a rescued one or a repack will hold
  const candidates: string[] = [];
  for (const [id, blobs] of survey.indexed) {
    const liveBytes = blobs.reduce((sum, b) => sum + (live.has(b.id) ? b.length : 0), 0);
    // Blob bytes, not the file size: the trailer would make a small, fully live pack look half dead and
    // get it repacked into another such pack on every run.
    const storedBytes = blobs.reduce((sum, b) => sum + b.length, 0);
    if (liveBytes === 0) remove.push(id);
    else if (liveBytes / storedBytes < threshold) candidates.push(id);
    else keep.set(id, blobs);
    for (const b of blobs) if (live.has(b.id)) held.add(b.id);
  }
  const { rescued, debris, unreadable } = sortUnindexed(survey, live, held, cutoffMs);
  for (const id of rescued) keep.set(id, survey.unindexed.get(id) ?? []);
  remove.push(...debris);
  const repack = planRepack(survey, candidates, keep, live);
  const blobsMissing = [...live].filter((id) => !held.has(id)).length;
  const warnings: string[] = [];
  if (blobsMissing > 0) {
    warnings.push(`${blobsMissing} blobs that versions need are in no pack; run "vml-agent check"`);
    // Unreadable packs might hold them: then they stay for a human to look at.
    for (const id of unreadable) {
      warnings.push(`Pack ${id.slice(0, 12)} is unreadable and in no index; it is kept`);
    }
  } else {
    remove.push(...unreadable);
  }
  const changed = remove.length > 0 || repack.size > 0 || rescued.length > 0 || survey.missingPacks > 0;
  // More than one index file, or one that is damaged or superseded, is folded into a new one.
  const messy = survey.indexFiles.length > 1 || survey.currentIndexFiles !== survey.indexFiles.length;
  const rewriteIndex = changed || messy;
  return { keep, rescued, repack, remove, blobsMissing, rewriteIndex, warnings };
}

// Unindexed packs are debris of crashed backups or gcs, or the packs of a damaged index file.
function sortUnindexed(survey: Survey, live: ReadonlySet<string>, held: Set<string>, cutoffMs: number) {
  const rescued: string[] = [];
  const debris: string[] = [];
  const unreadable: string[] = [];
  for (const [id, blobs] of survey.unindexed) {
    // Young ones may belong to a backup that is still writing (its lock judged stale), so they wait.
    const old = (survey.packs.get(id)?.mtimeMs ?? 0) < cutoffMs;
    if (blobs === undefined) {
      if (old) unreadable.push(id);
    } else if (blobs.some((b) => live.has(b.id) && !held.has(b.id))) {
      // The only copy of blobs a version needs, whatever its age.
      rescued.push(id);
      for (const b of blobs) if (live.has(b.id)) held.add(b.id);
    } else if (old) {
      debris.push(id);
    }
  }
  return { rescued, debris, unreadable };
}

// A repack copies only blobs no kept pack holds already: the same blob can sit in two packs. Between
// candidates, the copy is chosen while repacking, where a damaged copy can be passed over.
function planRepack(
  survey: Survey,
  candidates: readonly string[],
  keep: ReadonlyMap<string, readonly PackedBlob[]>,
  live: ReadonlySet<string>,
): Map<string, PackedBlob[]> {
  const placed = new Set([...keep.values()].flatMap((blobs) => blobs.map((b) => b.id)));
  const repack = new Map<string, PackedBlob[]>();
  for (const id of candidates) {
    repack.set(
      id,
      (survey.indexed.get(id) ?? []).filter((b) => live.has(b.id) && !placed.has(b.id)),
    );
  }
  return repack;
}
