/**
 * GET /entries: the signed-in user's entries and the public ones, each with its latest version, and a
 * search box that matches entry names, ATLAS releases and version messages.
 */

import { PUBLIC_NAMESPACE } from '../../storage.js';
import { type EntrySummary, listEntries } from '../../view/entries.js';
import { entryUrl, openNamespace } from '../entry-pages.js';
import { formatBytes, shortTime } from '../format.js';
import { type Html, html } from '../html.js';
import { definePage, view } from '../page.js';

export const entriesPage = definePage({
  method: 'GET',
  path: '/entries',
  guard: 'user',
  async handle(ctx) {
    const query = ctx.query.q?.trim() ?? '';
    const own = await openNamespace(ctx.services, ctx.user.name);
    const pub = await openNamespace(ctx.services, PUBLIC_NAMESPACE);
    const { insight } = ctx.services;
    const mine = own ? await listEntries(own, { source: 'own', query, insight }) : [];
    // The user's own published entries are already in their list, with their private versions.
    const others = pub
      ? (await listEntries(pub, { source: 'public', query, insight })).filter(
          (e) => !e.entry.startsWith(`${ctx.user.name}/`),
        )
      : [];
    return view(
      'Entries',
      html`<form method="get" action="/entries" role="search" class="search">
<label for="q">Search entries</label>
<input id="q" name="q" type="search" value="${query}" placeholder="entry name, release or message">
<button type="submit">Search</button>${query === '' ? '' : html` <a href="/entries">Show all</a>`}
</form>
<h2>Your entries</h2>
${table(mine, query === '' ? 'You have no entries yet: back up with "vml-agent backup --logbook URL".' : 'None of your entries match.')}
<h2>Public entries</h2>
${table(others, query === '' ? 'No one has published an entry yet.' : 'No public entry matches.')}`,
    );
  },
});

function table(entries: readonly EntrySummary[], empty: string): Html {
  if (entries.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table class="entries">
<thead><tr><th>Entry</th><th>Versions</th><th>Latest</th><th>Date</th><th>Release</th><th>Message</th><th>Visibility</th><th>Size added</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr>
<td><a href="${entryUrl(e.entry)}">${e.entry}</a></td>
<td>${e.versions}</td>
<td>v${e.latest.seq}</td>
<td>${shortTime(e.latest.time)}</td>
<td>${e.latest.releases.join(', ')}</td>
<td>${e.latest.message ?? ''}</td>
<td>${e.latest.visibility}</td>
<td>${formatBytes(e.latest.bytesAdded)}</td>
</tr>`,
  )}</tbody>
</table>`;
}
