/**
 * CernVM-FS content hashes: a hex digest with an optional algorithm id ("-rmd160", "-shake128"; SHA-1 has
 * none), and object names under `data/` that add a one-letter suffix for the object's kind.
 */
import { createHash } from 'node:crypto';
import { VmlError } from '../../../core/errors.js';

export type HashAlgorithm = 'sha1' | 'rmd160' | 'shake128';

/** Object kinds and their suffix letters (file contents have none). */
export const SUFFIX = {
  file: '',
  catalog: 'C',
  history: 'H',
  partial: 'P',
  certificate: 'X',
  metainfo: 'M',
} as const;

export type ObjectSuffix = (typeof SUFFIX)[keyof typeof SUFFIX];

/** A parsed content hash. `hex` is the 40-digit digest without the algorithm id. */
export interface ContentHash {
  readonly algorithm: HashAlgorithm;
  readonly hex: string;
}

// Catalog flags store the algorithm as 3 bits from bit 8; value 0 is SHA-1 (MD5 is never a content hash).
const FLAG_ALGORITHMS: readonly HashAlgorithm[] = ['sha1', 'rmd160', 'shake128'];

/** Parses "abc…", "abc…-rmd160" or "abc…-shake128" (case-insensitive hex, 40 digits). */
export function parseHash(text: string, what: string): ContentHash {
  const m = /^([0-9a-fA-F]{40})(-rmd160|-shake128)?$/.exec(text.trim());
  if (!m) {
    throw new VmlError('E_CORRUPT', `Invalid content hash "${text.slice(0, 60)}" in ${what}`, {
      hint: 'The repository data is damaged or not a CernVM-FS repository',
    });
  }
  const algorithm: HashAlgorithm = m[2] === '-rmd160' ? 'rmd160' : m[2] === '-shake128' ? 'shake128' : 'sha1';
  return { algorithm, hex: (m[1] as string).toLowerCase() };
}

/** The hash as CernVM-FS writes it: hex digest plus algorithm id. */
export function hashToString(hash: ContentHash): string {
  return hash.algorithm === 'sha1' ? hash.hex : `${hash.hex}-${hash.algorithm}`;
}

/** The digest stored as a BLOB in a catalog, with the algorithm taken from the entry's flags. */
export function hashFromBlob(blob: Uint8Array, flags: number, what: string): ContentHash {
  const algorithm = FLAG_ALGORITHMS[(flags >> 8) & 7];
  if (algorithm === undefined || blob.length !== 20) {
    throw new VmlError('E_CORRUPT', `Invalid content hash in ${what}`, {
      hint: 'The catalog is damaged or uses a hash algorithm VML does not know',
    });
  }
  return { algorithm, hex: Buffer.from(blob).toString('hex') };
}

/** The path of an object below the repository URL: "data/ab/cdef…[-rmd160]C". */
export function objectPath(hash: ContentHash, suffix: ObjectSuffix): string {
  const name = hashToString(hash);
  return `data/${name.slice(0, 2)}/${name.slice(2)}${suffix}`;
}

/** Digests `data` with the algorithm of `hash`, as hex. */
export function digest(algorithm: HashAlgorithm, data: Uint8Array | string): string {
  const h =
    algorithm === 'shake128'
      ? createHash('shake128', { outputLength: 20 })
      : createHash(algorithm === 'rmd160' ? 'ripemd160' : 'sha1');
  return h.update(data).digest('hex');
}

/** True when `data` has exactly the content hash `hash`. */
export function hashMatches(hash: ContentHash, data: Uint8Array): boolean {
  return digest(hash.algorithm, data) === hash.hex;
}

/** The MD5 of a repository path split into the two signed 64-bit integers catalogs index paths by. */
export function pathKey(path: string): readonly [bigint, bigint] {
  const md5 = createHash('md5').update(path).digest();
  return [md5.readBigInt64LE(0), md5.readBigInt64LE(8)];
}
