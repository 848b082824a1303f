/**
 * The history database (the manifest's `H` object): named tags, each pointing to a root catalog of one
 * revision. Used to find the root catalog of an older revision.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VmlError } from '../../../core/errors.js';
import { type ContentHash, parseHash } from './hash.js';
import { num, openReadOnly } from './sqlite.js';

export interface Tag {
  readonly name: string;
  readonly revision: number;
  readonly rootCatalog: ContentHash;
  readonly timestamp: number;
  readonly description: string;
}

/** Reads every tag of an inflated history database. */
export async function readTags(data: Uint8Array, options: { tempDir: string; what: string }): Promise<Tag[]> {
  const file = join(options.tempDir, `history-${process.pid}-${Date.now()}.sqlite`);
  await writeFile(file, data);
  const db = await openReadOnly(file, options.what);
  try {
    const rows = db.prepare('SELECT name, hash, revision, timestamp, description FROM tags').all();
    return rows.map((r) => ({
      name: String(r.name),
      revision: num(r.revision),
      rootCatalog: parseHash(String(r.hash), `tag "${String(r.name)}" of ${options.what}`),
      timestamp: num(r.timestamp),
      description: String(r.description ?? ''),
    }));
  } catch (error) {
    if (error instanceof VmlError) throw error;
    throw new VmlError('E_CORRUPT', `Cannot read the tags of ${options.what}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    db.close();
    await rm(file, { force: true });
  }
}
