/**
 * The REST API of the logbook server, shared by the server (logbook/server/) and the agent's `http`
 * backend (logbook/backend/http.ts), as kopia's server and client share `serverapi`. docs/server.md
 * describes the protocol for people.
 */
import type { FileType } from '../backend/backend.js';

/** Every route starts with this; a later incompatible API gets /api/v2. */
export const API_PREFIX = '/api/v1';

/** `GET` lists, `GET`/`HEAD`/`POST`/`DELETE` with a name read, stat, save and remove one file. */
export function filePath(type: FileType, name?: string): string {
  return `${API_PREFIX}/files/${type}/${name === undefined ? '' : encodeURIComponent(name)}`;
}

/** `POST` with a MissingRequest: which of these files of one type the caller's namespace lacks. */
export function missingPath(type: FileType): string {
  return `${API_PREFIX}/missing/${type}`;
}

/** `GET`: who the token belongs to and what it may do. */
export const WHOAMI_PATH = `${API_PREFIX}/whoami`;

/** Headers of `HEAD` (and `GET`) on a file: its size and modification time in ms since the epoch. */
export const SIZE_HEADER = 'vml-size';
export const MTIME_HEADER = 'vml-mtime-ms';

/** One row of a listing. */
export interface ListedFile {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface MissingRequest {
  readonly names: readonly string[];
}

export interface MissingResponse {
  /** The requested names the caller's namespace does not hold, in request order. */
  readonly missing: readonly string[];
}

/** What a token may do to the entries its glob matches (docs/server.md, "Tokens"). */
export type Access = 'read' | 'append' | 'full';

export const ACCESS_LEVELS: readonly Access[] = ['read', 'append', 'full'];

export interface TokenScope {
  /** A picomatch glob over entry names, e.g. `alice/*` or `alice/higgs-*`. */
  readonly entries: string;
  readonly access: Access;
}

export interface WhoamiResponse {
  readonly user: string;
  readonly token: string;
  readonly scope: TokenScope;
}

/** Error codes in error bodies; the client maps them back (BackendError, VmlError). */
export type ApiErrorCode =
  | 'NOT_FOUND'
  | 'RANGE'
  | 'DENIED'
  | 'UNAUTHENTICATED'
  | 'BAD_REQUEST'
  | 'CONFLICT'
  | 'TOO_LARGE'
  | 'INTERNAL';

/** Body of every error response (kopia's `{code, error}`). */
export interface ApiError {
  readonly code: ApiErrorCode;
  readonly error: string;
}

/** The one mapping of error code to HTTP status. */
export const API_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  NOT_FOUND: 404,
  RANGE: 416,
  DENIED: 403,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  CONFLICT: 409,
  TOO_LARGE: 413,
  INTERNAL: 500,
};

/**
 * Largest body a save accepts. Packs are about 16 MiB, but one index file written by gc lists every pack of
 * a namespace, and a tree blob of a huge directory can be big: the bound is generous.
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
