/**
 * The restore report: what the last restore could not bring back (credentials, packages, mounts,
 * repositories, files), kept in the root so the login warnings can show it at every login until the next
 * restore. Never holds a secret's value: only paths, names and the command that brings each one back.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RestoreProblem } from '../steps/step.js';

/** Where the report lives, relative to the root. */
export const RESTORE_REPORT = 'var/lib/vml/last-restore.json';

export const RESTORE_REPORT_FORMAT = 1;

export interface RestoreReport {
  readonly format: number;
  /** `entry@vN` that was restored. */
  readonly version: string;
  readonly time: string;
  /** The safety version taken before, if any: how to go back. */
  readonly safety?: string | undefined;
  readonly problems: readonly RestoreProblem[];
}

/** Writes the report atomically (a reader at login never sees half of it); readable by all, like motd. */
export async function writeRestoreReport(root: string, report: Omit<RestoreReport, 'format'>): Promise<void> {
  const path = join(root, RESTORE_REPORT);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify({ format: RESTORE_REPORT_FORMAT, ...report }, null, 2)}\n`, {
    mode: 0o644,
  });
  await rename(temp, path);
}
