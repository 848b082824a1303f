/**
 * What became of the last backup at shutdown, kept in the root so the next boot's login warnings can say
 * that it failed or was skipped. It is written as "running" before the backup starts: a record still saying
 * so at the next boot means the backup was killed (stop timeout, power cut) before it could say anything.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where the record lives, relative to the root. */
export const SHUTDOWN_RECORD = 'var/lib/vml/last-shutdown.json';

export interface ShutdownRecord {
  readonly format: 1;
  /** When the backup started (or was skipped). */
  readonly time: string;
  readonly outcome: 'running' | 'done' | 'skipped' | 'failed';
  /** `entry@vN`, when done. */
  readonly version?: string | undefined;
  /** The skip rule, or the error code of a failure. */
  readonly code?: string | undefined;
  /** Why it was skipped or failed; never a secret's value. */
  readonly message?: string | undefined;
}

/** Writes the record atomically: a backup killed half-way through must not leave half a record. */
export async function writeShutdownRecord(
  root: string,
  record: Omit<ShutdownRecord, 'format'>,
): Promise<void> {
  const path = join(root, SHUTDOWN_RECORD);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify({ format: 1, ...record })}\n`, { mode: 0o644 });
  await rename(temp, path);
}

/** The record, or undefined when there is none or it cannot be parsed. */
export async function readShutdownRecord(root: string): Promise<ShutdownRecord | undefined> {
  try {
    const value = JSON.parse(await readFile(join(root, SHUTDOWN_RECORD), 'utf8')) as ShutdownRecord;
    return value.format === 1 && typeof value.outcome === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
