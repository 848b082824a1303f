/**
 * Quotas per user (logbook/server/quota.ts): each user's quota and what their namespace stores now, and a
 * form to set or lift a quota. It takes effect at the user's next save, on every server.
 */
import type { User } from '../../metadata.js';
import { namespaceUsage, parseQuota } from '../../quota.js';
import { formatBytes } from '../format.js';
import { html } from '../html.js';
import { definePage, type PageContext, redirect, view, WebError } from '../page.js';

async function quotaRow(ctx: PageContext, user: User) {
  const used = await namespaceUsage(await ctx.services.storage.namespace(user.name));
  const share =
    user.quota === undefined ? '' : user.quota === 0 ? '–' : `${Math.round((100 * used) / user.quota)} %`;
  return html`<tr><th scope="row">${user.name}</th><td>${formatBytes(used)}</td>
<td>${user.quota === undefined ? html`<span class="muted">none</span>` : formatBytes(user.quota)}</td><td>${share}</td>
<td><form method="post" action="/admin/quotas/${user.name}" class="inline">${ctx.csrf}
<label class="inline-label">New quota for ${user.name} <input name="quota" size="8" placeholder="20G or none"></label>
<button type="submit">Set</button></form></td></tr>`;
}

export const adminQuotasPage = definePage({
  method: 'GET',
  path: '/admin/quotas',
  guard: 'admin',
  async handle(ctx) {
    const rows = [];
    for (const user of await ctx.services.metadata.listUsers()) rows.push(await quotaRow(ctx, user));
    return view(
      'Quotas',
      html`<p>A save that would take a namespace over its user's quota is refused; deleting is always allowed. Sizes in
binary units: 500M, 20G, 1.5T, or "none" for no limit. Usage counts every file of the namespace.</p>
<table><thead><tr><th scope="col">User</th><th scope="col">Stored</th><th scope="col">Quota</th><th scope="col">Used</th>
<th scope="col">Change</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  },
});

export const adminQuotaPost = definePage({
  method: 'POST',
  path: '/admin/quotas/:name',
  guard: 'admin',
  async handle(ctx) {
    const name = ctx.params.name ?? '';
    let quota: number | null;
    try {
      quota = parseQuota(ctx.form.quota ?? '');
    } catch (error) {
      throw new WebError(400, (error as Error).message);
    }
    if (!(await ctx.services.metadata.setQuota(name, quota)))
      throw new WebError(404, `There is no user "${name}"`);
    const target = `${name} ${quota === null ? 'none' : formatBytes(quota)}`;
    await ctx.services.metadata.audit({ actor: ctx.user.name, action: 'user-quota', target });
    return redirect('/admin/quotas');
  },
});
