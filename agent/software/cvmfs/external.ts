/**
 * External files: the catalog flags them (bit 128) and records their content hash, but their data is not
 * under data/: it is served as-is from CVMFS_EXTERNAL_URL + the file's path (uncompressed, unless the
 * catalog says otherwise). Chunked external files are ranges of that one file, each with its own hash.
 */
import { VmlError } from '../../../core/errors.js';
import type { Chunk } from './catalog.js';
import { type ContentHash, hashMatches, hashToString } from './hash.js';
import type { HttpFetcher } from './http.js';
import { inflate } from './objects.js';

/** What of a catalog entry an external read needs. */
export interface ExternalEntry {
  readonly path: string;
  readonly size: number;
  readonly hash: ContentHash | undefined;
  readonly chunks: readonly Chunk[] | undefined;
  readonly compressed: boolean;
}

/**
 * The content of an external file, fetched from the external servers and verified against the catalog's
 * hash (or each chunk's) and size. Throws E_CORRUPT when no server has the right bytes.
 */
export async function readExternal(
  fetcher: HttpFetcher,
  entry: ExternalEntry,
  what: string,
): Promise<Buffer> {
  const path = entry.path.replace(/^\/+/, '');
  const problem = (body: Uint8Array): string | undefined => {
    if (entry.chunks) {
      for (const c of entry.chunks) {
        if (!hashMatches(c.hash, body.subarray(c.offset, c.offset + c.size))) {
          return `the bytes at ${c.offset} do not match the chunk hash ${hashToString(c.hash)}`;
        }
      }
      return body.length === entry.size
        ? undefined
        : `it has ${body.length} bytes, the catalog says ${entry.size}`;
    }
    if (!entry.hash) return 'the catalog gives it no content hash';
    return hashMatches(entry.hash, body)
      ? undefined
      : `its content does not match its hash ${hashToString(entry.hash)}`;
  };
  const body = await fetcher.get(path, problem);
  const data = entry.compressed && !entry.chunks ? await inflate(body, what) : Buffer.from(body);
  if (data.length !== entry.size) {
    throw new VmlError(
      'E_CORRUPT',
      `Refusing ${what}: it has ${data.length} bytes, the catalog says ${entry.size}`,
      {
        hint: 'The external data does not match the repository; report it to the repository maintainers',
      },
    );
  }
  return data;
}
