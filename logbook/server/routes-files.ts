/**
 * The file routes: the Backend interface over HTTP, each call confined to the caller's own namespace
 * (docs/server.md, "API" and "Privacy"). Access rules per token scope live in access.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Backend, FILE_TYPES, type FileType, type Handle, isBackendError } from '../backend/backend.js';
import { checkHandle } from '../backend/dir.js';
import { checkRemove, checkSave, SnapshotEntries } from './access.js';
import { API_PREFIX, type ListedFile, type MissingResponse, MTIME_HEADER, SIZE_HEADER } from './api-types.js';
import { ApiFailure, type Caller } from './authenticate.js';
import type { ContentScan } from './content-scan.js';
import type { Metadata } from './metadata.js';
import { checkPublicSave, unpublishDeleted } from './public/publish.js';
import { checkQuota, storedSize, UsageTally } from './quota.js';
import { registerUploadRoutes } from './routes-uploads.js';
import type { Storage } from './storage.js';
import type { UploadArea } from './uploads.js';

export interface FileRouteDeps {
  readonly metadata: Metadata;
  readonly storage: Storage;
  readonly callerOf: (request: FastifyRequest) => Caller;
  /** Scans every public version before it is saved (content-scan.ts). */
  readonly scan: ContentScan;
  /** Where resumable uploads wait for their commit; without it the upload routes are absent (404). */
  readonly uploads?: UploadArea | undefined;
  /** Usage tallies for quotas (quota.ts); one per server process. */
  readonly usage?: UsageTally | undefined;
}

interface FileParams {
  readonly type: string;
  readonly name: string;
}

const MAX_MISSING_NAMES = 10_000;

