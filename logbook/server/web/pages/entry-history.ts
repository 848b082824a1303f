/**
 * GET /entries/:owner/:name: an entry's history, newest first (reason, message, visibility, size added),
 * with two columns of radio buttons to pick the versions to compare, and (for the owner) deletion.
 */
import { historyRow } from '../../view/entries.js';
import { entryUrl, openEntry, versionUrl } from '../entry-pages.js';
import { formatBytes, shortTime } from '../format.js';
import { html } from '../html.js';
import { definePage, view } from '../page.js';

export const entryHistoryPage = definePage({
  method: 'GET',
  path: '/entries/:owner/:name',
  guard: 'user',
  async handle(ctx) {
    const { entry, versions, own } = await openEntry(ctx);
    const rows = versions.map((ref) => historyRow(ref, ctx.services.insight)).reverse();
    // Preselected: the two newest, older on the left, so "Compare" at once shows the latest change.
    const to = rows[0]?.seq;
    const from = rows[1]?.seq ?? to;
    return view(
      entry,
      html`<p class="muted">${rows.length} version${rows.length === 1 ? '' : 's'}${own ? '' : ' (public)'}.</p>
<form method="get" action="${entryUrl(entry)}/diff">
<table class="history">
<thead><tr><th>From</th><th>To</th><th>Version</th><th>Date</th><th>Reason</th><th>Message</th><th>Visibility</th><th>Release</th><th>Files</th><th>Size added</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr>
<td><input type="radio" name="from" value="v${r.seq}" aria-label="compare from v${r.seq}"${r.seq === from ? html` checked` : ''}></td>
<td><input type="radio" name="to" value="v${r.seq}" aria-label="compare to v${r.seq}"${r.seq === to ? html` checked` : ''}></td>
<td><a href="${versionUrl(entry, r.seq)}">v${r.seq}</a></td>
<td>${shortTime(r.time)}</td>
<td>${r.reason}</td>
<td>${r.message ?? ''}</td>
<td>${r.visibility}</td>
<td>${r.releases.join(', ')}</td>
<td>${r.files}</td>
<td>${formatBytes(r.bytesAdded)}</td>
</tr>`,
      )}</tbody>
</table>
<p><button type="submit">Compare the selected versions</button></p>
</form>
${own ? html`<p><a class="danger" href="${entryUrl(entry)}/delete">Delete this entry and all its versions…</a></p>` : ''}`,
    );
  },
});
