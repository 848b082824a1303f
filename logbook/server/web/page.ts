/**
 * The contract of a web page. One file per page under pages/, listed in pages.ts; register.ts turns each
 * into a Fastify route with its guard, CSRF check and layout.
 *
 * @example
 *   // logbook/server/web/pages/hello.ts
 *   export const helloPage = definePage({
 *     method: 'GET',
 *     path: '/hello',
 *     guard: 'user',                       // 'public' | 'user' | 'admin'
 *     async handle(ctx) {
 *       return view('Hello', html`<p>Hello ${ctx.user.name}</p>`);
 *     },
 *   });
 *   // then add `helloPage` to PAGES in pages.ts
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ContentScan } from '../content-scan.js';
import type { JobRunner } from '../jobs.js';
import type { Metadata, User } from '../metadata.js';
import type { OidcClient } from '../oidc.js';
import type { Storage } from '../storage.js';
import type { VersionInsight } from '../version-insight.js';
import type { NamespaceCache } from '../view/namespace-cache.js';
import { type Html, html } from './html.js';
import type { SessionStore } from './sessions.js';
import type { SignInLimit } from './sign-in-limit.js';

/** What pages may use besides the request: the server's stores. Later features add fields here. */
export interface WebServices {
  readonly metadata: Metadata;
  readonly storage: Storage;
  readonly sessions: SessionStore;
  /** `--public-url`, e.g. `https://vml.example.org`: cookies get `Secure` when it is https. */
  readonly publicUrl?: string | undefined;
  /** Failed password sign-ins, counted in the metadata database (shared by every server on it). */
  readonly signInLimit: SignInLimit;
  /** OIDC sign-in (`--oidc-issuer`); absent when off. */
  readonly oidc?: OidcClient | undefined;
  /** gc and check runs on owner namespaces (admin pages). */
  readonly jobs: JobRunner;
  /** The logbooks of namespaces, with what stays the same between requests kept (entry pages). */
  readonly logbooks: NamespaceCache;
  /** What the version pages show of each step's facts (version-insight.ts). */
  readonly insight: VersionInsight;
  /** The content scan of the "Publish" button (content-scan.ts). */
  readonly scan: ContentScan;
}

/** Everything a page handler gets. `U` is `User` behind a user or admin guard. */
export interface PageContext<U extends User | undefined = User> {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** The signed-in user (fresh from the database on every request, so a new admin flag counts at once). */
  readonly user: U;
  /** Path parameters (`/tokens/:id` → `params.id`). */
  readonly params: Readonly<Record<string, string>>;
  /** Query string values (the first of repeated keys). */
  readonly query: Readonly<Record<string, string>>;
  /** Fields of a POSTed form (application/x-www-form-urlencoded); empty for GET. */
  readonly form: Readonly<Record<string, string>>;
  /** The hidden CSRF field every POST form must contain: put `${ctx.csrf}` inside each `<form method="post">`. */
  readonly csrf: Html;
  readonly services: WebServices;
}

/** What a handler returns: a page in the layout, a redirect, or SENT when it answered through `reply` itself. */
export type PageResult =
  | { readonly kind: 'view'; readonly title: string; readonly body: Html; readonly status: number }
  | { readonly kind: 'redirect'; readonly to: string }
  | { readonly kind: 'sent' };

interface PageBase {
  readonly method: 'GET' | 'POST';
  /** A Fastify route path, e.g. `/tokens/:id/revoke`. */
  readonly path: string;
}

/** A page anyone may see (sign-in); `ctx.user` is set when someone is signed in. */
export interface PublicPage extends PageBase {
  readonly guard: 'public';
  handle(ctx: PageContext<User | undefined>): Promise<PageResult>;
}

/** A page for signed-in users ('user') or admins only ('admin'; others get a 403 page). */
export interface GuardedPage extends PageBase {
  readonly guard: 'user' | 'admin';
  handle(ctx: PageContext<User>): Promise<PageResult>;
}

export type WebPage = PublicPage | GuardedPage;

/** Identity function that gives a page literal its type. */
export function definePage<P extends WebPage>(page: P): P {
  return page;
}

/** A page in the layout. */
export function view(title: string, body: Html, status = 200): PageResult {
  return { kind: 'view', title, body, status };
}

/** A 303 redirect (after a POST, the browser then GETs `to`). Only local paths. */
export function redirect(to: string): PageResult {
  return { kind: 'redirect', to: localPath(to) };
}

/** The handler already sent the answer (a download, say). */
export const SENT: PageResult = { kind: 'sent' };

/** An expected failure shown as an error page with this status: 400 bad form, 403, 404. */
export class WebError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'WebError';
    this.status = status;
  }
}

/** `to` if it is a path on this site, else "/": a `next=` parameter must not send users elsewhere. */
export function localPath(to: string | undefined): string {
  return to !== undefined && /^\/(?![/\\])/.test(to) ? to : '/';
}

/** A small form whose only visible part is one button: revoke, run gc, make admin. */
export function buttonForm(ctx: PageContext<User | undefined>, action: string, label: string): Html {
  return html`<form method="post" action="${action}" class="inline">${ctx.csrf}<button type="submit">${label}</button></form>`;
}
