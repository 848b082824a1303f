/**
 * Starting and ending a session from a page: the password sign-in uses these, and so does any other way of
 * signing in (OIDC): prove who the user is, then call `startSession(ctx, name)` and redirect.
 */
import type { User } from '../metadata.js';
import { parseCookies, serializeCookie } from './cookies.js';
import type { PageContext } from './page.js';
import { hashSessionId, newSession, SESSION_COOKIE, SESSION_HOURS } from './sessions.js';

/** Whether cookies get `Secure`: the request came over https, or the server's public URL is https. */
export function secureCookies(ctx: PageContext<User | undefined>): boolean {
  return ctx.request.protocol === 'https' || (ctx.services.publicUrl?.startsWith('https:') ?? false);
}

/** Stores a new session for `user` and sets its cookie on the reply. */
export async function startSession(ctx: PageContext<User | undefined>, user: string): Promise<void> {
  const { id, record } = newSession(user);
  const { sessions } = ctx.services;
  await sessions.deleteExpiredSessions(new Date().toISOString());
  await sessions.addSession(record);
  ctx.reply.header(
    'set-cookie',
    serializeCookie(SESSION_COOKIE, id, { maxAge: SESSION_HOURS * 3600, secure: secureCookies(ctx) }),
  );
}

/** Deletes the request's session (if any) and clears its cookie. */
export async function endSession(ctx: PageContext<User | undefined>): Promise<void> {
  const sessionId = parseCookies(ctx.request.headers.cookie).get(SESSION_COOKIE);
  if (sessionId !== undefined) await ctx.services.sessions.deleteSession(hashSessionId(sessionId));
  ctx.reply.header(
    'set-cookie',
    serializeCookie(SESSION_COOKIE, '', { maxAge: 0, secure: secureCookies(ctx) }),
  );
}
