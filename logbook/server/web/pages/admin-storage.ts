/** Storage use per user: pack bytes, logical bytes of the versions, and the dedup ratio between them. */

import { formatBytes } from '../../../../core/format.js';
import { storageUse } from '../../storage-use.js';
import { html } from '../html.js';
import { definePage, view } from '../page.js';

export const adminStoragePage = definePage({
  method: 'GET',
  path: '/admin/storage',
  guard: 'admin',
  async handle(ctx) {
    const { metadata, storage } = ctx.services;
    const users = await metadata.listUsers();
    const rows = [];
    for (const user of users) {
      const use = await storageUse(await storage.namespace(user.name));
      rows.push(html`<tr><th scope="row">${user.name}</th>
${
  use.logbook
    ? html`<td>${use.entries}</td><td>${use.versions}</td><td>${use.packs}</td><td>${formatBytes(use.storedBytes + use.otherBytes)}</td>
<td>${formatBytes(use.logicalBytes)}</td><td>${use.dedupRatio === undefined ? '–' : `${use.dedupRatio.toFixed(2)}×`}</td>`
    : html`<td colspan="6" class="muted">no logbook yet</td>`
}</tr>`);
    }
    return view(
      'Storage',
      html`<p>Stored: the bytes of the namespace's files (packs, compressed and deduplicated, plus indexes and
manifests). Logical: the file bytes of every version added up, what restoring each would write. Dedup ratio:
logical over pack bytes, so it includes what compression saved. Deduplication happens only within one user's namespace (docs/server.md, "Privacy").</p>
<table><thead><tr><th scope="col">User</th><th scope="col">Entries</th><th scope="col">Versions</th><th scope="col">Packs</th>
<th scope="col">Stored</th><th scope="col">Logical</th><th scope="col">Dedup ratio</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  },
});
