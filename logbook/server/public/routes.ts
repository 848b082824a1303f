/**
 * Reading the public namespace: the file routes of the API, read-only, under `/public/api/v1/…`, so the
 * agent's http backend reads public versions with `--logbook http://HOST:PORT/public`. Every signed-in user
 * (any token) reads all of it; without a token only when the server runs with --public-anonymous. Saves and
 * removals are refused (DENIED), except that a reader's lock files are accepted and not kept: restore and
 * log take a shared lock, and readers must not be able to write into, or block, the public namespace.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Handle, isBackendError } from '../../backend/backend.js';
import { checkHandle } from '../../backend/dir.js';
import {
  API_PREFIX,
  type ListedFile,
  type MissingResponse,
  MTIME_HEADER,
  SIZE_HEADER,
} from '../api-types.js';
import { ApiFailure, authenticate } from '../authenticate.js';
import type { Metadata } from '../metadata.js';
import { fileType, namesOf, parseRange } from '../routes-files.js';
import { PUBLIC_NAMESPACE, type Storage } from '../storage.js';

/** Where the public namespace is served: the agent's location is `http://HOST:PORT` + this. */
export const PUBLIC_PREFIX = '/public';

export interface PublicRouteDeps {
  readonly metadata: Metadata;
  readonly storage: Storage;
  /** Whether requests without a token may read (`vml logbook serve --public-anonymous`). */
  readonly anonymous: boolean;
}

interface FileParams {
  readonly type: string;
  readonly name: string;
}

/** Registers the read-only public file routes under /public/api/v1. */
export function registerPublicRoutes(app: FastifyInstance, deps: PublicRouteDeps): void {
  const base = `${PUBLIC_PREFIX}${API_PREFIX}`;
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith(`${base}/`)) return;
    // A token, if one is sent, must be valid, also when anonymous reading is allowed.
    if (request.headers.authorization === undefined && deps.anonymous) return;
    await authenticate(deps.metadata, request.headers.authorization);
  });
  const namespace = () => deps.storage.namespace(PUBLIC_NAMESPACE);
  const handleOf = (params: FileParams): Handle => {
    const h = { type: fileType(params.type), name: params.name };
    checkHandle(h);
    return h;
  };
  // Nothing a reader sends is stored: a lock is acknowledged, anything else refused.
  const refuseWrite = (request: FastifyRequest<{ Params: FileParams }>) => {
    const h = handleOf(request.params);
    if (h.type === 'locks') return;
    throw new ApiFailure(
      'DENIED',
      'The public namespace is read-only: versions are published by saving them as public in your own logbook',
    );
  };

  app.get<{ Params: { type: string } }>(`${base}/files/:type/`, async (request) => {
    const type = fileType(request.params.type);
    const files: ListedFile[] = [];
    if (type === 'locks') return files; // readers' locks are not kept; the server's own are not theirs
    for await (const info of (await namespace()).list(type)) {
      files.push({ name: info.name, size: info.size, mtimeMs: info.mtimeMs });
    }
    return files;
  });

  app.head<{ Params: FileParams }>(`${base}/files/:type/:name`, async (request, reply) => {
    const info = await (await namespace()).stat(handleOf(request.params));
    void reply.header(SIZE_HEADER, String(info.size)).header(MTIME_HEADER, String(info.mtimeMs));
    return reply.status(200).send();
  });

  app.get<{ Params: FileParams }>(`${base}/files/:type/:name`, async (request, reply) => {
    const h = handleOf(request.params);
    const range = parseRange(request.headers.range);
    const data = await (await namespace()).load(h, range);
    void reply.type('application/octet-stream').status(range ? 206 : 200);
    return reply.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });

  app.post<{ Params: FileParams }>(`${base}/files/:type/:name`, async (request, reply) => {
    refuseWrite(request);
    return reply.status(204).send();
  });

  app.delete<{ Params: FileParams }>(`${base}/files/:type/:name`, async (request, reply) => {
    refuseWrite(request);
    return reply.status(204).send();
  });

  app.post<{ Params: { type: string }; Body: unknown }>(
    `${base}/missing/:type`,
    async (request): Promise<MissingResponse> => {
      const type = fileType(request.params.type);
      const names = namesOf(request.body);
      const backend = await namespace();
      const missing: string[] = [];
      for (const name of names) {
        checkHandle({ type, name });
        try {
          await backend.stat({ type, name });
        } catch (error) {
          if (!isBackendError(error, 'NOT_FOUND')) throw error;
          missing.push(name);
        }
      }
      return { missing };
    },
  );
}
