/**
 * Resumable uploads (docs/server.md, "Resumable uploads"): a large file goes up in a session that survives
 * a dropped connection. The client opens it, PATCHes bytes from the received offset (HEAD tells it after a
 * drop), and commits, which runs the same checks and atomic save as a plain POST. Until the commit the bytes
 * sit in the upload area (uploads.ts), outside the namespace: no read, listing or `missing` sees them.
 * Sessions belong to the caller's user: another user's session id is answered as absent.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FILE_TYPES, type FileType, type Handle } from '../backend/backend.js';
import { checkHandle } from '../backend/dir.js';
import {
  API_PREFIX,
  MAX_FILE_BYTES,
  OFFSET_HEADER,
  SHA256_HEADER,
  SIZE_HEADER,
  UPLOAD_CONTENT_TYPE,
  type UploadCreated,
} from './api-types.js';
import { ApiFailure, type Caller } from './authenticate.js';
import { MAX_OPEN_UPLOADS, type UploadArea, type UploadSession } from './uploads.js';

/** How long a newer request on a session waits for an older one to finish before closing it. */
const TAKEOVER_MS = 5000;

export interface UploadRouteDeps {
  readonly callerOf: (request: FastifyRequest) => Caller;
  readonly uploads: UploadArea;
  /** The checks and atomic save of a plain POST (routes-files.ts). */
  readonly save: (request: FastifyRequest, h: Handle, data: Uint8Array) => Promise<void>;
  /**
   * Called before a session opens, with its declared size and the declared bytes of the caller's other open
   * sessions (`pending`): refuse early what the commit would refuse, counting what is on its way.
   */
  readonly admit?: (request: FastifyRequest, h: Handle, size: number, pending: number) => Promise<void>;
}

