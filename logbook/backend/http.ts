/**
 * The `http:`/`https:` backend: a logbook on a VML logbook server (logbook/server/), spoken to through the
 * REST API of logbook/server/api-types.ts. The server confines every call to the token owner's namespace.
 * Connection failures and 5xx answers are TRANSIENT, so the retry wrapper of open.ts retries them with
 * backoff; a save is one request whose body the server stores only once it has all of it, or, above
 * `resumableAbove` bytes, an upload session (http-upload.ts) that a dropped connection does not restart.
 */
import { VmlError } from '../../core/errors.js';
import {
  type ApiError,
  filePath,
  type ListedFile,
  type MissingResponse,
  MTIME_HEADER,
  missingPath,
  SIZE_HEADER,
} from '../server/api-types.js';
import {
  type Backend,
  BackendError,
  describeHandle,
  type FileInfo,
  type FileType,
  type Handle,
  type IoOptions,
  type LoadOptions,
} from './backend.js';
import { checkHandle } from './dir.js';
import { tlsFailure } from './http-tls.js';
import { type ResumeOptions, type ServerRequest, saveResumable } from './http-upload.js';

/** Bodies above this many bytes go up in a resumable session: packs (16 MiB), not trees or manifests. */
export const RESUMABLE_ABOVE = 4 * 1024 * 1024;

/** Options of HttpBackend. */
export interface HttpBackendOptions {
  /** Bodies larger than this use a resumable upload session (default RESUMABLE_ABOVE). */
  readonly resumableAbove?: number;
  readonly resume?: ResumeOptions;
}

/**
 * A logbook on a server; `baseUrl` has no trailing slash and no credentials. Without a token, requests carry
 * no Authorization header: enough for a server's public namespace with --public-anonymous.
 */
export class HttpBackend implements Backend {
  readonly location: string;
  readonly properties = { connections: 4, atomicReplace: true } as const;
  readonly #token: string | undefined;
  readonly #options: HttpBackendOptions;
  /** False once the server answered that it has no upload routes. */
  #sessions = true;

  constructor(baseUrl: string, token: string | undefined, options: HttpBackendOptions = {}) {
    this.location = baseUrl;
    this.#token = token;
    this.#options = options;
  }

