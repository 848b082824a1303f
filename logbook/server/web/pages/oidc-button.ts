/** "Sign in with CERN SSO" on the sign-in page, when the server runs with --oidc-issuer. */
import type { User } from '../../metadata.js';
import { OIDC_LOGIN_PATH } from '../../oidc.js';
import { type Html, html } from '../html.js';
import type { PageContext } from '../page.js';

/** A GET form, so it works without JavaScript and needs no CSRF field: it only starts a sign-in. */
export function oidcButton(ctx: PageContext<User | undefined>, next: string): Html {
  const { oidc } = ctx.services;
  if (!oidc) return html``;
  return html`
<form method="get" action="${OIDC_LOGIN_PATH}" class="stack oidc">
<input type="hidden" name="next" value="${next}">
<button type="submit">Sign in with ${oidc.settings.label}</button>
</form>`;
}
