/**
 * Applies a restore plan. Files and symlinks are written under a temporary name in their directory and
 * renamed into place, so a reader (or a crash) never sees half a file; directory metadata is set last,
 * children first, so writing into a directory does not spoil its restored mtime.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  chmod,
  type FileHandle,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  realpath,
  rename,
  rm,
  symlink,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Output } from '../../core/events.js';
import type { TreeNode } from '../../logbook/format/tree.js';
import type { Logbook } from '../../logbook/logbook.js';
import type { Accounts } from '../steps/files/owners.js';
import { writeXattrs } from '../steps/files/xattrs.js';
import type { PlannedAction, RestorePlan } from './plan.js';
import { safeTarget } from './safe-path.js';

const run = promisify(execFile);

export interface ApplyOptions {
  readonly root: string;
  readonly logbook: Logbook;
  readonly plan: RestorePlan;
  /** Accounts of the target root: names in the version map to its ids. */
  readonly accounts: Accounts;
  readonly output: Output;
  readonly signal?: AbortSignal | undefined;
}

export interface ApplyResult {
  readonly bytesWritten: number;
  readonly problems: string[];
}

interface Ctx extends ApplyOptions {
  readonly realRoot: string;
  readonly links: Map<string, string>;
  /** Directories known to be real and inside the root (see safeTarget). */
  readonly verified: Set<string>;
  readonly xattrs: Map<string, Record<string, string>>;
  readonly problems: string[];
  bytesWritten: number;
  done: number;
}

/** Runs the plan; per-file problems (owner, device nodes) are collected for the restore report. */
export async function applyRestore(o: ApplyOptions): Promise<ApplyResult> {
  await mkdir(o.root, { recursive: true });
  const ctx: Ctx = {
    ...o,
    realRoot: await realpath(o.root),
    links: new Map(),
    verified: new Set(),
    xattrs: new Map(),
    problems: [],
    bytesWritten: 0,
    done: 0,
  };
  for (const r of o.plan.removals) {
    const abs = await safeTarget(o.root, ctx.realRoot, r.path);
    await rm(abs, { recursive: true, force: true });
  }
  const total = o.plan.writes.length + o.plan.metadata.length;
  const step = async (w: PlannedAction) => {
    o.signal?.throwIfAborted();
    await writeNode(ctx, w);
    ctx.done++;
    o.output.emit({
      type: 'progress',
      phase: 'restoring',
      files: ctx.done,
      bytes: ctx.bytesWritten,
      totalFiles: total,
    });
  };
  // Directories first, parents before children; then files at WRITE_CONCURRENCY at once (their directories
  // exist); names of a hard-link group that link to an earlier name go last, when that name is there.
  const leaders = new Map<string, PlannedAction>();
  for (const w of o.plan.writes)
    if (w.node?.hardlink && !leaders.has(w.node.hardlink)) leaders.set(w.node.hardlink, w);
  const isFollower = (w: PlannedAction) =>
    w.node?.hardlink !== undefined && leaders.get(w.node.hardlink) !== w;
  for (const w of o.plan.writes) if (w.node?.type === 'dir') await step(w);
  await runConcurrently(
    o.plan.writes.filter((w) => w.node?.type !== 'dir' && !isFollower(w)),
    WRITE_CONCURRENCY,
    step,
  );
  for (const w of o.plan.writes) if (w.node?.type !== 'dir' && isFollower(w)) await step(w);
  const dirs = new Map<string, TreeNode>();
  for (const m of [...o.plan.writes, ...o.plan.metadata]) {
    if (m.node?.type === 'dir') dirs.set(m.path, m.node);
    else if (m.action === 'metadata')
      await setMetadata(
        ctx,
        await safeTarget(o.root, ctx.realRoot, m.path, ctx.verified),
        m.node as TreeNode,
      );
  }
  // Writing or removing a child changed its directory's mtime: set every touched directory again.
  for (const m of [...o.plan.writes, ...o.plan.removals]) {
    for (let dir = parentOf(m.path); dir !== ''; dir = parentOf(dir)) {
      const node = o.plan.directories.get(dir);
      if (node && !dirs.has(dir)) dirs.set(dir, node);
    }
  }
  ctx.problems.push(...(await writeXattrs(ctx.xattrs)));
  const order = [...dirs.keys()].sort((a, b) => (a < b ? 1 : -1));
  for (const d of order)
    await setMetadata(ctx, await safeTarget(o.root, ctx.realRoot, d, ctx.verified), dirs.get(d) as TreeNode);
  return { bytesWritten: ctx.bytesWritten, problems: ctx.problems };
}

/** Files written at once: enough to overlap the many small I/O calls of small files. */
const WRITE_CONCURRENCY = 8;

async function runConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

