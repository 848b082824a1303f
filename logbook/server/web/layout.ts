/**
 * The one page layout: header with navigation (Entries, Tokens, Admin for admins), the signed-in user and a
 * sign-out button; a small inline stylesheet (no CDN: the server works offline); the page's own body.
 */
import type { User } from '../metadata.js';
import { type Html, html, raw } from './html.js';

const STYLE = raw(`
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: #f6f8fa; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
header .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header nav { display: flex; gap: 1rem; flex: 1; }
header nav a { color: var(--accent); text-decoration: none; }
header nav a[aria-current="page"] { font-weight: 600; text-decoration: underline; }
header .who { color: var(--muted); }
main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
form.stack { display: grid; gap: .6rem; max-width: 28rem; background: #fff; padding: 1rem; border: 1px solid var(--line); }
form.inline { display: inline; margin: 0; }
label { display: grid; gap: .2rem; font-weight: 600; min-width: 0; }
label > input, label > select { width: 100%; font-weight: 400; }
label.check input { width: auto; }
label.inline-label { display: inline; font-weight: 400; }
label.inline-label > input { width: auto; }
input, select, button { font: inherit; padding: .35rem .5rem; }
button { cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; }
button.danger { border-color: var(--bad); background: var(--bad); }
a.button { display: inline-block; padding: .35rem .8rem; border-radius: 4px; background: var(--accent); color: #fff; text-decoration: none; }
.error { color: var(--bad); background: #fff0ee; border: 1px solid #f5c2bc; padding: .5rem .8rem; }
.notice { background: #eef6ff; border: 1px solid #b6d4fe; padding: .5rem .8rem; }
.muted { color: var(--muted); }
code, pre { font-family: ui-monospace, monospace; font-size: .9em; }
pre { background: #fff; border: 1px solid var(--line); padding: .6rem; overflow: auto; }
.secret { display: block; padding: .6rem; background: #fff; border: 2px dashed var(--accent); word-break: break-all; }
`);

const NAV: readonly { readonly href: string; readonly label: string; readonly admin?: boolean }[] = [
  { href: '/entries', label: 'Entries' },
  { href: '/tokens', label: 'Tokens' },
  { href: '/admin', label: 'Admin', admin: true },
];

export interface LayoutOptions {
  readonly title: string;
  readonly body: Html;
  /** Absent on the sign-in and error pages seen without a session. */
  readonly user?: User | undefined;
  /** The CSRF field for the sign-out form. */
  readonly csrf?: Html | undefined;
  /** The request path, to mark the current section in the navigation. */
  readonly path: string;
}

/** A whole HTML document. */
export function layout(options: LayoutOptions): Html {
  const { user } = options;
  const links = NAV.filter((item) => user !== undefined && (item.admin !== true || user.admin)).map(
    (item) =>
      html`<a href="${item.href}"${options.path.startsWith(item.href) ? raw(' aria-current="page"') : ''}>${item.label}</a>`,
  );
  const who =
    user === undefined
      ? ''
      : html`<span class="who">Signed in as <strong>${user.name}</strong>${user.admin ? ' (admin)' : ''}</span>
<form method="post" action="/signout" class="inline">${options.csrf}<button type="submit">Sign out</button></form>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · VML logbook</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<a class="brand" href="/">VML logbook</a>
<nav aria-label="Main">${links}</nav>
${who}
</header>
<main>
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>
`;
}
