/**
 * Logbook locations by scheme (restic's location registry). Each scheme has a factory; `open.ts` picks one
 * and wraps the backend. The list is explicit: backends never register themselves by being imported.
 */
import { resolve } from 'node:path';
import { VmlError } from '../../core/errors.js';
import type { Backend } from './backend.js';
import { DirBackend } from './dir.js';
import { HttpBackend } from './http.js';
import { trustCaFile } from './http-tls.js';
import { readToken } from './http-token.js';
import { parseS3Location, readS3Credentials, stripS3Credentials } from './s3-location.js';

/** A parsed location. `target` may hold credentials: print `stripCredentials(url)` instead. */
export interface BackendLocation {
  readonly scheme: string;
  /** Scheme-specific; an absolute path for `dir`. */
  readonly target: string;
}

/** How to reach the backends of one scheme. */
export interface BackendFactory {
  /** Without the colon: "dir". */
  readonly scheme: string;
  /** Checks the syntax without touching the backend; throws VmlError E_USAGE. */
  parse(url: string): BackendLocation;
  /** The location with passwords and keys removed, for messages and logs. */
  stripCredentials(url: string): string;
  /** Makes an empty logbook's storage (directories, bucket) and opens it. */
  create(url: string, options?: FactoryOptions): Promise<Backend>;
  /** Opens existing storage without changing it. */
  open(url: string, options?: FactoryOptions): Promise<Backend>;
}

/** What a command line may tell a factory besides the location (secrets by path only). */
export interface FactoryOptions {
  /** `--token-file`: the file holding a logbook server's API token. */
  readonly tokenFile?: string | undefined;
}

/** `dir:/abs/path`, `dir:relative/path` (against the working directory) or a bare `/abs/path`. */
export const dirFactory: BackendFactory = {
  scheme: 'dir',
  parse(url) {
    const path = url.startsWith('/') ? url : /^dir:(.*)$/is.exec(url)?.[1];
    if (path === undefined || path === '') {
      throw new VmlError('E_USAGE', `Cannot use "${url}" as a directory logbook: the path is missing`, {
        hint: 'Write the location as "dir:/path/to/logbook"',
      });
    }
    return { scheme: 'dir', target: resolve(path) };
  },
  stripCredentials: (url) => url,
  create: (url) => DirBackend.create(dirFactory.parse(url).target),
  open: (url) => DirBackend.open(dirFactory.parse(url).target),
};

/**
 * `http://HOST:PORT` or `https://HOST[:PORT][/PREFIX]`: a logbook server (logbook/server/). The token comes
 * from --token-file, VML_TOKEN or VML_TOKEN_FILE (http-token.ts), never from the location, so a location
 * never holds a secret; without one, requests go anonymously (a server's public namespace). `https:` also
 * trusts the CAs of VML_CA_FILE (http-tls.ts).
 */
function serverFactory(scheme: 'http' | 'https'): BackendFactory {
  const factory: BackendFactory = {
    scheme,
    parse(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (cause) {
        throw new VmlError(
          'E_USAGE',
          `Cannot use "${stripUserInfo(url)}" as a server logbook: it is not a URL`,
          {
            hint: `Write the location as "${scheme}://HOST:PORT"`,
            cause,
          },
        );
      }
      if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
        throw new VmlError(
          'E_USAGE',
          `Cannot use "${stripUserInfo(url)}" as a server logbook: it must hold only the host, port and path`,
          { hint: 'Give the token through --token-file, VML_TOKEN or VML_TOKEN_FILE, never in the location' },
        );
      }
      return { scheme, target: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` };
    },
    stripCredentials: stripUserInfo,
    // The server makes a user's namespace on first use: creating is opening.
    create: (url, options) => factory.open(url, options),
    open: async (url, options) => {
      const target = factory.parse(url).target;
      if (scheme === 'https') trustCaFile();
      return new HttpBackend(target, readToken({ tokenFile: options?.tokenFile }));
    },
  };
  return factory;
}

export const httpFactory = serverFactory('http');
export const httpsFactory = serverFactory('https');

/**
 * `s3://HOST:PORT/BUCKET[/PREFIX]` (HTTP) or `s3s://HOST[:PORT]/BUCKET[/PREFIX]` (HTTPS): a bucket of an S3
 * service such as Ceph radosgw. Keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or VML_S3_CREDENTIALS.
 * The SDK is imported only when a location of this scheme is opened.
 */
function s3FactoryFor(scheme: 's3' | 's3s'): BackendFactory {
  const open = async (url: string, create: boolean): Promise<Backend> => {
    const where = parseS3Location(url);
    const credentials = readS3Credentials();
    const { S3Backend } = await import('./s3.js');
    const backend = new S3Backend(where, credentials);
    if (create) await backend.createBucket();
    return backend;
  };
  return {
    scheme,
    parse: (url) => ({ scheme, target: parseS3Location(url).display }),
    stripCredentials: stripS3Credentials,
    create: (url) => open(url, true),
    open: (url) => open(url, false),
  };
}

export const s3Factory = s3FactoryFor('s3');
export const s3sFactory = s3FactoryFor('s3s');

/** Every scheme VML knows. */
export const BACKENDS: readonly BackendFactory[] = [
  dirFactory,
  httpFactory,
  httpsFactory,
  s3Factory,
  s3sFactory,
];

/** The factory for a location; throws VmlError E_USAGE for a missing or unknown scheme. */
export function findBackend(url: string): BackendFactory {
  const scheme = url.startsWith('/') ? 'dir' : /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const known = BACKENDS.map((b) => `"${b.scheme}:"`).join(', ');
  if (scheme === undefined) {
    throw new VmlError(
      'E_USAGE',
      `Cannot use "${stripUserInfo(url)}" as a logbook location: it has no scheme`,
      {
        hint: `Start the location with one of ${known}, e.g. "dir:${url}"`,
      },
    );
  }
  const factory = BACKENDS.find((b) => b.scheme === scheme);
  if (factory === undefined) {
    // Only the scheme is quoted: the rest of an unknown location may hold a password.
    throw new VmlError('E_USAGE', `Cannot open a logbook with scheme "${scheme}:": the scheme is unknown`, {
      hint: `Known schemes: ${known}`,
    });
  }
  return factory;
}

/** Removes `user:password@` from a URL-like location; for schemes whose factory is not known. */
export function stripUserInfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
