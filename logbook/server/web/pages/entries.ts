/**
 * Placeholder for the entries list, where sign-in lands. The entry and version pages (branch `webentries`)
 * replace this file.
 */
import { html } from '../html.js';
import { definePage, view } from '../page.js';

export const entriesPage = definePage({
  method: 'GET',
  path: '/entries',
  guard: 'user',
  async handle(ctx) {
    return view('Entries', html`<p class="muted">Entries of ${ctx.user.name} will be listed here.</p>`);
  },
});
