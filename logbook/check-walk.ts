/**
 * The problems check collects, and the tree walk that turns damaged blobs and trees into the versions and
 * file paths they cost. The walk runs after the damage is known, so it records only references to damage.
 */
import { isVmlError } from '../core/errors.js';
import type { Backend } from './backend/backend.js';
import { readBlob } from './blob-store.js';
import type { MasterIndex } from './format/index-file.js';
import type { BlobType } from './format/pack.js';
import { decodeTree, type Tree } from './format/tree.js';

/** error: data is lost or unreachable; warning: worth a look; info: gc tidies it. */
export type Severity = 'error' | 'warning' | 'info';
/** What kind of thing is damaged: the logbook's file types, plus trees, blobs and debris. */
export type ProblemKind = 'config' | 'index' | 'pack' | 'manifest' | 'tree' | 'blob' | 'debris';

/** A version (`entry@vN`) and a path in it; path '' means the whole version. */
export interface Affected {
  readonly version: string;
  readonly path: string;
}

/** One finding of check. */
export interface Problem {
  readonly severity: Severity;
  readonly kind: ProblemKind;
  /** The file (index, pack, manifest name) or blob id. */
  readonly name: string;
  /** Sentence case, no trailing period. */
  readonly message: string;
  readonly affects: Affected[];
}

/** Why a blob cannot be read from the location readers use. */
export interface Damage {
  readonly pack: string;
  readonly type: BlobType;
  /** Follows "Blob is unreadable: ". */
  readonly why: string;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

type Draft = { -readonly [K in keyof Problem]: Problem[K] };

/** Problems keyed by kind and name, so every reference to one damaged thing lands in one problem. */
export class ProblemList {
  readonly #problems = new Map<string, { problem: Draft; seen: Set<string> }>();

  /** Records a problem; a second one for the same kind and name is ignored. */
  add(severity: Severity, kind: ProblemKind, name: string, message: string): void {
    const key = `${kind}:${name}`;
    if (this.#problems.has(key)) return;
    this.#problems.set(key, { problem: { severity, kind, name, message, affects: [] }, seen: new Set() });
  }

  /** Whether any problem of this kind was recorded. */
  has(kind: ProblemKind): boolean {
    return [...this.#problems.values()].some((p) => p.problem.kind === kind);
  }

  /** Adds a version and path to an existing problem (no-op when there is none). */
  affect(kind: ProblemKind, name: string, affected: Affected): void {
    const entry = this.#problems.get(`${kind}:${name}`);
    const key = `${affected.version}\0${affected.path}`;
    if (entry === undefined || entry.seen.has(key)) return;
    entry.seen.add(key);
    entry.problem.affects.push(affected);
  }

  /** Adds damage no version uses, softens pack problems that cost nothing, and sorts by severity. */
  finish(damage: ReadonlyMap<string, Damage>): Problem[] {
    const reported = (kind: ProblemKind, name: string) => this.#problems.has(`${kind}:${name}`);
    for (const [id, d] of damage) {
      if (reported('blob', id) || reported('tree', id) || reported('pack', d.pack)) continue;
      this.add('warning', 'blob', id, `Blob is unreadable, but no version uses it: ${d.why}`);
    }
    const out: Problem[] = [];
    for (const { problem } of this.#problems.values()) {
      if (problem.kind === 'pack' && problem.severity === 'error' && problem.affects.length === 0) {
        problem.severity = 'warning';
        problem.message += '; no version uses its blobs';
      }
      out.push(problem);
    }
    return out.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  }
}

/** What the walk reads from and reports to. */
export interface WalkContext {
  readonly backend: Backend;
  readonly index: MasterIndex;
  readonly damage: ReadonlyMap<string, Damage>;
  readonly problems: ProblemList;
  /** Whether an index file was unreadable: then a missing blob may just be unindexed. */
  readonly indexDamaged: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** Walks every version's trees, attributing damage to versions and paths. */
export async function walkVersions(
  ctx: WalkContext,
  versions: readonly {
    readonly label: string;
    readonly tree: string;
    readonly attachments?: string | undefined;
  }[],
  onVersion: (done: number) => void,
): Promise<void> {
  // Trees whose whole subtree is sound: later versions sharing them skip them, so each is read about once.
  const sound = new Set<string>();
  let done = 0;
  for (const v of versions) {
    await walkTree(ctx, sound, v.label, v.tree, '');
    if (v.attachments !== undefined) await walkTree(ctx, sound, v.label, v.attachments, '(attachments)');
    onVersion(++done);
  }
}

async function walkTree(
  ctx: WalkContext,
  sound: Set<string>,
  version: string,
  id: string,
  dir: string,
): Promise<boolean> {
  if (sound.has(id)) return true;
  ctx.signal?.throwIfAborted();
  let tree: Tree;
  try {
    tree = decodeTree(await readBlob(ctx.backend, ctx.index, id), id);
  } catch (error) {
    // Anything but damage (a dead backend, an abort) ends the check.
    if (!isVmlError(error) || (error.code !== 'E_CORRUPT' && error.code !== 'E_UNSAFE_PATH')) throw error;
    const why = ctx.damage.get(id)?.why ?? reason(error);
    ctx.problems.add('error', 'tree', id, `Tree is unreadable, so the files under it are unknown: ${why}`);
    attribute(ctx, 'tree', id, { version, path: dir });
    return false;
  }
  let ok = true;
  for (const node of tree.nodes) {
    const path = dir === '' ? node.name : `${dir}/${node.name}`;
    if (node.subtree !== undefined) ok = (await walkTree(ctx, sound, version, node.subtree, path)) && ok;
    for (const blob of node.content ?? []) ok = checkBlob(ctx, blob, { version, path }) && ok;
  }
  if (ok) sound.add(id);
  return ok;
}

function checkBlob(ctx: WalkContext, id: string, affected: Affected): boolean {
  const damage = ctx.damage.get(id);
  if (damage === undefined && ctx.index.has(id)) return true;
  if (damage !== undefined) ctx.problems.add('error', 'blob', id, `Blob is unreadable: ${damage.why}`);
  else if (ctx.indexDamaged) {
    ctx.problems.add(
      'error',
      'blob',
      id,
      'Blob is in no readable index: if a damaged index file listed it, gc re-indexes its pack',
    );
  } else ctx.problems.add('error', 'blob', id, 'Blob is missing from the logbook');
  attribute(ctx, 'blob', id, affected);
  return false;
}

// The problem itself, and the problem of the pack that holds the damaged copy, if the pack has one.
function attribute(ctx: WalkContext, kind: 'tree' | 'blob', id: string, affected: Affected): void {
  ctx.problems.affect(kind, id, affected);
  const pack = ctx.damage.get(id)?.pack;
  if (pack !== undefined) ctx.problems.affect('pack', pack, affected);
}

/** The error's message with a lowercase first letter, to follow a colon. */
export function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.charAt(0).toLowerCase() + message.slice(1);
}
