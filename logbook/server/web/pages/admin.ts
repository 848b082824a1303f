/** The admin start page: what each admin page is for. */
import { html } from '../html.js';
import { definePage, view } from '../page.js';

const SECTIONS = [
  { href: '/admin/users', title: 'Users', what: 'who may sign in; add users, make admins' },
  { href: '/admin/quotas', title: 'Quotas', what: 'how much each user may store' },
  { href: '/admin/storage', title: 'Storage', what: 'bytes stored per user and how well they deduplicate' },
  {
    href: '/admin/jobs',
    title: 'gc and verify',
    what: 'run gc or check on a user’s namespace, and read the logs',
  },
  { href: '/admin/audit', title: 'Audit log', what: 'deletions, publications, users and tokens' },
] as const;

export const adminPage = definePage({
  method: 'GET',
  path: '/admin',
  guard: 'admin',
  async handle() {
    return view(
      'Administration',
      html`<ul>${SECTIONS.map((s) => html`<li><a href="${s.href}">${s.title}</a>: ${s.what}</li>`)}</ul>`,
    );
  },
});