  async save(h: Handle, data: Uint8Array, options?: IoOptions): Promise<void> {
    checkHandle(h);
    // The body is a copy: the caller may reuse its buffer once the promise settles, and fetch reads lazily.
    const body = data.slice();
    if (this.#sessions && body.byteLength > (this.#options.resumableAbove ?? RESUMABLE_ABOVE)) {
      const request: ServerRequest = (method, path, what, io, init) =>
        this.#request(method, path, what, io, init);
      const saved = await saveResumable(request, h, body, options, this.#options.resume);
      if (saved === true) return;
      if (saved === false) this.#sessions = false;
    }
    await this.#request('POST', filePath(h.type, h.name), describeHandle(h), options, {
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
  }

  async load(h: Handle, options?: LoadOptions): Promise<Uint8Array> {
    checkHandle(h);
    const offset = options?.offset ?? 0;
    const length = options?.length;
    const headers: Record<string, string> = {};
    if (offset !== 0 || length !== undefined) {
      if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && !(length >= 0))) {
        throw new BackendError('RANGE', `Cannot read ${length} bytes at ${offset} of "${describeHandle(h)}"`);
      }
      headers.range = `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    }
    const response = await this.#request('GET', filePath(h.type, h.name), describeHandle(h), options, {
      headers,
    });
    const body = new Uint8Array(await this.#body(response, describeHandle(h), options));
    if (length !== undefined && body.byteLength !== length) {
      throw new BackendError(
        'TRANSIENT',
        `Read ${body.byteLength} of ${length} bytes of "${describeHandle(h)}"`,
      );
    }
    return body;
  }

  async stat(h: Handle, options?: IoOptions): Promise<FileInfo> {
    checkHandle(h);
    const response = await this.#request('HEAD', filePath(h.type, h.name), describeHandle(h), options);
    return {
      type: h.type,
      name: h.name,
      size: Number(response.headers.get(SIZE_HEADER)),
      mtimeMs: Number(response.headers.get(MTIME_HEADER)),
    };
  }

  async *list(type: FileType, options?: IoOptions): AsyncIterable<FileInfo> {
    const response = await this.#request('GET', filePath(type), type, options);
    const text = new TextDecoder().decode(await this.#body(response, type, options));
    for (const file of JSON.parse(text) as ListedFile[]) {
      options?.signal?.throwIfAborted();
      yield { type, name: file.name, size: file.size, mtimeMs: file.mtimeMs };
    }
  }

  async remove(h: Handle, options?: IoOptions): Promise<void> {
    checkHandle(h);
    await this.#request('DELETE', filePath(h.type, h.name), describeHandle(h), options);
  }

  /** Which of `names` the server's namespace lacks (for resuming uploads); answers only about the caller's own files. */
  async missing(type: FileType, names: readonly string[], options?: IoOptions): Promise<string[]> {
    const response = await this.#request('POST', missingPath(type), type, options, {
      body: JSON.stringify({ names }),
      headers: { 'content-type': 'application/json' },
    });
    const text = new TextDecoder().decode(await this.#body(response, type, options));
    return [...(JSON.parse(text) as MissingResponse).missing];
  }

  async close(): Promise<void> {}

  async #request(
    method: string,
    path: string,
    what: string,
    options: IoOptions | undefined,
    init: {
      body?: Uint8Array | string;
      headers?: Record<string, string>;
      conflictIsTransient?: boolean;
      tooManyIsAnswer?: boolean;
    } = {},
  ): Promise<Response> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    let response: Response;
    try {
      response = await fetch(`${this.location}${path}`, {
        method,
        headers:
          this.#token === undefined
            ? { ...init.headers }
            : { ...init.headers, authorization: `Bearer ${this.#token}` },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      signal?.throwIfAborted();
      const tls = tlsFailure(error, this.location);
      if (tls) throw tls;
      throw new BackendError('TRANSIENT', `Cannot reach "${this.location}" for ${what}: ${causeOf(error)}`, {
        cause: error,
      });
    }
    if (response.ok || (response.status === 429 && init.tooManyIsAnswer === true)) return response;
    if (response.status === 409 && init.conflictIsTransient === true) {
      await response.body?.cancel();
      throw new BackendError('TRANSIENT', `The logbook server is not ready for ${method} "${what}" yet`);
    }
    throw await this.#failure(response, method, what);
  }

  async #body(response: Response, what: string, options: IoOptions | undefined): Promise<ArrayBuffer> {
    try {
      return await response.arrayBuffer();
    } catch (error) {
      options?.signal?.throwIfAborted();
      throw new BackendError('TRANSIENT', `Lost the connection to "${this.location}" reading ${what}`, {
        cause: error,
      });
    }
  }

  async #failure(response: Response, method: string, what: string): Promise<Error> {
    const body = (await response.json().catch(() => undefined)) as Partial<ApiError> | undefined;
    const detail = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
    const where = `"${what}" on "${this.location}"`;
    switch (response.status) {
      case 404:
        return new BackendError('NOT_FOUND', `File ${where} does not exist`);
      case 416:
        return new BackendError('RANGE', `Cannot read the range asked of ${where}: ${detail}`);
      case 401:
        if (this.#token === undefined) {
          return new VmlError('E_AUTH', `The logbook server "${this.location}" needs a token: ${detail}`, {
            hint: 'Set VML_TOKEN_FILE or --token-file to a file holding a token from "vml logbook token create"',
          });
        }
        return new VmlError('E_AUTH', `The logbook server "${this.location}" refused the token: ${detail}`, {
          hint: 'Check the token (--token-file, VML_TOKEN or VML_TOKEN_FILE): it may be mistyped or revoked',
        });
      case 403:
        return new VmlError('E_PERMISSION', `The logbook server refused ${method} ${where}: ${detail}`, {
          hint: 'The token\'s scope does not allow this; "vml logbook token create --scope" makes one that does',
        });
      case 507:
        // Final, not retried: the backup stops here with the logbook valid (what was saved is debris for gc).
        return new VmlError('E_NO_SPACE', `The logbook server refused ${method} ${where}: ${detail}`, {
          hint: 'Ask the server\'s administrator for a larger quota, or delete old versions ("vml-agent delete ENTRY@VERSION --yes") and run "vml-agent gc"',
        });
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      return new BackendError('TRANSIENT', `The logbook server failed ${method} ${where}: ${detail}`);
    }
    return new VmlError('E_IO', `The logbook server refused ${method} ${where}: ${detail}`);
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
