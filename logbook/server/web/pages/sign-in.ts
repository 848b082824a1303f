/** Sign-in with a local password (users made by `vml logbook user add --password-file` or an admin). */
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../auth.js';
import type { User } from '../../metadata.js';
import { type Html, html } from '../html.js';
import { definePage, localPath, type PageContext, redirect, view } from '../page.js';
import { startSession } from '../session-cookie.js';
import { FAILURE_DELAY_MS } from '../sign-in-limit.js';
import { oidcButton } from './oidc-button.js';

/** The one answer to a failed sign-in, whether the name is unknown or the password wrong. */
export const SIGN_IN_FAILED = 'Unknown user name or wrong password';
const TOO_MANY = 'Too many failed sign-ins: wait 15 minutes and try again';

function signInForm(ctx: PageContext<User | undefined>, name: string, next: string, error?: string): Html {
  return html`${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<form method="post" action="/signin" class="stack">
${ctx.csrf}<input type="hidden" name="next" value="${next}">
<label>User name <input name="name" autocomplete="username" required value="${name}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>${oidcButton(ctx, next)}`;
}

export const signInPage = definePage({
  method: 'GET',
  path: '/signin',
  guard: 'public',
  async handle(ctx) {
    if (ctx.user) return redirect(localPath(ctx.query.next ?? '/entries'));
    return view('Sign in', signInForm(ctx, '', ctx.query.next ?? '/entries'));
  },
});

// Unknown names cost as much as known ones: verify against a hash of a random password.
let dummyHash: Promise<string> | undefined;

export const signInPost = definePage({
  method: 'POST',
  path: '/signin',
  guard: 'public',
  async handle(ctx) {
    const name = (ctx.form.name ?? '').trim();
    const password = ctx.form.password ?? '';
    const next = localPath(ctx.form.next ?? '/entries');
    const limit = ctx.services.signInLimit;
    if (!(await limit.attempt(name, ctx.request.ip)))
      return view('Sign in', signInForm(ctx, name, next, TOO_MANY), 429);
    const user = name === '' ? undefined : await ctx.services.metadata.findUser(name);
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || user.passwordHash === undefined || !ok) {
      await new Promise((resolve) => setTimeout(resolve, FAILURE_DELAY_MS));
      return view('Sign in', signInForm(ctx, name, next, SIGN_IN_FAILED), 401);
    }
    await limit.succeeded(name, ctx.request.ip);
    await startSession(ctx, user.name);
    return redirect(next);
  },
});
