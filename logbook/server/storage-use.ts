/**
 * How much one owner's namespace stores, and how well it deduplicates: the bytes of its packs against the
 * logical size of the versions they hold (the sum of each version's file bytes, as its manifest records).
 */

import { isVmlError } from '../../core/errors.js';
import type { Backend } from '../backend/backend.js';
import { Logbook } from '../logbook.js';

export interface StorageUse {
  /** False when the namespace holds no logbook yet (the user never backed up). */
  readonly logbook: boolean;
  readonly entries: number;
  readonly versions: number;
  readonly packs: number;
  /** Bytes of the pack files (compressed, deduplicated): what the disk holds. */
  readonly storedBytes: number;
  /** Bytes of index, manifest and other files besides packs. */
  readonly otherBytes: number;
  /** Sum over versions of the file bytes each captured: what restoring every version would write. */
  readonly logicalBytes: number;
  /** logicalBytes / storedBytes; undefined when nothing is stored. */
  readonly dedupRatio: number | undefined;
}

/** Measures a namespace by listing its files and reading its manifests (no pack is read). */
export async function storageUse(backend: Backend): Promise<StorageUse> {
  let logbook: Logbook;
  try {
    logbook = await Logbook.open(backend);
  } catch (error) {
    if (isVmlError(error) && error.code === 'E_NO_LOGBOOK') {
      return {
        logbook: false,
        entries: 0,
        versions: 0,
        packs: 0,
        storedBytes: 0,
        otherBytes: 0,
        logicalBytes: 0,
        dedupRatio: undefined,
      };
    }
    throw error;
  }
  let packs = 0;
  let storedBytes = 0;
  for await (const file of backend.list('data')) {
    packs += 1;
    storedBytes += file.size;
  }
  let otherBytes = 0;
  for (const type of ['index', 'snapshots', 'keys', 'config'] as const) {
    for await (const file of backend.list(type)) otherBytes += file.size;
  }
  // The namespace backend is shared by the server: the logbook is not closed here.
  const versions = await logbook.versions();
  const logicalBytes = versions.reduce((sum, v) => sum + v.manifest.stats.bytes, 0);
  return {
    logbook: true,
    entries: new Set(versions.map((v) => v.manifest.entry)).size,
    versions: versions.length,
    packs,
    storedBytes,
    otherBytes,
    logicalBytes,
    dedupRatio: storedBytes > 0 ? logicalBytes / storedBytes : undefined,
  };
}
