/** "Sign in with CERN SSO" on the sign-in page, when the server runs with --oidc-issuer. */
import type { User } from '../../metadata.js';
import { OIDC_LOGIN_PATH } from '../../oidc.js';
import { type Html, html } from '../html.js';
import type { PageContext } from '../page.js';

/**
 * A link, not a form: the pages' Content-Security-Policy allows forms to submit only to this server
 * (`form-action 'self'`), and Chromium applies that to the redirect to the issuer as well. A GET link
 * works without JavaScript and needs no CSRF field: it only starts a sign-in.
 */
export function oidcButton(ctx: PageContext<User | undefined>, next: string): Html {
  const { oidc } = ctx.services;
  if (!oidc) return html``;
  const href = `${OIDC_LOGIN_PATH}?next=${encodeURIComponent(next)}`;
  return html`
<p class="oidc"><a class="button" role="button" href="${href}">Sign in with ${oidc.settings.label}</a></p>`;
}
