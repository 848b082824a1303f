/**
 * Copies one version from a logbook to another: every tree and file chunk it references (read verified,
 * re-packed into the target's own packs, deduplicated against what the target holds), then an index file,
 * then the manifest with the same bytes, so the copy has the same id. As with a backup, the manifest comes
 * last: a copy that fails part-way leaves only unreferenced data in the target, for gc. Copying again is
 * harmless. The server publishes versions this way (logbook/server/public/).
 */
import { createHash } from 'node:crypto';
import { BlobWriter } from './blob-store.js';
import { decodeManifest } from './format/manifest.js';
import type { BlobType } from './format/pack.js';
import type { Logbook } from './logbook.js';

export interface CopyResult {
  /** Blobs (trees and chunks) the version references, and how many of them the target lacked. */
  readonly blobs: number;
  readonly blobsAdded: number;
  readonly bytesAdded: number;
}

/**
 * Copies the version whose manifest is `manifestBytes` from `source` into `target`. The caller holds locks
 * that keep gc out of both logbooks while this runs (a shared lock on each).
 */
export async function copyVersion(
  source: Logbook,
  target: Logbook,
  manifestBytes: Uint8Array,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<CopyResult> {
  const id = createHash('sha256').update(manifestBytes).digest('hex');
  const manifest = decodeManifest(manifestBytes, id);
  const blobs = await referencedBlobs(source, [manifest.tree, manifest.attachments]);
  const writer = new BlobWriter(target.backend, await target.index());
  try {
    for (const [blob, type] of blobs) {
      options.signal?.throwIfAborted();
      if (!writer.has(blob)) await writer.add(blob, type, await source.readBlob(blob));
    }
    await writer.flush();
  } catch (error) {
    await writer.settle();
    throw error;
  }
  await target.backend.save({ type: 'snapshots', name: id }, manifestBytes);
  target.forgetVersions();
  return { blobs: blobs.size, ...writer.stats };
}

/** Every blob reachable from the given trees, with its type: trees first, then the chunks of their files. */
async function referencedBlobs(
  logbook: Logbook,
  roots: readonly (string | undefined)[],
): Promise<Map<string, BlobType>> {
  const found = new Map<string, BlobType>();
  const visit = async (treeId: string): Promise<void> => {
    if (found.has(treeId)) return;
    found.set(treeId, 'tree');
    for (const node of (await logbook.readTree(treeId)).nodes) {
      if (node.type === 'dir' && node.subtree !== undefined) await visit(node.subtree);
      for (const chunk of node.content ?? []) if (!found.has(chunk)) found.set(chunk, 'data');
    }
  };
  for (const root of roots) if (root !== undefined) await visit(root);
  return found;
}