/** Registers list, stat, load, save, remove and the missing-files query under /api/v1. */
export function registerFileRoutes(app: FastifyInstance, deps: FileRouteDeps): void {
  const entries = new Map<string, SnapshotEntries>();
  // Everything a handler needs: who calls, their namespace, and which of its versions their token sees.
  const context = async (request: FastifyRequest) => {
    const caller = deps.callerOf(request);
    const backend = await deps.storage.namespace(caller.user);
    const known = entries.get(caller.user) ?? new SnapshotEntries();
    entries.set(caller.user, known);
    return { caller, backend, visible: (h: Handle) => known.visible(backend, caller, h), known };
  };
  // Refuses a save that would take the caller's namespace over its quota; returns the bytes it replaces.
  const usage = deps.usage ?? new UsageTally();
  const admit = async (request: FastifyRequest, h: Handle, size: number): Promise<number> => {
    const { caller, backend } = await context(request);
    const before = await storedSize(backend, h);
    const quota = (await deps.metadata.findUser(caller.user))?.quota;
    if (quota === undefined || h.type === 'locks') return before;
    const used = await usage.usage(caller.user, backend);
    await checkQuota(backend, caller, h, { size, before, used, quota });
    return before;
  };
  // The checks and the atomic save of a whole body, shared by POST and the commit of a resumable upload.
  const save = async (request: FastifyRequest, h: Handle, data: Uint8Array): Promise<void> => {
    const { caller, backend, known } = await context(request);
    const audit = await checkSave(backend, caller, h, data);
    const before = await admit(request, h, data.byteLength);
    // A public version is checked and scanned before it is saved, and copied to the public namespace after;
    // a failed copy fails the request, and the agent's retry saves (the same bytes) and copies again.
    const copyToPublic =
      audit?.action === 'publish' ? await checkPublicSave(deps, caller.user, data) : undefined;
    // The whole body is here: a connection dropped mid-upload never gets this far, and the namespace
    // backend writes a temp file and renames it, so nothing is ever half-visible.
    await backend.save(h, data);
    await usage.add(caller.user, data.byteLength - before);
    await copyToPublic?.();
    if (audit) await deps.metadata.audit(audit);
    known.forget(h);
  };
  if (deps.uploads)
    registerUploadRoutes(app, {
      callerOf: deps.callerOf,
      uploads: deps.uploads,
      save,
      admit: async (request, h, size) => void (await admit(request, h, size)),
    });
  const handleOf = (params: FileParams): Handle => {
    const h = { type: fileType(params.type), name: params.name };
    checkHandle(h);
    return h;
  };

  app.get<{ Params: { type: string } }>(`${API_PREFIX}/files/:type/`, async (request) => {
    const type = fileType(request.params.type);
    const { backend, visible } = await context(request);
    const files: ListedFile[] = [];
    for await (const info of backend.list(type)) {
      if (await visible(info)) files.push({ name: info.name, size: info.size, mtimeMs: info.mtimeMs });
    }
    return files;
  });

  app.head<{ Params: FileParams }>(`${API_PREFIX}/files/:type/:name`, async (request, reply) => {
    const h = handleOf(request.params);
    const { backend, visible } = await context(request);
    if (!(await visible(h))) throw notFound(h);
    const info = await backend.stat(h);
    void reply.header(SIZE_HEADER, String(info.size)).header(MTIME_HEADER, String(info.mtimeMs));
    return reply.status(200).send();
  });

  app.get<{ Params: FileParams }>(`${API_PREFIX}/files/:type/:name`, async (request, reply) => {
    const h = handleOf(request.params);
    const { backend, visible } = await context(request);
    if (!(await visible(h))) throw notFound(h);
    const range = parseRange(request.headers.range);
    const data = await backend.load(h, range);
    void reply.type('application/octet-stream').status(range ? 206 : 200);
    return reply.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });

  app.post<{ Params: FileParams; Body: unknown }>(
    `${API_PREFIX}/files/:type/:name`,
    async (request, reply) => {
      const h = handleOf(request.params);
      if (!Buffer.isBuffer(request.body)) {
        throw new ApiFailure('BAD_REQUEST', 'Send the file as "Content-Type: application/octet-stream"');
      }
      await save(request, h, request.body);
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: FileParams }>(`${API_PREFIX}/files/:type/:name`, async (request, reply) => {
    const h = handleOf(request.params);
    const { caller, backend, visible, known } = await context(request);
    if (!(await visible(h))) return reply.status(204).send(); // as idempotent as for an absent file
    const audit = await checkRemove(backend, caller, h, known);
    const wasPublic = h.type === 'snapshots' && (await known.head(backend, h))?.visibility === 'public';
    const before = await storedSize(backend, h);
    await backend.remove(h);
    await usage.add(caller.user, -before);
    if (audit) await deps.metadata.audit(audit);
    // Deleting the owner's public version unpublishes it too.
    if (wasPublic) await unpublishDeleted(deps, h.name, caller.user);
    known.forget(h);
    return reply.status(204).send();
  });

  app.post<{ Params: { type: string }; Body: unknown }>(
    `${API_PREFIX}/missing/:type`,
    async (request): Promise<MissingResponse> => {
      const type = fileType(request.params.type);
      const names = namesOf(request.body);
      for (const name of names) checkHandle({ type, name });
      const { backend, visible } = await context(request);
      const missing: string[] = [];
      for (const name of names) {
        if (!(await exists(backend, { type, name })) || !(await visible({ type, name }))) missing.push(name);
      }
      return { missing };
    },
  );
}

export function fileType(text: string): FileType {
  if (!(FILE_TYPES as readonly string[]).includes(text)) {
    throw new ApiFailure('NOT_FOUND', `There is no file type "${text}"`);
  }
  return text as FileType;
}

// The same answer as for a file that does not exist: a hidden version must not be told apart from absence.
export function notFound(h: Handle): ApiFailure {
  return new ApiFailure('NOT_FOUND', `File "${h.type}/${h.name}" does not exist`);
}

async function exists(backend: Backend, h: Handle): Promise<boolean> {
  try {
    await backend.stat(h);
    return true;
  } catch (error) {
    if (isBackendError(error, 'NOT_FOUND')) return false;
    throw error;
  }
}

export function namesOf(body: unknown): string[] {
  const names = (body as { names?: unknown } | undefined)?.names;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new ApiFailure('BAD_REQUEST', 'Send {"names": ["…", …]}');
  }
  if (names.length > MAX_MISSING_NAMES) {
    throw new ApiFailure('BAD_REQUEST', `Ask about at most ${MAX_MISSING_NAMES} names at once`);
  }
  return names as string[];
}

/**
 * `Range: bytes=FIRST-LAST` (inclusive) or `bytes=FIRST-` (to the end) as offset and length; undefined
 * without the header. "bytes=5-4" asks for zero bytes at 5: HTTP cannot write an empty range, load() can.
 */
export function parseRange(header: string | undefined): { offset: number; length?: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d*)$/.exec(header);
  if (!match) throw new ApiFailure('BAD_REQUEST', `Cannot read range "${header}": use "bytes=FIRST-LAST"`);
  const first = Number(match[1]);
  if (match[2] === '') return { offset: first };
  const last = Number(match[2]);
  if (last < first - 1) throw new ApiFailure('RANGE', `Cannot read range "${header}"`);
  return { offset: first, length: last - first + 1 };
}
