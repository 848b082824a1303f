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
  | 'QUOTA'
  | 'TOO_MANY'
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
  QUOTA: 507,
  /** Too many open upload sessions: the agent saves that file with a plain POST instead. */
  TOO_MANY: 429,
  INTERNAL: 500,
};

/**
 * Largest body a save accepts. Packs are about 16 MiB, but one index file written by gc lists every pack of
 * a namespace, and a tree blob of a huge directory can be big: the bound is generous.
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Resumable uploads (docs/server.md, "Resumable uploads"): `POST uploadPath(type, name)` with the headers
 * SIZE_HEADER and SHA256_HEADER opens a session (201, UploadCreated); `PATCH uploadSessionPath(id)` with
 * OFFSET_HEADER and an UPLOAD_CONTENT_TYPE body appends; `HEAD` on it answers the received count in
 * OFFSET_HEADER; `POST` on it commits (saves the file as a plain POST would); `DELETE` abandons it.
 */
export function uploadPath(type: FileType, name: string): string {
  return `${API_PREFIX}/uploads/${type}/${encodeURIComponent(name)}`;
}

export function uploadSessionPath(id: string): string {
  return `${API_PREFIX}/uploads/${encodeURIComponent(id)}`;
}

/** Bytes of the session received so far (HEAD, PATCH answers), or where a PATCH body starts (request). */
export const OFFSET_HEADER = 'vml-offset';
/** SHA-256 hex of the whole file, given when a session is opened. */
export const SHA256_HEADER = 'vml-sha256';
/** The body type of PATCH (as in tus): raw bytes that continue the upload at OFFSET_HEADER. */
export const UPLOAD_CONTENT_TYPE = 'application/offset+octet-stream';

export interface UploadCreated {
  readonly id: string;
}
