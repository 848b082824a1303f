/** Users for admins: list them, add one with a password, make one an admin (or not). */
import { isVmlError } from '../../../../core/errors.js';
import { addUser } from '../../admin.js';
import type { User } from '../../metadata.js';
import { shortTime } from '../format.js';
import { html } from '../html.js';
import { buttonForm, definePage, type PageContext, redirect, view, WebError } from '../page.js';

async function usersPage(ctx: PageContext, error?: string, status = 200) {
  const users = await ctx.services.metadata.listUsers();
  const tokens = await ctx.services.metadata.listTokens();
  const live = (u: User) => tokens.filter((t) => t.user === u.name && t.revoked === undefined).length;
  const rows = users.map(
    (
      u,
    ) => html`<tr><th scope="row">${u.name}</th><td>${u.admin ? 'admin' : 'user'}</td><td>${u.passwordHash === undefined ? 'no' : 'yes'}</td>
<td>${live(u)}</td><td>${shortTime(u.created)}</td>
<td>${u.name === ctx.user.name ? html`<span class="muted">you</span>` : buttonForm(ctx, `/admin/users/${u.name}/${u.admin ? 'unadmin' : 'admin'}`, u.admin ? `Remove admin from ${u.name}` : `Make ${u.name} admin`)}</td></tr>`,
  );
  return view(
    'Users',
    html`<table><thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Password</th>
<th scope="col">Live tokens</th><th scope="col">Created (UTC)</th><th scope="col">Change</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Add a user</h2>
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<form method="post" action="/admin/users" class="stack">${ctx.csrf}
<label>Name <input name="name" required pattern="[a-z][a-z0-9_\\-]{0,31}" value="${ctx.form.name ?? ''}"></label>
<label>Password (at least 8 characters) <input name="password" type="password" autocomplete="new-password" required minlength="8"></label>
<label class="check"><span><input name="admin" type="checkbox" value="yes"> Administrator</span></label>
<button type="submit">Add user</button>
</form>`,
    status,
  );
}

export const adminUsersPage = definePage({
  method: 'GET',
  path: '/admin/users',
  guard: 'admin',
  handle: (ctx) => usersPage(ctx),
});

export const adminUserAddPost = definePage({
  method: 'POST',
  path: '/admin/users',
  guard: 'admin',
  async handle(ctx) {
    try {
      await addUser(ctx.services.metadata, (ctx.form.name ?? '').trim(), {
        password: ctx.form.password ?? '',
        admin: ctx.form.admin === 'yes',
        actor: ctx.user.name,
      });
    } catch (error) {
      if (isVmlError(error) && error.code === 'E_USAGE') {
        return usersPage(ctx, error.hint ? `${error.message}. ${error.hint}` : error.message, 400);
      }
      throw error;
    }
    return redirect('/admin/users');
  },
});

function adminToggle(path: string, admin: boolean) {
  return definePage({
    method: 'POST',
    path,
    guard: 'admin',
    async handle(ctx) {
      const name = ctx.params.name ?? '';
      // An admin cannot demote themself: there must always be someone left to administer the server.
      if (name === ctx.user.name) throw new WebError(400, 'You cannot change your own role');
      if (!(await ctx.services.metadata.setAdmin(name, admin)))
        throw new WebError(404, `There is no user "${name}"`);
      await ctx.services.metadata.audit({
        actor: ctx.user.name,
        action: admin ? 'user-admin' : 'user-unadmin',
        target: name,
      });
      return redirect('/admin/users');
    },
  });
}

export const adminMakeAdminPost = adminToggle('/admin/users/:name/admin', true);
export const adminUnmakeAdminPost = adminToggle('/admin/users/:name/unadmin', false);
