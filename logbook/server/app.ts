/**
 * The logbook server as a Fastify application, without listen: tests call `app.inject()` or listen on
 * 127.0.0.1:0, `vml logbook serve` listens on --listen. One error handler turns every failure into
 * `{code, error}` with the status of API_STATUS.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { isVmlError } from '../../core/errors.js';
import { isBackendError } from '../backend/backend.js';
import {
  API_PREFIX,
  API_STATUS,
  type ApiError,
  type ApiErrorCode,
  MAX_FILE_BYTES,
  WHOAMI_PATH,
  type WhoamiResponse,
} from './api-types.js';
import { ApiFailure, authenticate, type Caller } from './authenticate.js';
import type { ContentScan } from './content-scan.js';
import type { Metadata } from './metadata.js';
import type { OidcClient } from './oidc.js';
import { registerPublicRoutes } from './public/routes.js';
import { registerFileRoutes } from './routes-files.js';
import type { Storage } from './storage.js';
import type { UploadArea } from './uploads.js';
import type { VersionInsight } from './version-insight.js';
import { notFoundPage, registerWeb } from './web/register.js';

/** What buildApp needs. */
export interface AppOptions {
  readonly metadata: Metadata;
  readonly storage: Storage;
  /** What the version pages show of each step's facts; host/server/insight.ts has the agent's. */
  readonly insight: VersionInsight;
  /** The scan every public version passes before it is accepted; host/server/scan.ts has the sanitizers'. */
  readonly scan: ContentScan;
  /** Told about unexpected (500) failures, which clients see only as "internal error". */
  readonly onInternalError?: (error: unknown, request: FastifyRequest) => void;
  /** `--public-url`: how users reach the server (behind a proxy); https makes cookies `Secure`. */
  readonly publicUrl?: string | undefined;
  /** Whether requests without a token may read the public namespace (`--public-anonymous`). */
  readonly publicAnonymous?: boolean;
  /** OIDC sign-in (`--oidc-issuer`); off when absent. */
  readonly oidc?: OidcClient | undefined;
  /** Where resumable uploads wait (uploads.ts); without it the agent saves every file in one POST. */
  readonly uploads?: UploadArea;
}

/** Builds the server; call `listen()` or `inject()` on the result, and `close()` when done. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // The types require both; this catches callers the compiler never saw (tests run without a type check).
  // Without a scan a public version would be accepted unscanned.
  if (options.scan === undefined || options.insight === undefined) {
    throw new Error(
      'buildApp() needs a content scan and a version insight (host/server/scan.ts, insight.ts)',
    );
  }
  const app = Fastify({ logger: false, bodyLimit: MAX_FILE_BYTES, exposeHeadRoutes: false });
  const callers = new WeakMap<FastifyRequest, Caller>();
  const callerOf = (request: FastifyRequest): Caller => {
    const caller = callers.get(request);
    if (!caller) throw new ApiFailure('UNAUTHENTICATED', 'Not signed in');
    return caller;
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(new ApiFailure('BAD_REQUEST', 'The request body is not valid JSON'), undefined);
    }
  });

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith(`${API_PREFIX}/`)) return;
    callers.set(request, await authenticate(options.metadata, request.headers.authorization));
  });

  app.setErrorHandler((error, request, reply) => {
    const { code, message } = toApiError(error);
    if (code === 'INTERNAL') options.onInternalError?.(error, request);
    const body: ApiError = { code, error: message };
    void reply.status(API_STATUS[code]).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    if (!request.url.startsWith(`${API_PREFIX}/`)) {
      return void reply.status(404).type('text/html; charset=utf-8').send(notFoundPage(request.url).text);
    }
    const body: ApiError = { code: 'NOT_FOUND', error: `No route ${request.method} ${request.url}` };
    void reply.status(404).send(body);
  });

  app.get(WHOAMI_PATH, async (request): Promise<WhoamiResponse> => {
    const caller = callerOf(request);
    return { user: caller.user, token: caller.tokenId, scope: caller.scope };
  });
  registerFileRoutes(app, {
    metadata: options.metadata,
    storage: options.storage,
    callerOf,
    scan: options.scan,
    uploads: options.uploads,
  });
  await registerWeb(app, {
    metadata: options.metadata,
    storage: options.storage,
    sessions: options.metadata,
    jobStore: options.metadata,
    publicUrl: options.publicUrl,
    oidc: options.oidc,
    onInternalError: options.onInternalError,
    insight: options.insight,
    scan: options.scan,
  });
  registerPublicRoutes(app, {
    metadata: options.metadata,
    storage: options.storage,
    anonymous: options.publicAnonymous === true,
  });
  return app;
}

// Messages of expected failures are ours and name no secret; anything else stays on the server.
function toApiError(error: unknown): { code: ApiErrorCode; message: string } {
  if (error instanceof ApiFailure) return { code: error.code, message: error.message };
  if (isBackendError(error)) {
    const code: ApiErrorCode =
      error.code === 'TRANSIENT' ? 'INTERNAL' : error.code === 'DENIED' ? 'INTERNAL' : error.code;
    return { code, message: code === 'INTERNAL' ? 'Internal error' : publicMessage(error.message) };
  }
  if (isVmlError(error) && error.code === 'E_UNSAFE_PATH')
    return { code: 'BAD_REQUEST', message: error.message };
  const fastify = error as Partial<FastifyError>;
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { code: 'TOO_LARGE', message: `The body is larger than ${MAX_FILE_BYTES} bytes` };
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { code: 'BAD_REQUEST', message: fastify.message ?? 'Bad request' };
  }
  return { code: 'INTERNAL', message: 'Internal error' };
}

// Backend messages name server paths ("/srv/vml/owners/alice/data/3f/…"): clients get only the file.
function publicMessage(message: string): string {
  return message.replace(/"(\/[^"]*)"/g, (_all, path: string) => {
    const parts = path.split('/');
    const name = parts.at(-1) ?? '';
    const type = /^[0-9a-f]{2}$/.test(parts.at(-2) ?? '') ? parts.at(-3) : parts.at(-2);
    return name === 'config' ? '"config"' : `"${type}/${name}"`;
  });
}
