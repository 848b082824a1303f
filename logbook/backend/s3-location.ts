/**
 * What the `s3:`/`s3s:` backend needs before it loads the SDK: the location syntax, the credentials and the
 * mapping of S3 failures to BackendError. `s3://HOST:PORT/BUCKET[/PREFIX]` speaks HTTP, `s3s://HOST[:PORT]/…`
 * HTTPS; both use path-style requests (radosgw, MinIO and AWS all accept them). Credentials never sit in the
 * location: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the file VML_S3_CREDENTIALS names.
 */
import { readFileSync } from 'node:fs';
import { VmlError } from '../../core/errors.js';
import { BackendError, isBackendError } from './backend.js';

/** A parsed S3 location. */
export interface S3Location {
  /** "http://HOST:PORT" or "https://HOST[:PORT]". */
  readonly endpoint: string;
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; "" for the bucket's top. */
  readonly prefix: string;
  /** The location as the user wrote it, normalised, for messages (it never holds a secret). */
  readonly display: string;
}

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

// S3's bucket rules (lower case, 3–63 characters); a prefix is path components of safe characters.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_PART = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Parses `s3://HOST:PORT/BUCKET[/PREFIX]` or `s3s://…`; throws VmlError E_USAGE. */
export function parseS3Location(url: string): S3Location {
  const scheme = /^(s3s?):\/\//i.exec(url)?.[1]?.toLowerCase();
  const example = 's3://HOST:PORT/BUCKET[/PREFIX] (or s3s:// for HTTPS)';
  const refuse = (why: string, hint = `Write the location as ${example}`): never => {
    throw new VmlError('E_USAGE', `Cannot use "${stripS3Credentials(url)}" as an S3 logbook: ${why}`, {
      hint,
    });
  };
  if (scheme === undefined) return refuse('it does not start with "s3://" or "s3s://"');
  let parsed: URL;
  try {
    parsed = new URL(`${scheme === 's3s' ? 'https' : 'http'}://${url.slice(scheme.length + 3)}`);
  } catch {
    return refuse('it is not a URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    refuse(
      'credentials do not belong in the location',
      'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or VML_S3_CREDENTIALS to a credentials file',
    );
  }
  if (parsed.search !== '' || parsed.hash !== '')
    refuse('it must hold only the host, port, bucket and prefix');
  const [bucket = '', ...prefix] = parsed.pathname.split('/').filter((part) => part !== '');
  if (!BUCKET.test(bucket)) refuse(`"${bucket}" is not a bucket name (3–63 of a-z, 0-9, ".", "-")`);
  if (!prefix.every((part) => PREFIX_PART.test(part))) refuse('the key prefix holds unsafe characters');
  const path = [bucket, ...prefix].join('/');
  return {
    endpoint: parsed.origin,
    bucket,
    prefix: prefix.join('/'),
    display: `${scheme}://${parsed.host}/${path}`,
  };
}

/** Removes `user:password@` from an s3 location, for messages. */
export function stripS3Credentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/**
 * The S3 key pair: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if set), else the file
 * VML_S3_CREDENTIALS names, in the AWS credentials-file format (`aws_access_key_id = …` lines, the
 * `[default]` section or none). Throws VmlError E_AUTH; never quotes a key.
 */
export function readS3Credentials(env: NodeJS.ProcessEnv = process.env): S3Credentials {
  const id = env.AWS_ACCESS_KEY_ID?.trim();
  const secret = env.AWS_SECRET_ACCESS_KEY?.trim();
  const token = env.AWS_SESSION_TOKEN?.trim();
  if (id && secret)
    return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  const file = env.VML_S3_CREDENTIALS;
  const hint =
    'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or VML_S3_CREDENTIALS to a file with ' +
    '"aws_access_key_id = …" and "aws_secret_access_key = …" lines';
  if (!file) throw new VmlError('E_AUTH', 'No credentials for the S3 logbook', { hint });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new VmlError(
      'E_AUTH',
      `Cannot read the S3 credentials file "${file}": ${(error as Error).message}`,
      {
        hint,
        cause: error,
      },
    );
  }
  const values = defaultSection(text);
  const fileId = values.get('aws_access_key_id');
  const fileSecret = values.get('aws_secret_access_key');
  if (!fileId || !fileSecret) {
    throw new VmlError('E_AUTH', `The S3 credentials file "${file}" lacks a key id or secret`, { hint });
  }
  const fileToken = values.get('aws_session_token');
  return {
    accessKeyId: fileId,
    secretAccessKey: fileSecret,
    ...(fileToken ? { sessionToken: fileToken } : {}),
  };
}

// `key = value` lines before any section header or inside `[default]`.
function defaultSection(text: string): Map<string, string> {
  const values = new Map<string, string>();
  let section = 'default';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]*?)\s*\]$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const pair = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    if (pair?.[1] && pair[2] !== undefined && section === 'default')
      values.set(pair[1].toLowerCase(), pair[2]);
  }
  return values;
}

// Codes S3 servers use for a key pair they do not accept (as opposed to a key without the right).
const BAD_CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
]);

/**
 * Maps an SDK failure about `what` (a quoted phrase: `"data/3f…" on "s3://…"`) to the error the logbook
 * expects: NoSuchKey → NOT_FOUND, InvalidRange → RANGE, 403 → DENIED (a refused key pair → E_AUTH),
 * 5xx/429/409-conflict/network → TRANSIENT, anything else → E_IO. An abort passes through as the signal's reason.
 */
export function s3Error(error: unknown, what: string, signal: AbortSignal | undefined): Error {
  if (signal?.aborted)
    return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  if (isBackendError(error) || error instanceof VmlError) return error;
  const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = failure.name ?? 'Error';
  const status = failure.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') {
    return new BackendError('NOT_FOUND', `Cannot reach ${what}: the bucket does not exist`, { cause: error });
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new BackendError('NOT_FOUND', `File ${what} does not exist`, { cause: error });
  }
  if (name === 'InvalidRange' || status === 416) {
    return new BackendError('RANGE', `Cannot read the range asked of ${what}`, { cause: error });
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new VmlError('E_AUTH', `The S3 service refused the key pair for ${what}: ${name}`, {
      hint: 'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the file VML_S3_CREDENTIALS names)',
      cause: error,
    });
  }
  if (status === 403 || name === 'AccessDenied') {
    return new BackendError('DENIED', `The S3 service denied access to ${what}`, { cause: error });
  }
  // AWS answers 409 to two conditional writes of one key at once, and asks for a retry.
  const conflict = name === 'ConditionalRequestConflict' || name === 'OperationAborted';
  if (status === undefined || status >= 500 || status === 429 || status === 408 || conflict) {
    // No status: the request never got an answer (refused connection, reset, timeout).
    const detail = status === undefined ? networkCause(error) : `${name} (HTTP ${status})`;
    return new BackendError('TRANSIENT', `The S3 service failed on ${what}: ${detail}`, { cause: error });
  }
  return new VmlError('E_IO', `The S3 service refused ${what}: ${name} (HTTP ${status})`, { cause: error });
}

function networkCause(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code ?? e.name ?? e.message ?? 'no answer';
}
