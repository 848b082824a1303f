/** Quotas per user: shown once the metadata store has them (branch `scale`). */
import { html } from '../html.js';
import { definePage, view } from '../page.js';

export const adminQuotasPage = definePage({
  method: 'GET',
  path: '/admin/quotas',
  guard: 'admin',
  async handle() {
    return view(
      'Quotas',
      html`<p class="notice">No quota support yet: this server does not limit what users store.</p>`,
    );
  },
});