async function writeNode(ctx: Ctx, w: PlannedAction): Promise<void> {
  const node = w.node as TreeNode;
  const abs = await safeTarget(ctx.root, ctx.realRoot, w.path, ctx.verified);
  const existing = await lstat(abs).catch(() => undefined);
  if (node.type === 'dir') {
    // A symlink outside the recipe's scope (say /home -> /data/home) is the admin's: follow it when it
    // stays inside the root, refuse otherwise. Inside the scope, the version's directory replaces it.
    if (existing?.isSymbolicLink() && w.action === 'create') {
      await safeTarget(ctx.root, ctx.realRoot, `${w.path}/.`);
      return;
    }
    if (existing && !existing.isDirectory()) await rm(abs, { force: true });
    if (!existing?.isDirectory()) await mkdir(abs, { mode: 0o700 });
    if (node.xattrs) ctx.xattrs.set(abs, { ...node.xattrs });
    return;
  }
  if (existing?.isDirectory()) await rm(abs, { recursive: true, force: true });
  const temp = join(dirname(abs), `.vml-restore-${randomBytes(6).toString('hex')}`);
  try {
    const first = node.hardlink ? ctx.links.get(node.hardlink) : undefined;
    if (first) {
      await link(first, temp);
      await rename(temp, abs);
      return; // the first name of the group already carries the metadata
    }
    await createAt(ctx, temp, node);
    await setMetadata(ctx, temp, node);
    await rename(temp, abs);
    if (node.hardlink) ctx.links.set(node.hardlink, abs);
    if (node.xattrs && node.type !== 'symlink') ctx.xattrs.set(abs, { ...node.xattrs });
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function createAt(ctx: Ctx, path: string, node: TreeNode): Promise<void> {
  switch (node.type) {
    case 'file':
      return writeContent(ctx, path, node);
    case 'symlink':
      return symlink(node.target as string, path);
    case 'fifo':
      await run('mkfifo', ['-m', '600', path]);
      return;
    case 'chardev':
    case 'blockdev': {
      const rdev = node.rdev ?? 0;
      // Linux dev_t: major in bits 8-19 (and 32+), minor in bits 0-7 and 20-31.
      const major = ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
      const minor = (rdev & 0xff) | ((rdev >> 12) & ~0xff);
      await run('mknod', [
        '-m',
        '600',
        path,
        node.type === 'chardev' ? 'c' : 'b',
        String(major),
        String(minor),
      ]);
      return;
    }
    default:
      ctx.problems.push(`Not restored: sockets cannot be recreated (${node.name})`);
      throw new Error('socket');
  }
}

async function writeContent(ctx: Ctx, path: string, node: TreeNode): Promise<void> {
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    let position = 0;
    for await (const chunk of ctx.logbook.readFile(node, { signal: ctx.signal })) {
      if (node.sparse) await writeSparse(handle, chunk, position);
      else await handle.write(chunk, 0, chunk.length, position);
      position += chunk.length;
      ctx.bytesWritten += chunk.length;
    }
    if (node.sparse) await handle.truncate(position);
  } finally {
    await handle.close();
  }
}

const BLOCK = 4096;

/** Sparse files get their holes back: all-zero 4 KiB blocks are skipped, not written. */
async function writeSparse(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let start = -1;
  for (let block = 0; block < chunk.length; block += BLOCK) {
    const zero = isZero(chunk, block, Math.min(block + BLOCK, chunk.length));
    if (!zero && start < 0) start = block;
    if (zero && start >= 0) {
      await handle.write(chunk, start, block - start, position + start);
      start = -1;
    }
  }
  if (start >= 0) await handle.write(chunk, start, chunk.length - start, position + start);
}

function isZero(chunk: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (chunk[i] !== 0) return false;
  return true;
}

async function setMetadata(ctx: Ctx, path: string, node: TreeNode): Promise<void> {
  const uid = (node.user === undefined ? undefined : ctx.accounts.userId.get(node.user)) ?? node.uid;
  const gid = (node.group === undefined ? undefined : ctx.accounts.groupId.get(node.group)) ?? node.gid;
  if (process.getuid?.() === 0) await lchown(path, uid, gid);
  else if (uid !== process.getuid?.() && ctx.problems.length < 1000) {
    ctx.problems.push(`Owner not restored (needs root): ${node.name} belongs to ${node.user ?? uid}`);
  }
  if (node.type !== 'symlink') await chmod(path, node.mode);
  const ns = BigInt(node.mtime);
  // libuv keeps whole microseconds of a double: aim at the middle of the microsecond, so the double's
  // error (about 0.2 µs at today's dates) cannot tip it into the one before.
  const micros = (ns % 1_000_000_000n) / 1000n;
  const seconds = Number(ns / 1_000_000_000n) + (Number(micros) * 1000 + 500) / 1e9;
  await lutimes(path, seconds, seconds);
}
