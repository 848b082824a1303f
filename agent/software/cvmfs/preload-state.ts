/**
 * The state file of a preloaded tree (`INTO/.vml-preload/FQRN.json`): what each path was written from, so
 * that a re-run skips what is already there and removes what a newer revision dropped. Written atomically;
 * a missing or unreadable state only costs a full download.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { explainFsError } from '../../../core/errors.js';

/** One path as written: kind, content key (files), size and mtime (seconds) set on it. */
export interface StateEntry {
  readonly k: 'dir' | 'file' | 'symlink';
  readonly h?: string;
  readonly s?: number;
  readonly m?: number;
}

export interface PreloadState {
  readonly version: 1;
  readonly fqrn: string;
  revision: number;
  root: string;
  /** Repository path → entry. */
  entries: Record<string, StateEntry>;
}

/** The directory holding state files and the object cache below `into`. */
export const STATE_DIR = '.vml-preload';

export function statePath(into: string, fqrn: string): string {
  return join(into, STATE_DIR, `${fqrn}.json`);
}

/** Reads the state of `fqrn` in `into`, or an empty one. */
export async function readState(into: string, fqrn: string): Promise<PreloadState> {
  try {
    const parsed = JSON.parse(await readFile(statePath(into, fqrn), 'utf8')) as PreloadState;
    if (parsed.version === 1 && parsed.fqrn === fqrn && typeof parsed.entries === 'object') return parsed;
  } catch {
    // No state, or a damaged one: start from scratch.
  }
  return { version: 1, fqrn, revision: -1, root: '', entries: {} };
}

/** Writes the state atomically (temporary file, then rename). */
export async function writeState(into: string, state: PreloadState): Promise<void> {
  const path = statePath(into, state.fqrn);
  try {
    await mkdir(join(into, STATE_DIR), { recursive: true });
    const temp = `${path}.tmp${process.pid}`;
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, path);
  } catch (error) {
    throw explainFsError(error, path);
  }
}
