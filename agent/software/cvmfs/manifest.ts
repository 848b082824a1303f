/**
 * `.cvmfspublished`, the repository manifest: one field per line (a letter and its value), signed by the
 * repository certificate (the `X` object). Parsing here; the signature is checked in trust.ts.
 */
import { VmlError } from '../../../core/errors.js';
import { type ContentHash, parseHash } from './hash.js';
import { type Letter, openLetter } from './letter.js';

export interface Manifest {
  readonly fqrn: string;
  /** Root catalog of the current revision. */
  readonly rootCatalog: ContentHash;
  readonly rootCatalogSize: number | undefined;
  readonly revision: number;
  /** Publish time, seconds since the epoch. */
  readonly published: number;
  /** Seconds a client may cache the manifest. */
  readonly ttl: number;
  readonly certificate: ContentHash;
  readonly history: ContentHash | undefined;
  readonly metainfo: ContentHash | undefined;
  readonly reflog: ContentHash | undefined;
  readonly garbageCollectable: boolean;
  /** Every field, letter to value, as published. */
  readonly fields: Readonly<Record<string, string>>;
  readonly letter: Letter;
}

/** Parses a manifest and checks its hash line (not its signature). Throws E_CORRUPT naming the repository. */
export function parseManifest(data: Uint8Array, fqrn: string): Manifest {
  const what = `the manifest (.cvmfspublished) of "${fqrn}"`;
  const letter = openLetter(data, what);
  const fields: Record<string, string> = {};
  for (const line of letter.lines) fields[line.slice(0, 1)] = line.slice(1);
  const required = (key: string, name: string): string => {
    const value = fields[key];
    if (value === undefined || value === '') {
      throw new VmlError('E_CORRUPT', `Cannot read ${what}: the ${name} field ("${key}") is missing`, {
        hint: 'The server did not return a CernVM-FS manifest; check the server URL',
      });
    }
    return value;
  };
  const optionalHash = (key: string, name: string) =>
    fields[key] ? parseHash(fields[key], `the ${name} field of ${what}`) : undefined;
  const integer = (key: string, name: string, fallback?: number): number => {
    const text = fallback === undefined ? required(key, name) : (fields[key] ?? String(fallback));
    if (!/^\d+$/.test(text)) {
      throw new VmlError('E_CORRUPT', `Cannot read ${what}: the ${name} field is "${text}", not a number`);
    }
    return Number(text);
  };
  const name = required('N', 'repository name');
  if (name !== fqrn) {
    throw new VmlError('E_CORRUPT', `Refusing ${what}: it belongs to repository "${name}"`, {
      hint: 'The server URL points to another repository; check CVMFS_SERVER_URL or --server',
    });
  }
  return {
    fqrn,
    rootCatalog: parseHash(required('C', 'root catalog'), `the root catalog field of ${what}`),
    rootCatalogSize: fields.B && /^\d+$/.test(fields.B) ? Number(fields.B) : undefined,
    revision: integer('S', 'revision'),
    published: integer('T', 'publish time', 0),
    ttl: integer('D', 'TTL', 240),
    certificate: parseHash(required('X', 'certificate'), `the certificate field of ${what}`),
    history: optionalHash('H', 'history'),
    metainfo: optionalHash('M', 'meta-information'),
    reflog: optionalHash('Y', 'reflog'),
    garbageCollectable: fields.G === 'yes',
    fields,
    letter,
  };
}
