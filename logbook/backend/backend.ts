/**
 * The storage interface the logbook sees. Every backend (dir, memory, http, s3) implements it and passes
 * the one contract suite in test/contract/backend.test.ts.
 */

/** The kinds of file in a logbook (logbook/format/FORMAT.md). */
export type FileType = 'config' | 'keys' | 'locks' | 'snapshots' | 'index' | 'data';

export const FILE_TYPES: readonly FileType[] = ['config', 'keys', 'locks', 'snapshots', 'index', 'data'];

/** Names one file. `name` is a SHA-256 hex digest except for `config` (name "config") and locks. */
export interface Handle {
  readonly type: FileType;
  readonly name: string;
}

export interface FileInfo {
  readonly type: FileType;
  readonly name: string;
  readonly size: number;
  /** Modification time in ms since the epoch; used by gc's grace window. */
  readonly mtimeMs: number;
}

export interface IoOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface LoadOptions extends IoOptions {
  readonly offset?: number | undefined;
  /** Bytes to read from `offset`; the rest of the file when absent. */
  readonly length?: number | undefined;
}

export interface Backend {
  /** For messages; credentials already stripped. */
  readonly location: string;
  readonly properties: {
    /** How many requests may run at once. */
    readonly connections: number;
    /** Whether `save` over an existing file replaces it atomically (config and locks need it). */
    readonly atomicReplace: boolean;
  };
  /**
   * Writes once and atomically: readers never see a partial file. Saving a name that exists replaces it
   * (content-addressed names make that a no-op in practice). Throws BackendError DENIED or TRANSIENT;
   * a full disk surfaces as VmlError E_NO_SPACE.
   */
  save(h: Handle, data: Uint8Array, options?: IoOptions): Promise<void>;
  /** Throws BackendError NOT_FOUND, or RANGE if offset+length is past the end. */
  load(h: Handle, options?: LoadOptions): Promise<Uint8Array>;
  /** Throws BackendError NOT_FOUND. */
  stat(h: Handle, options?: IoOptions): Promise<FileInfo>;
  /** Every file of one type, in no particular order. An empty or absent type directory lists nothing. */
  list(type: FileType, options?: IoOptions): AsyncIterable<FileInfo>;
  /** Removing a file that does not exist is not an error (idempotent). */
  remove(h: Handle, options?: IoOptions): Promise<void>;
  close(): Promise<void>;
}

export type BackendErrorCode = 'NOT_FOUND' | 'RANGE' | 'DENIED' | 'TRANSIENT';

export class BackendError extends Error {
  readonly code: BackendErrorCode;
  constructor(code: BackendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendError';
    this.code = code;
  }
}

export function isBackendError(error: unknown, code?: BackendErrorCode): error is BackendError {
  return (
    error instanceof Error &&
    error.name === 'BackendError' &&
    (code === undefined || (error as BackendError).code === code)
  );
}

/** "data/3f2a9c…" for messages. */
export function describeHandle(h: Handle): string {
  return `${h.type}/${h.name}`;
}
