/**
 * GET /auth/oidc/callback: where the issuer sends the browser back. Finishes the code flow (oidc.ts),
 * finds or creates the local user (oidc-users.ts), starts a session and lands on the page the sign-in
 * began from. Every refusal is a page saying why and what to do, never a 500.
 */
import { OIDC_CALLBACK_PATH, OIDC_PENDING_COOKIE, OidcFailure } from '../../oidc.js';
import { userForIdentity } from '../../oidc-users.js';
import { parseCookies, serializeCookie } from '../cookies.js';
import { definePage, redirect } from '../page.js';
import { secureCookies, startSession } from '../session-cookie.js';
import { oidcFailureView, oidcOffView } from './oidc-failure.js';

export const oidcCallbackPage = definePage({
  method: 'GET',
  path: OIDC_CALLBACK_PATH,
  guard: 'public',
  async handle(ctx) {
    const { oidc } = ctx.services;
    if (!oidc) return oidcOffView();
    const pending = parseCookies(ctx.request.headers.cookie).get(OIDC_PENDING_COOKIE);
    // A pending sign-in is good for one callback, whatever its outcome.
    ctx.reply.header(
      'set-cookie',
      serializeCookie(OIDC_PENDING_COOKIE, '', { maxAge: 0, secure: secureCookies(ctx) }),
    );
    const at = ctx.request.url.indexOf('?');
    const query = at < 0 ? '' : ctx.request.url.slice(at);
    try {
      const { identity, next } = await oidc.complete(query, pending);
      const user = await userForIdentity(ctx.services.metadata, identity, oidc.settings);
      await startSession(ctx, user.name);
      return redirect(next);
    } catch (error) {
      if (error instanceof OidcFailure) return oidcFailureView(error);
      throw error;
    }
  },
});
