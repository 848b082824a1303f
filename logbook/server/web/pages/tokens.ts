/**
 * Your API tokens: list (id, label, scope, created, revoked), create one (the secret is shown once, on the
 * answer to the POST, and never again: only its hash is stored), revoke one after a confirmation page.
 */
import { isVmlError } from '../../../../core/errors.js';
import { createToken, revokeToken } from '../../admin.js';
import { ACCESS_LEVELS } from '../../api-types.js';
import type { TokenRecord, User } from '../../metadata.js';
import { type Html, html } from '../html.js';
import { definePage, type PageContext, redirect, view, WebError } from '../page.js';

const ACCESS_HELP: Readonly<Record<string, string>> = {
  read: 'read: list and download',
  append: 'append: also add versions, never delete (the shutdown backup)',
  full: 'full: everything, including delete and gc',
};

function tokenRows(tokens: readonly TokenRecord[]): Html {
  if (tokens.length === 0) return html`<p class="muted">You have no tokens yet.</p>`;
  const rows = tokens.map(
    (t) => html`<tr>
<td><code>${t.id}</code></td><td>${t.label}</td><td><code>${t.scope.entries}</code></td><td>${t.scope.access}</td>
<td>${t.created.slice(0, 16).replace('T', ' ')}</td>
<td>${t.revoked === undefined ? html`<a href="/tokens/${t.id}/revoke">Revoke…</a>` : html`revoked ${t.revoked.slice(0, 16).replace('T', ' ')}`}</td>
</tr>`,
  );
  return html`<table><thead><tr><th scope="col">Id</th><th scope="col">Label</th><th scope="col">Entries</th>
<th scope="col">Access</th><th scope="col">Created (UTC)</th><th scope="col">State</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function createForm(ctx: PageContext, error?: string, label = '', entries = `${ctx.user.name}/*`): Html {
  const options = ACCESS_LEVELS.map(
    (a) => html`<option value="${a}"${a === 'append' ? html` selected` : ''}>${ACCESS_HELP[a]}</option>`,
  );
  return html`<h2>Create a token</h2>
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<form method="post" action="/tokens" class="stack">${ctx.csrf}
<label>Label <input name="label" maxlength="100" value="${label}" placeholder="shutdown backup of vm3"></label>
<label>Entries (a glob within your own) <input name="entries" required value="${entries}"></label>
<label>Access <select name="access">${options}</select></label>
<button type="submit">Create token</button>
</form>`;
}

async function listPage(ctx: PageContext, error?: string, status = 200) {
  const tokens = await ctx.services.metadata.listTokens(ctx.user.name);
  return view(
    'Tokens',
    html`<p>Agents use a token to reach this logbook: <code>VML_TOKEN_FILE=/root/vm.token</code> (a 0600 file) or
<code>VML_TOKEN</code>. A token is shown once, when it is made.</p>
${tokenRows(tokens)}
${createForm(ctx, error, ctx.form.label, ctx.form.entries)}`,
    status,
  );
}

/** The user's own live token with this id, or a 404 (someone else's id looks like a missing one). */
async function ownToken(ctx: PageContext): Promise<TokenRecord> {
  const token = await ctx.services.metadata.findToken(ctx.params.id ?? '');
  if (!token || token.user !== ctx.user.name || token.revoked !== undefined) {
    throw new WebError(404, 'You have no live token with that id');
  }
  return token;
}

export const tokensPage = definePage({
  method: 'GET',
  path: '/tokens',
  guard: 'user',
  handle: (ctx) => listPage(ctx),
});

export const tokenCreatePost = definePage({
  method: 'POST',
  path: '/tokens',
  guard: 'user',
  async handle(ctx) {
    const user: User = ctx.user;
    const label = (ctx.form.label ?? '').trim().slice(0, 100);
    const scope = `${(ctx.form.entries ?? '').trim()}:${ctx.form.access ?? ''}`;
    let made: Awaited<ReturnType<typeof createToken>>;
    try {
      made = await createToken(ctx.services.metadata, user.name, { label, scope, actor: user.name });
    } catch (error) {
      if (isVmlError(error) && error.code === 'E_USAGE')
        return listPage(ctx, error.hint ? `${error.message}. ${error.hint}` : error.message, 400);
      throw error;
    }
    return view(
      'Your new token',
      html`<p class="notice" role="status">Copy this token now: it is shown only once. The server keeps only its hash.</p>
<code class="secret" id="new-token">${made.token}</code>
<p>Id <code>${made.record.id}</code> · entries <code>${made.record.scope.entries}</code> · ${made.record.scope.access}
${made.record.label ? html` · ${made.record.label}` : ''}</p>
<p>In the guest: <code>install -m 600 /dev/stdin /root/vm.token</code>, paste, Ctrl-D; then
<code>VML_TOKEN_FILE=/root/vm.token vml-agent backup</code>.</p>
<p><a href="/tokens">Back to your tokens</a></p>`,
    );
  },
});

export const tokenRevokePage = definePage({
  method: 'GET',
  path: '/tokens/:id/revoke',
  guard: 'user',
  async handle(ctx) {
    const token = await ownToken(ctx);
    return view(
      'Revoke token',
      html`<p>Revoke token <code>${token.id}</code>${token.label ? html` (${token.label})` : ''}? Agents using it are
refused from their next request on. This cannot be undone.</p>
<form method="post" action="/tokens/${token.id}/revoke" class="inline">${ctx.csrf}<button type="submit" class="danger">Revoke token ${token.id}</button></form>
<a href="/tokens">Cancel</a>`,
    );
  },
});

export const tokenRevokePost = definePage({
  method: 'POST',
  path: '/tokens/:id/revoke',
  guard: 'user',
  async handle(ctx) {
    const token = await ownToken(ctx);
    await revokeToken(ctx.services.metadata, token.id, { actor: ctx.user.name });
    return redirect('/tokens');
  },
});
