/**
 * GET /entries/:owner/:name/delete asks to confirm, listing every version; POST deletes them all (as
 * `vml-agent delete ENTRY --yes`), one audit record each. Owner only; others get the usual 404.
 */
import { deleteVersions } from '../../view/delete.js';
import { entryUrl, notFound, openEntry } from '../entry-pages.js';
import { shortTime } from '../format.js';
import { html } from '../html.js';
import { definePage, redirect, view } from '../page.js';

export const deleteEntryConfirmPage = definePage({
  method: 'GET',
  path: '/entries/:owner/:name/delete',
  guard: 'user',
  async handle(ctx) {
    const { entry, versions, own } = await openEntry(ctx);
    if (!own) throw notFound();
    return view(
      `Delete ${entry}?`,
      html`<p class="error">This removes <strong>all ${versions.length} versions</strong> of <strong>${entry}</strong>. It cannot be undone.</p>
<ul>${versions.map((v) => html`<li>v${v.manifest.seq}, ${shortTime(v.manifest.time)}, ${v.manifest.visibility}${v.manifest.message ? `: ${v.manifest.message}` : ''}</li>`)}</ul>
<form method="post" action="${entryUrl(entry)}/delete" class="inline">${ctx.csrf}<button type="submit" class="danger">Delete ${entry}</button></form>
<a href="${entryUrl(entry)}">Cancel</a>`,
    );
  },
});

export const deleteEntryPage = definePage({
  method: 'POST',
  path: '/entries/:owner/:name/delete',
  guard: 'user',
  async handle(ctx) {
    const { logbook, versions, own } = await openEntry(ctx);
    if (!own) throw notFound();
    await deleteVersions(logbook, versions, {
      metadata: ctx.services.metadata,
      storage: ctx.services.storage,
      actor: ctx.user.name,
    });
    return redirect('/entries');
  },
});
