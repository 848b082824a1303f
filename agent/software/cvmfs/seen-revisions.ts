/**
 * Rollback detection: the highest manifest revision seen of each repository, kept in a small JSON file.
 * A correctly signed manifest with a lower revision is an old one replayed (by a stale mirror or an
 * attacker holding back updates); the CernVM-FS client refuses it too.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VmlError } from '../../../core/errors.js';

type Seen = Record<string, number>;

async function readSeen(file: string): Promise<Seen> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Seen;
  } catch {
    // No record yet (or an unreadable one): nothing was seen.
  }
  return {};
}

/** Throws E_CORRUPT when `revision` of `fqrn` is lower than the highest one recorded in `file`. */
export async function checkRollback(file: string, fqrn: string, revision: number): Promise<void> {
  const seen = (await readSeen(file))[fqrn];
  if (typeof seen === 'number' && revision < seen) {
    throw new VmlError(
      'E_CORRUPT',
      `Refusing the manifest of "${fqrn}": it is revision ${revision}, but revision ${seen} was seen before (a rolled-back or replayed repository)`,
      {
        hint: `The server may be a stale mirror: try another one (--server). If the maintainers really rolled the repository back, remove "${fqrn}" from ${file}`,
      },
    );
  }
}

/**
 * Records `revision` of `fqrn` if it is the highest so far. Returns false when the file cannot be written
 * (a read-only root): the check then only protects against what was recorded before.
 */
export async function recordRevision(file: string, fqrn: string, revision: number): Promise<boolean> {
  const seen = await readSeen(file);
  if ((seen[fqrn] ?? -1) >= revision) return true;
  seen[fqrn] = revision;
  try {
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.tmp${process.pid}`;
    await writeFile(temp, `${JSON.stringify(seen, null, 2)}\n`);
    await rename(temp, file);
    return true;
  } catch {
    return false;
  }
}
