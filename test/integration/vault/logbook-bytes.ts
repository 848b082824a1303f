/**
 * Every byte a `dir:` logbook holds, in the forms a reader could get at it: each file as stored (config,
 * keys, index, manifests, locks, packs) and each blob of each pack decoded (zstd undone), read through the
 * pack trailers rather than the index, so a blob no index names is searched too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeBlob } from '../../../logbook/format/blob.js';
import { readPackTrailer } from '../../../logbook/format/pack.js';

/** Stored files and decoded blobs of the logbook at `dir`, each with a name for messages. */
export async function logbookContents(dir: string): Promise<{ name: string; bytes: Buffer }[]> {
  const out: { name: string; bytes: Buffer }[] = [];
  const visit = async (rel: string) => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        await visit(path);
        continue;
      }
      const bytes = await readFile(join(dir, path));
      out.push({ name: path, bytes });
      if (!path.startsWith('data/')) continue;
      for (const blob of readPackTrailer(bytes, e.name)) {
        const stored = bytes.subarray(blob.offset, blob.offset + blob.length);
        out.push({
          name: `${path}#${blob.id.slice(0, 12)}`,
          bytes: Buffer.from(decodeBlob(stored, blob.id)),
        });
      }
    }
  };
  await visit('');
  return out;
}

/** Names of the logbook parts in which `needle` occurs. */
export function whereFound(contents: readonly { name: string; bytes: Buffer }[], needle: Buffer): string[] {
  return contents.filter((c) => c.bytes.includes(needle)).map((c) => c.name);
}
