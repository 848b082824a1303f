/** The audit log for admins: deletions, visibility changes, users and tokens, newest first. */

import { shortTime } from '../format.js';
import { html } from '../html.js';
import { definePage, view } from '../page.js';

const LIMIT = 500;

export const adminAuditPage = definePage({
  method: 'GET',
  path: '/admin/audit',
  guard: 'admin',
  async handle(ctx) {
    const records = (await ctx.services.metadata.listAudit()).reverse();
    const rows = records
      .slice(0, LIMIT)
      .map(
        (r) =>
          html`<tr><td>${shortTime(r.time)}</td><td>${r.actor}</td><td>${r.action}</td><td><code>${r.target}</code></td><td>${r.token ? html`<code>${r.token}</code>` : ''}</td></tr>`,
      );
    return view(
      'Audit log',
      records.length === 0
        ? html`<p class="muted">Nothing recorded yet.</p>`
        : html`<p class="muted">${records.length > LIMIT ? `The newest ${LIMIT} of ${records.length} records.` : `${records.length} records, newest first.`}</p>
<table><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Token</th></tr></thead>
<tbody>${rows}</tbody></table>`,
    );
  },
});
