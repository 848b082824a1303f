/**
 * GET /entries/:owner/:name/:version/delete asks to confirm; POST deletes the version (its manifest, as
 * `vml-agent delete ENTRY@vN --yes` does; gc reclaims the data) and writes it to the audit log. Only the
 * owner's session gets either: everyone else gets the 404 of a version that does not exist.
 */
import { deleteVersions } from '../../view/delete.js';
import { entryUrl, notFound, openVersion, versionUrl } from '../entry-pages.js';
import { shortTime } from '../format.js';
import { html } from '../html.js';
import { definePage, redirect, view } from '../page.js';

export const deleteVersionConfirmPage = definePage({
  method: 'GET',
  path: '/entries/:owner/:name/:version/delete',
  guard: 'user',
  async handle(ctx) {
    const { entry, ref, own } = await openVersion(ctx);
    if (!own) throw notFound();
    const m = ref.manifest;
    return view(
      `Delete ${entry}@v${m.seq}?`,
      html`<p class="error">This removes version <strong>v${m.seq}</strong> of <strong>${entry}</strong> (${shortTime(m.time)}, ${m.reason}${m.message ? `: ${m.message}` : ''}). It cannot be undone; the data only this version used is reclaimed by the next gc.</p>
<form method="post" action="${versionUrl(entry, m.seq, 'delete')}" class="inline">${ctx.csrf}<button type="submit" class="danger">Delete v${m.seq}</button></form>
<a href="${versionUrl(entry, m.seq)}">Cancel</a>`,
    );
  },
});

export const deleteVersionPage = definePage({
  method: 'POST',
  path: '/entries/:owner/:name/:version/delete',
  guard: 'user',
  async handle(ctx) {
    const { entry, logbook, ref, own } = await openVersion(ctx);
    if (!own) throw notFound();
    await deleteVersions(logbook, [ref], {
      metadata: ctx.services.metadata,
      storage: ctx.services.storage,
      actor: ctx.user.name,
    });
    const left = await logbook.history(entry);
    return redirect(left.length > 0 ? entryUrl(entry) : '/entries');
  },
});
