/**
 * Phase one of a files capture: walk the root, keep what the scope keeps, and decide per file whether the
 * parent version's node can be reused (the stat cache: same size, mtime, ctime and inode means the file is
 * neither read nor hashed). The totals of what must be read drive the progress display.
 */
import type { BigIntStats } from 'node:fs';
import { lstatSync, readdirSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Output } from '../../../core/events.js';
import type { TreeNode } from '../../../logbook/format/tree.js';
import type { Logbook } from '../../../logbook/logbook.js';
import type { Scope } from './scope.js';

export interface ScannedEntry {
  readonly name: string;
  readonly abs: string;
  readonly rel: string;
  readonly stat: BigIntStats;
  /** The parent version's node when metadata says nothing changed (files: content reused). */
  readonly cached: TreeNode | undefined;
  /** Directories: kept children. */
  readonly children?: ScannedEntry[];
}

export interface ScanResult {
  readonly root: ScannedEntry;
  readonly toRead: ScannedEntry[];
  readonly bytesToRead: number;
  readonly files: number;
  readonly dirs: number;
  readonly bytes: number;
}

interface ScanContext {
  readonly scope: Scope;
  readonly substitutes?: ReadonlyMap<string, Uint8Array> | undefined;
  readonly logbook: Logbook;
  readonly output: Output;
  readonly rootDev: bigint;
  readonly result: {
    toRead: ScannedEntry[];
    bytesToRead: number;
    files: number;
    dirs: number;
    bytes: number;
  };
  readonly signal?: AbortSignal | undefined;
}

/** Walks `root` under `scope`; `parentTree` is the root tree of the version to reuse unchanged files from. */
export async function scanRoot(
  root: string,
  options: {
    scope: Scope;
    logbook: Logbook;
    parentTree: string | undefined;
    output: Output;
    signal?: AbortSignal | undefined;
    /** Paths whose content is given (see CaptureOptions.substitutes): always read, never cached. */
    substitutes?: ReadonlyMap<string, Uint8Array> | undefined;
  },
): Promise<ScanResult> {
  const stat = await lstat(root, { bigint: true });
  const result = { toRead: [], bytesToRead: 0, files: 0, dirs: 0, bytes: 0 };
  const ctx: ScanContext = { ...options, rootDev: stat.dev, result };
  const parent = await subtreeNodes(options.logbook, options.parentTree);
  const children = await scanDir(ctx, root, '', options.scope.rootFlags(), parent);
  return { root: { name: '', abs: root, rel: '', stat, cached: undefined, children }, ...result };
}

async function subtreeNodes(logbook: Logbook, id: string | undefined): Promise<Map<string, TreeNode>> {
  if (id === undefined) return new Map();
  try {
    return new Map((await logbook.readTree(id)).nodes.map((n) => [n.name, n]));
  } catch {
    return new Map(); // an unreadable parent tree only costs a re-read of the files
  }
}

async function scanDir(
  ctx: ScanContext,
  abs: string,
  rel: string,
  flags: readonly boolean[],
  parent: Map<string, TreeNode>,
): Promise<ScannedEntry[]> {
  ctx.signal?.throwIfAborted();
  let names: string[];
  try {
    names = readdirSync(abs).sort();
  } catch (error) {
    ctx.output.emit({
      type: 'warning',
      message: `Cannot list directory: ${(error as Error).message}`,
      path: rel || '.',
    });
    return [];
  }
  const kept: ScannedEntry[] = [];
  // Synchronous metadata calls: a scan has nothing else to do meanwhile, and a thread-pool round trip per
  // entry would cost more than the lstat itself.
  for (const name of names) {
    const childAbs = join(abs, name);
    const childRel = rel === '' ? name : `${rel}/${name}`;
    let stat: BigIntStats;
    try {
      stat = lstatSync(childAbs, { bigint: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT')
        ctx.output.emit({
          type: 'warning',
          message: `Cannot stat: ${(error as Error).message}`,
          path: childRel,
        });
      continue; // a file that vanished between readdir and lstat is simply not part of this version
    }
    const entry = await scanEntry(ctx, name, childAbs, childRel, stat, flags, parent.get(name));
    if (entry) kept.push(entry);
  }
  return kept;
}

async function scanEntry(
  ctx: ScanContext,
  name: string,
  abs: string,
  rel: string,
  stat: BigIntStats,
  flags: readonly boolean[],
  previous: TreeNode | undefined,
): Promise<ScannedEntry | undefined> {
  const isDir = stat.isDirectory();
  const verdict = ctx.scope.judge(rel, isDir, flags);
  if (!isDir) {
    if (!verdict.keep || stat.isSocket()) return undefined;
    return scanLeaf(ctx, name, abs, rel, stat, previous);
  }
  if (!verdict.descend) return undefined;
  const crossesMount = ctx.scope.oneFileSystem && stat.dev !== ctx.rootDev;
  const parent =
    previous?.type === 'dir'
      ? await subtreeNodes(ctx.logbook, previous.subtree)
      : new Map<string, TreeNode>();
  // A mount point stays as an empty directory, as with restic's --one-file-system.
  const children = crossesMount ? [] : await scanDir(ctx, abs, rel, ctx.scope.keptBy(rel, flags), parent);
  if (!verdict.keep && children.length === 0) return undefined;
  ctx.result.dirs++;
  const cached = previous?.type === 'dir' && sameMetadata(previous, stat) ? previous : undefined;
  return { name, abs, rel, stat, cached, children };
}

function scanLeaf(
  ctx: ScanContext,
  name: string,
  abs: string,
  rel: string,
  stat: BigIntStats,
  previous: TreeNode | undefined,
): ScannedEntry | undefined {
  const limit = ctx.scope.maxFileSize;
  if (stat.isFile() && limit !== undefined && stat.size > BigInt(limit)) {
    ctx.output.emit({
      type: 'warning',
      message: `Skipped: ${stat.size} bytes is over the recipe's maxFileSize`,
      path: rel,
    });
    return undefined;
  }
  const cached =
    previous && previous.type === nodeType(stat) && sameMetadata(previous, stat) && !ctx.substitutes?.has(rel)
      ? previous
      : undefined;
  const entry: ScannedEntry = { name, abs, rel, stat, cached };
  if (stat.isFile()) {
    ctx.result.files++;
    ctx.result.bytes += Number(stat.size);
    if (!cached) {
      ctx.result.toRead.push(entry);
      ctx.result.bytesToRead += Number(stat.size);
    }
  }
  return entry;
}

/** The stat cache's key: nothing about a file can change without changing one of these. */
function sameMetadata(node: TreeNode, stat: BigIntStats): boolean {
  return (
    node.mtime === stat.mtimeNs.toString() &&
    node.ctime === stat.ctimeNs.toString() &&
    node.inode === stat.ino.toString() &&
    (node.type !== 'file' || node.size === Number(stat.size))
  );
}

/** The tree node type of a stat result. */
export function nodeType(stat: BigIntStats): TreeNode['type'] {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice()) return 'chardev';
  if (stat.isBlockDevice()) return 'blockdev';
  return 'socket';
}
