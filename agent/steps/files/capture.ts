/**
 * Captures the files in scope into trees: scan (scan.ts), read the extended attributes of what changed,
 * read and chunk the changed files, then write the trees bottom-up. Returns the root tree id.
 */
import { type BigIntStats, closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { isVmlError } from '../../../core/errors.js';
import type { Output } from '../../../core/events.js';
import { isBackendError } from '../../../logbook/backend/backend.js';
import { Chunker } from '../../../logbook/format/chunker.js';
import type { TreeNode } from '../../../logbook/format/tree.js';
import type { Logbook } from '../../../logbook/logbook.js';
import type { VersionWriter } from '../../../logbook/version-writer.js';
import { ChunkPool } from './chunk-pool.js';
import { liveNode } from './live-node.js';
import type { Accounts } from './owners.js';
import { nodeType, type ScannedEntry, type ScanResult, scanRoot } from './scan.js';
import type { Scope } from './scope.js';
import { readXattrs } from './xattrs.js';

export interface CaptureOptions {
  readonly root: string;
  readonly scope: Scope;
  readonly logbook: Logbook;
  readonly writer: VersionWriter;
  readonly accounts: Accounts;
  readonly parentTree: string | undefined;
  readonly output: Output;
  readonly signal?: AbortSignal | undefined;
  /**
   * Root-relative paths stored with these bytes instead of the live file's (mode, owner and times stay the
   * live file's): the redacted copy of a file whose original a fact step sealed in the vault.
   */
  readonly substitutes?: ReadonlyMap<string, Uint8Array> | undefined;
}

export interface CaptureResult {
  readonly tree: string;
  readonly files: number;
  readonly dirs: number;
  readonly bytes: number;
  readonly filesRead: number;
  readonly bytesRead: number;
}

interface ReadResult {
  readonly content: string[];
  readonly sparse: boolean;
  /** Bytes actually read: differs from the scanned size when the file changed meanwhile. */
  readonly size: number;
}

/** Files up to this size are read on the main thread; bigger ones go to the chunking workers. */
const SMALL_FILE = 256 * 1024;
/** Small files are read whole into a buffer of this size; one that has grown past it goes to the workers. */
const READ_SIZE = 2 * SMALL_FILE;
/** Files read at once: enough to hide open/read latency of small files, few enough to bound memory. */
const FILE_CONCURRENCY = 4;

/** Runs the capture; see the module comment. */
export async function captureFiles(o: CaptureOptions): Promise<CaptureResult> {
  const scan = await scanRoot(o.root, o);
  const xattrs = await readXattrs(collectUncached(scan.root));
  const pool = new ChunkPool(o.logbook.config.chunker);
  let contents: Map<string, ReadResult>;
  try {
    contents = await readChangedFiles(o, scan, pool);
  } finally {
    await pool.close();
  }
  const tree = await writeTrees(o, scan.root, xattrs, contents);
  return {
    tree,
    files: scan.files,
    dirs: scan.dirs,
    bytes: scan.bytes,
    filesRead: contents.size,
    bytesRead: scan.bytesToRead,
  };
}

function collectUncached(dir: ScannedEntry, out: string[] = []): string[] {
  for (const child of dir.children ?? []) {
    if (!child.cached) out.push(child.abs);
    if (child.children) collectUncached(child, out);
  }
  return out;
}

async function readChangedFiles(
  o: CaptureOptions,
  scan: ScanResult,
  pool: ChunkPool,
): Promise<Map<string, ReadResult>> {
  const results = new Map<string, ReadResult>();
  const progress = { files: 0, bytes: 0 };
  const emitProgress = () =>
    o.output.emit({
      type: 'progress',
      phase: 'reading',
      files: progress.files,
      bytes: progress.bytes,
      totalFiles: scan.toRead.length,
      totalBytes: scan.bytesToRead,
    });
  let next = 0;
  const worker = async () => {
    // One read buffer per slot: allocating one per small file costs more than reading it.
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    while (next < scan.toRead.length) {
      const entry = scan.toRead[next++] as ScannedEntry;
      o.signal?.throwIfAborted();
      const read = await readOne(o, entry, buffer, pool, (n) => {
        progress.bytes += n;
      });
      progress.files++;
      if (read) results.set(entry.rel, read);
      emitProgress();
    }
  };
  await Promise.all(Array.from({ length: FILE_CONCURRENCY }, worker));
  return results;
}

/** Reads, chunks and stores one file; undefined when it vanished or cannot be read (with a warning). */
async function readOne(
  o: CaptureOptions,
  entry: ScannedEntry,
  buffer: Buffer,
  pool: ChunkPool,
  onBytes: (n: number) => void,
): Promise<ReadResult | undefined> {
  try {
    const given = o.substitutes?.get(entry.rel);
    if (given) {
      const { content } = await storeSmall(o, { bytes: given, after: entry.stat }, onBytes);
      return { content, sparse: false, size: given.length };
    }
    const small = entry.stat.size <= BigInt(SMALL_FILE) ? readSmall(entry.abs, buffer) : undefined;
    const { content, size, after } = small
      ? await storeSmall(o, small, onBytes)
      : await storeBig(o, entry.abs, pool, onBytes);
    if (after.mtimeNs !== entry.stat.mtimeNs || after.size !== entry.stat.size) {
      o.output.emit({
        type: 'warning',
        message: 'The file changed while it was read; the version holds the bytes as read',
        path: entry.rel,
      });
    }
    return { content, sparse: entry.stat.blocks * 512n < entry.stat.size, size };
  } catch (error) {
    // A failing logbook (disk full, I/O error, interrupt) is not this file's fault: it fails the backup.
    if (isVmlError(error) || isBackendError(error) || o.signal?.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'vanished before it could be read' : `cannot be read: ${(error as Error).message}`;
    o.output.emit({ type: 'warning', message: `Not saved: the file ${why}`, path: entry.rel });
    return undefined;
  }
}

interface Stored {
  readonly content: string[];
  /** Bytes actually stored: the node's size, even if the file changed while it was read. */
  readonly size: number;
  readonly after: { readonly mtimeNs: bigint; readonly size: bigint };
}

/** Chunks and stores a small file read on the main thread (one or a few chunks). */
async function storeSmall(
  o: CaptureOptions,
  small: { bytes: Uint8Array; after: BigIntStats },
  onBytes: (n: number) => void,
): Promise<Stored> {
  onBytes(small.bytes.length);
  const chunker = new Chunker(o.logbook.config.chunker);
  const content: string[] = [];
  // addChunk hashes and copies before its first await, so `small.bytes` (a view of the reused buffer) is safe.
  for (const chunk of [...chunker.push(small.bytes), ...chunker.finish()])
    content.push(await o.writer.addChunk(chunk));
  return { content, size: small.bytes.length, after: small.after };
}

/** Streams a big file through a chunking worker, so chunking and hashing run on both cores. */
async function storeBig(
  o: CaptureOptions,
  path: string,
  pool: ChunkPool,
  onBytes: (n: number) => void,
): Promise<Stored> {
  const content: string[] = [];
  let size = 0;
  const after = await pool.chunkFile(
    path,
    async (chunks) => {
      // Ctrl-C must not wait for a file of many GB to be read to its end.
      o.signal?.throwIfAborted();
      for (const { id, bytes } of chunks) {
        onBytes(bytes.length);
        size += bytes.length;
        content.push(id);
        await o.writer.addHashedChunk(id, bytes);
      }
    },
    o.signal,
  );
  return { content, size, after };
}

// O_NOFOLLOW: if a file was swapped for a symlink since the scan, do not read through it.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

/**
 * Small files are read with synchronous calls: four thread-pool round trips (open, read, fstat, close)
 * cost more than the read itself, and most files of a home are small. Undefined when the file has grown
 * past the buffer since the scan (then it is streamed).
 */
function readSmall(path: string, buffer: Buffer): { bytes: Uint8Array; after: BigIntStats } | undefined {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buffer.length) return undefined;
    }
    return { bytes: buffer.subarray(0, total), after: fstatSync(fd, { bigint: true }) };
  } finally {
    closeSync(fd);
  }
}

