/**
 * GET /auth/oidc/login?next=PATH: begins an OIDC sign-in (the "Sign in with CERN SSO" button). Sets the
 * sealed pending cookie and sends the browser to the issuer's login page.
 */
import { OIDC_LOGIN_PATH, OIDC_PENDING_COOKIE, OIDC_PENDING_SECONDS, OidcFailure } from '../../oidc.js';
import { serializeCookie } from '../cookies.js';
import { definePage, localPath, SENT } from '../page.js';
import { secureCookies } from '../session-cookie.js';
import { oidcFailureView, oidcOffView } from './oidc-failure.js';

export const oidcLoginPage = definePage({
  method: 'GET',
  path: OIDC_LOGIN_PATH,
  guard: 'public',
  async handle(ctx) {
    const { oidc } = ctx.services;
    if (!oidc) return oidcOffView();
    let started: { url: string; pending: string };
    try {
      started = await oidc.begin(localPath(ctx.query.next ?? '/entries'));
    } catch (error) {
      if (error instanceof OidcFailure) return oidcFailureView(error);
      throw error;
    }
    const cookie = { maxAge: OIDC_PENDING_SECONDS, secure: secureCookies(ctx) };
    ctx.reply.header('set-cookie', serializeCookie(OIDC_PENDING_COOKIE, started.pending, cookie));
    await ctx.reply.redirect(started.url, 303);
    return SENT;
  },
});
