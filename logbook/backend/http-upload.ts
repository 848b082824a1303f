/**
 * The client half of resumable uploads (docs/server.md, "Resumable uploads"): a large body goes up in an
 * upload session, so a connection dropped mid-body costs only the bytes that did not arrive. After a drop
 * it asks the server how much it holds (HEAD) and sends the rest; the commit saves the file atomically, and
 * nothing of it is visible before. Only failures that make no progress count against the limit.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  OFFSET_HEADER,
  SHA256_HEADER,
  SIZE_HEADER,
  UPLOAD_CONTENT_TYPE,
  type UploadCreated,
  uploadPath,
  uploadSessionPath,
} from '../server/api-types.js';
import {
  BackendError,
  describeHandle,
  type FileType,
  type Handle,
  type IoOptions,
  isBackendError,
} from './backend.js';

/** One request to the server, as HttpBackend makes it; errors already mapped (BackendError, VmlError). */
export type ServerRequest = (
  method: string,
  path: string,
  what: string,
  options: IoOptions | undefined,
  init?: {
    body?: Uint8Array | string;
    headers?: Record<string, string>;
    conflictIsTransient?: boolean;
    /** Return a 429 (too many open uploads) as the response instead of throwing. */
    tooManyIsAnswer?: boolean;
  },
) => Promise<Response>;

/** Tuning; tests pass tiny delays. */
export interface ResumeOptions {
  /** Failures in a row without a byte of progress before the save gives up (default 3: 1.75 s of waits). */
  readonly stalls?: number;
  /** Wait after the first stalled failure; doubles with each (default 250 ms). */
  readonly baseDelayMs?: number;
}

/**
 * Saves `body` as `h` through an upload session. Returns false when the server has no upload routes (an
 * older server: the caller POSTs instead from now on), 'busy' when the user has too many open sessions (the
 * caller POSTs this file). Throws TRANSIENT when the session is lost or the server keeps failing, so the
 * retry wrapper starts the save again from zero.
 */
/** File types whose name is the SHA-256 of their content (FORMAT.md). */
const NAMED_BY_CONTENT: ReadonlySet<FileType> = new Set(['data', 'index', 'snapshots']);

export async function saveResumable(
  request: ServerRequest,
  h: Handle,
  body: Uint8Array,
  options: IoOptions | undefined,
  tuning: ResumeOptions = {},
): Promise<boolean | 'busy'> {
  const what = describeHandle(h);
  // Packs, indexes and manifests are named by the SHA-256 of their bytes: hashing 16 MiB again here would
  // cost the agent, whose CPU is the backup's bottleneck, as much as the server's check of it (measured).
  const sha256 = NAMED_BY_CONTENT.has(h.type) ? h.name : createHash('sha256').update(body).digest('hex');
  let created: Response;
  try {
    created = await request('POST', uploadPath(h.type, h.name), what, options, {
      headers: { [SIZE_HEADER]: String(body.byteLength), [SHA256_HEADER]: sha256 },
      tooManyIsAnswer: true,
    });
  } catch (error) {
    if (isBackendError(error, 'NOT_FOUND')) return false;
    throw error;
  }
  if (created.status === 429) {
    await created.body?.cancel();
    return 'busy';
  }
  const { id } = (await created.json()) as UploadCreated;
  const session = uploadSessionPath(id);
  const maxStalls = tuning.stalls ?? 3;
  const baseDelayMs = tuning.baseDelayMs ?? 250;
  let offset = 0;
  let stalls = 0;
  for (;;) {
    try {
      if (offset < body.byteLength) {
        const sent = await request('PATCH', session, what, options, {
          body: body.subarray(offset),
          headers: { 'content-type': UPLOAD_CONTENT_TYPE, [OFFSET_HEADER]: String(offset) },
          conflictIsTransient: true,
        });
        offset = Number(sent.headers.get(OFFSET_HEADER));
        stalls = 0;
        continue;
      }
      await request('POST', session, what, options, { conflictIsTransient: true });
      return true;
    } catch (error) {
      if (!isBackendError(error, 'TRANSIENT')) throw lostSession(error, what);
      const before = offset;
      // The server may still be writing what the dead connection delivered: wait, then ask.
      if (stalls >= maxStalls) throw error;
      await sleep(baseDelayMs * 2 ** stalls, undefined, options?.signal ? { signal: options.signal } : {});
      let received: number | undefined;
      try {
        received = await receivedBytes(request, session, what, options);
      } catch (asking) {
        if (!isBackendError(asking, 'TRANSIENT')) throw asking;
        stalls++; // the server is still out of reach: that is no progress either
        continue;
      }
      if (received === undefined) {
        // No session: either a lost answer to a commit that worked, or it expired. The caller's retry decides.
        throw new BackendError('TRANSIENT', `The upload session of "${what}" is gone`, { cause: error });
      }
      offset = received;
      stalls = offset > before ? 0 : stalls + 1;
    }
  }
}

/** The session's received count, or undefined when the session no longer exists. */
async function receivedBytes(
  request: ServerRequest,
  session: string,
  what: string,
  options: IoOptions | undefined,
): Promise<number | undefined> {
  try {
    const answer = await request('HEAD', session, what, options);
    return Number(answer.headers.get(OFFSET_HEADER));
  } catch (error) {
    if (isBackendError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}

// A NOT_FOUND from PATCH or commit means the session vanished (expired, or committed by an earlier try
// whose answer was lost): the retry wrapper's fresh save settles either case.
function lostSession(error: unknown, what: string): unknown {
  if (!isBackendError(error, 'NOT_FOUND')) return error;
  return new BackendError('TRANSIENT', `The upload session of "${what}" is gone`, { cause: error });
}