async function writeTrees(
  o: CaptureOptions,
  dir: ScannedEntry,
  xattrs: Map<string, Record<string, string>>,
  contents: Map<string, ReadResult>,
): Promise<string> {
  const nodes: TreeNode[] = [];
  for (const child of dir.children ?? []) {
    const node = await nodeOf(o, child, xattrs, contents);
    if (node) nodes.push(node);
  }
  return o.writer.addTree({ nodes });
}

async function nodeOf(
  o: CaptureOptions,
  e: ScannedEntry,
  xattrs: Map<string, Record<string, string>>,
  contents: Map<string, ReadResult>,
): Promise<TreeNode | undefined> {
  const s = e.stat;
  const type = nodeType(s);
  const base = { ...liveNode(e.name, s, o.accounts), xattrs: e.cached ? e.cached.xattrs : xattrs.get(e.abs) };
  switch (type) {
    case 'dir':
      return { ...base, subtree: await writeTrees(o, e, xattrs, contents) };
    case 'file': {
      const read = e.cached ?? contents.get(e.rel);
      if (!read) return undefined; // unreadable or vanished: warned about already
      return {
        ...base,
        // The size of the bytes stored, so the node agrees with its content even if the file changed.
        size: e.cached ? Number(s.size) : (read as ReadResult).size,
        content: read.content ?? [],
        sparse: read.sparse === true ? true : undefined,
      };
    }
    case 'symlink':
      try {
        return { ...base, target: await readlink(e.abs) };
      } catch {
        o.output.emit({ type: 'warning', message: 'Not saved: the symlink vanished', path: e.rel });
        return undefined;
      }
    default:
      return base;
  }
}
