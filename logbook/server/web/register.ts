/**
 * The web interface as routes of the same Fastify app as the API: each page of PAGES becomes a route that
 * finds the session, applies the page's guard, checks the CSRF field of every POST, calls the page and
 * renders its result in the layout. Errors become HTML error pages here, not JSON.
 */
import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JobRunner, type JobStore } from '../jobs.js';
import type { User } from '../metadata.js';
import { NamespaceCache } from '../view/namespace-cache.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { type Html, html } from './html.js';
import { layout } from './layout.js';
import { type PageContext, type PageResult, WebError, type WebPage, type WebServices } from './page.js';
import { PAGES } from './pages.js';
import { csrfToken, findLiveSession, SESSION_COOKIE, sameToken } from './sessions.js';
import { SignInLimit } from './sign-in-limit.js';

/** What registerWeb needs. */
export interface WebOptions extends Omit<WebServices, 'signInLimit' | 'jobs' | 'logbooks'> {
  /** Where gc and check runs are kept. */
  readonly jobStore: JobStore;
  /** Told about unexpected (500) failures, which users see only as "internal error". */
  readonly onInternalError?: ((error: unknown, request: FastifyRequest) => void) | undefined;
}

/** Before sign-in there is no session to derive a CSRF token from: a random cookie is echoed by the form. */
const PRE_SESSION_COOKIE = 'vml_presession';
const CSRF_FIELD = 'csrf';

/** Adds every page of PAGES to `app`. */
export async function registerWeb(app: FastifyInstance, options: WebOptions): Promise<void> {
  const jobs = new JobRunner(options.jobStore, options.storage);
  const logbooks = new NamespaceCache(options.storage);
  const services: WebServices = {
    ...options,
    signInLimit: new SignInLimit(options.metadata),
    jobs,
    logbooks,
  };
  // Closing the app waits for running gc and check jobs, so they never outlive the storage they use.
  app.addHook('onClose', () => jobs.idle());
  await app.register(async (web) => {
    await web.register(formbody);
    web.setErrorHandler((error, request, reply) => {
      // Fastify's own 4xx (a body that is too large or of an unknown type) are the client's doing, not ours.
      const fastifyStatus = (error as { statusCode?: unknown }).statusCode;
      const clientError = typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500;
      const status = error instanceof WebError ? error.status : clientError ? fastifyStatus : 500;
      if (status === 500) options.onInternalError?.(error, request);
      const message =
        error instanceof WebError
          ? error.message
          : clientError
            ? 'The server cannot read this request: send the form from its page'
            : 'Internal error: the server log has the details';
      void sendPage(reply, status, errorPage(status, message, request.url));
    });
    for (const page of PAGES) {
      web.route({
        method: page.method,
        url: page.path,
        handler: (request, reply) => serve(page, request, reply, services),
      });
    }
  });
}

/** The HTML answer for paths that match no route (the API keeps its JSON 404). */
export function notFoundPage(url: string): Html {
  return errorPage(404, 'There is no such page', url);
}

async function serve(page: WebPage, request: FastifyRequest, reply: FastifyReply, services: WebServices) {
  const cookies = parseCookies(request.headers.cookie);
  const sessionId = cookies.get(SESSION_COOKIE);
  const session = await findLiveSession(services.sessions, sessionId);
  const user = session && (await services.metadata.findUser(session.user));
  if (page.guard !== 'public' && user === undefined) {
    const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
    return reply.redirect(`/signin${next}`, 303);
  }
  const expected =
    user !== undefined && sessionId !== undefined
      ? csrfToken(sessionId)
      : preSessionToken(request, reply, cookies, services);
  const form = request.method === 'POST' ? fields(request.body) : {};
  if (request.method === 'POST' && !sameToken(form[CSRF_FIELD], expected)) {
    throw new WebError(
      403,
      'This form has expired or did not come from this site: reload the page and send it again',
    );
  }
  if (page.guard === 'admin' && !user?.admin) throw new WebError(403, 'This page is for administrators only');
  const ctx: PageContext<User | undefined> = {
    request,
    reply,
    user,
    params: (request.params ?? {}) as Record<string, string>,
    query: fields(request.query),
    form,
    csrf: html`<input type="hidden" name="${CSRF_FIELD}" value="${expected}">`,
    services,
  };
  const result: PageResult =
    page.guard === 'public' ? await page.handle(ctx) : await page.handle(ctx as PageContext<User>);
  if (result.kind === 'sent') return reply;
  if (result.kind === 'redirect') return reply.redirect(result.to, 303);
  return sendPage(
    reply,
    result.status,
    layout({ title: result.title, body: result.body, user, csrf: ctx.csrf, path: request.url }),
  );
}

function sendPage(reply: FastifyReply, status: number, page: Html): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    .type('text/html; charset=utf-8')
    .send(page.text);
}

function errorPage(status: number, message: string, url: string): Html {
  const title =
    status === 403
      ? 'Not allowed'
      : status === 404
        ? 'Not found'
        : status >= 500
          ? 'Server error'
          : 'Cannot do that';
  return layout({
    title,
    body: html`<p class="error" role="alert">${message}</p><p><a href="/">Back to the start page</a></p>`,
    path: url,
  });
}

// The pre-session cookie's value is the token itself (double submit): a cross-site page can neither read
// it nor set it, so it cannot forge the form field.
function preSessionToken(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: Map<string, string>,
  services: WebServices,
): string {
  const existing = cookies.get(PRE_SESSION_COOKIE);
  if (existing !== undefined && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  if (request.method === 'GET') {
    reply.header(
      'set-cookie',
      serializeCookie(PRE_SESSION_COOKIE, token, {
        secure: request.protocol === 'https' || (services.publicUrl?.startsWith('https:') ?? false),
      }),
    );
  }
  return token;
}

// Form bodies and query strings may repeat a key (`a=1&a=2`): pages see the first value.
function fields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, v] of Object.entries(value)) {
    const first: unknown = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}