/** Registers the upload-session routes under /api/v1/uploads. */
export function registerUploadRoutes(app: FastifyInstance, deps: UploadRouteDeps): void {
  const { uploads } = deps;
  // One request at a time per session in this process. The client sends one request at a time, so a newer
  // one means the older one's connection is dead to the client. The newer request waits for the older one
  // to write what it was delivered (it ends by itself when its connection closed cleanly), and after
  // TAKEOVER_MS closes it (a silent drop may hold it for minutes), so the received count it then sees is
  // final and the client does not send those bytes twice.
  const inflight = new Map<string, { readonly request: FastifyRequest; readonly done: Promise<void> }>();
  const exclusive = async <T>(
    session: UploadSession,
    request: FastifyRequest,
    run: () => Promise<T>,
  ): Promise<T> => {
    for (let prior = inflight.get(session.id); prior; prior = inflight.get(session.id)) {
      const timer = new AbortController();
      const finished = await Promise.race([
        prior.done.then(() => true),
        delay(TAKEOVER_MS, false, { signal: timer.signal }).catch(() => false),
      ]);
      timer.abort();
      if (!finished) prior.request.raw.destroy();
      await prior.done;
    }
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    inflight.set(session.id, { request, done });
    try {
      return await run();
    } finally {
      inflight.delete(session.id);
      finish();
    }
  };
  const sessionOf = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const user = deps.callerOf(request).user;
    const session = await uploads.find(user, request.params.id);
    if (!session) throw new ApiFailure('NOT_FOUND', 'There is no such upload (it may have expired)');
    return { user, session };
  };

  // The body of a PATCH reaches the handler as the raw stream, so it is written as it arrives.
  app.addContentTypeParser(UPLOAD_CONTENT_TYPE, (_request, payload, done) => done(null, payload));

  app.post<{ Params: { type: string; name: string } }>(
    `${API_PREFIX}/uploads/:type/:name`,
    async (request, reply) => {
      const caller = deps.callerOf(request);
      if (caller.scope.access === 'read') throw new ApiFailure('DENIED', 'This token may only read');
      const h = { type: fileType(request.params.type), name: request.params.name };
      checkHandle(h);
      const size = Number(request.headers[SIZE_HEADER]);
      const sha256 = String(request.headers[SHA256_HEADER] ?? '');
      if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-f]{64}$/.test(sha256)) {
        throw new ApiFailure(
          'BAD_REQUEST',
          `Open an upload with the headers ${SIZE_HEADER} and ${SHA256_HEADER}`,
        );
      }
      if (size > MAX_FILE_BYTES)
        throw new ApiFailure('TOO_LARGE', `The file is larger than ${MAX_FILE_BYTES} bytes`);
      await uploads.expire(caller.user);
      const open = await uploads.list(caller.user);
      if (open.length >= MAX_OPEN_UPLOADS) {
        throw new ApiFailure(
          'TOO_MANY',
          `User "${caller.user}" has ${open.length} open uploads, the most allowed: commit or abandon one (they expire a day after they were opened), or save the file with a plain POST`,
        );
      }
      await deps.admit?.(request, h, size, pendingBytes(open, h));
      const session = await uploads.create(caller.user, { ...h, size, sha256 });
      const body: UploadCreated = { id: session.id };
      return reply.status(201).send(body);
    },
  );

  app.head<{ Params: { id: string } }>(`${API_PREFIX}/uploads/:id`, async (request, reply) => {
    const { user, session } = await sessionOf(request);
    const received = await exclusive(session, request, () => uploads.received(user, session));
    void reply.header(OFFSET_HEADER, String(received)).header(SIZE_HEADER, String(session.size));
    return reply.status(200).send();
  });

  app.patch<{ Params: { id: string } }>(`${API_PREFIX}/uploads/:id`, async (request, reply) => {
    const { user, session } = await sessionOf(request);
    const offset = Number(request.headers[OFFSET_HEADER]);
    const body = request.body as Readable | undefined;
    if (request.headers['content-type'] !== UPLOAD_CONTENT_TYPE || body === undefined) {
      throw new ApiFailure('BAD_REQUEST', `Send the bytes as "Content-Type: ${UPLOAD_CONTENT_TYPE}"`);
    }
    const received = await exclusive(session, request, async () => {
      const have = await uploads.received(user, session);
      if (offset !== have) {
        throw new ApiFailure(
          'CONFLICT',
          `The upload has ${have} bytes: continue at ${OFFSET_HEADER} ${have}`,
        );
      }
      try {
        return await uploads.append(user, session, offset, body);
      } catch (error) {
        if (error instanceof RangeError) throw new ApiFailure('BAD_REQUEST', error.message);
        // A dropped connection is the case this API exists for: what arrived is kept, nobody is told.
        if (request.raw.destroyed) throw new ApiFailure('BAD_REQUEST', 'The connection was lost mid-body');
        throw error;
      }
    });
    return reply.header(OFFSET_HEADER, String(received)).status(204).send();
  });

  app.post<{ Params: { id: string } }>(`${API_PREFIX}/uploads/:id`, async (request, reply) => {
    const { user, session } = await sessionOf(request);
    await exclusive(session, request, async () => {
      const data = await uploads.read(user, session);
      if (data.byteLength !== session.size) {
        throw new ApiFailure('CONFLICT', `The upload has ${data.byteLength} of ${session.size} bytes`);
      }
      if (createHash('sha256').update(data).digest('hex') !== session.sha256) {
        await uploads.remove(user, session.id);
        throw new ApiFailure(
          'CONFLICT',
          'The uploaded bytes do not match their SHA-256: upload the file again',
        );
      }
      try {
        await deps.save(request, { type: session.type, name: session.name }, data);
      } catch (error) {
        // A refusal is final (scope, quota, a bad manifest); anything else may work on the next commit.
        if (error instanceof ApiFailure) await uploads.remove(user, session.id);
        throw error;
      }
      await uploads.remove(user, session.id);
    });
    return reply.status(204).send();
  });

  app.delete<{ Params: { id: string } }>(`${API_PREFIX}/uploads/:id`, async (request, reply) => {
    await uploads.remove(deps.callerOf(request).user, request.params.id);
    return reply.status(204).send();
  });
}

/**
 * Declared bytes of open sessions of other files than `h`. Sessions of one file count once: an agent that
 * lost a session opens another for the same file, and the file is stored once.
 */
function pendingBytes(open: readonly UploadSession[], h: Handle): number {
  const sizes = new Map<string, number>();
  for (const s of open) {
    const key = `${s.type}/${s.name}`;
    if (s.type !== h.type || s.name !== h.name) sizes.set(key, Math.max(sizes.get(key) ?? 0, s.size));
  }
  return [...sizes.values()].reduce((sum, size) => sum + size, 0);
}

function fileType(text: string): FileType {
  if (!(FILE_TYPES as readonly string[]).includes(text)) {
    throw new ApiFailure('NOT_FOUND', `There is no file type "${text}"`);
  }
  return text as FileType;
}
