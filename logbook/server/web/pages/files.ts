/**
 * GET /entries/:owner/:name/:version/files/PATH: the file browser. A directory lists its entries (type,
 * mode, owner, size, date, symlink targets); a file shows its details and a download link. Names are shown
 * as text and linked percent-encoded, so a hostile file name is only ever a name.
 */
import type { TreeNode } from '../../../format/tree.js';
import { type FileRow, fileRow, findNode, listDirectory } from '../../view/files.js';
import { notFound, openVersion, pathUrl, versionUrl } from '../entry-pages.js';
import { formatBytes } from '../format.js';
import { type Html, html } from '../html.js';
import { definePage, view } from '../page.js';

export const filesPage = definePage({
  method: 'GET',
  path: '/entries/:owner/:name/:version/files/*',
  guard: 'user',
  async handle(ctx) {
    const { entry, logbook, ref } = await openVersion(ctx);
    const path = (ctx.params['*'] ?? '').replace(/\/+$/, '');
    const node = await findNode(logbook, ref.manifest.tree, path);
    if (node === undefined) throw notFound();
    const seq = ref.manifest.seq;
    const link = (rest: string) => versionUrl(entry, seq, rest);
    const crumbs = breadcrumbs(path, (p) => link(`files/${p === '' ? '' : `${pathUrl(p)}/`}`));
    const title = `${entry}@v${seq}: /${path}`;
    if (node.type === 'dir') {
      const rows = await listDirectory(logbook, node, path);
      return view(title, html`${crumbs}${listing(rows, link)}`);
    }
    return view(title, html`${crumbs}${details(node, path, link)}`);
  },
});

function breadcrumbs(path: string, dirLink: (path: string) => string): Html {
  const names = path === '' ? [] : path.split('/');
  const parts = names.map((name, i) => {
    const upTo = names.slice(0, i + 1).join('/');
    return i === names.length - 1 ? html` / ${name}` : html` / <a href="${dirLink(upTo)}">${name}</a>`;
  });
  return html`<nav class="breadcrumbs" aria-label="Path"><a href="${dirLink('')}">root</a>${parts}</nav>`;
}

function listing(rows: readonly FileRow[], link: (rest: string) => string): Html {
  if (rows.length === 0) return html`<p class="muted">This directory is empty.</p>`;
  return html`<table class="files">
<thead><tr><th>Name</th><th>Type</th><th>Mode</th><th>Owner</th><th>Size</th><th>Modified</th><th></th></tr></thead>
<tbody>${rows.map((r) => {
    const href = link(`files/${pathUrl(r.path)}${r.type === 'dir' ? '/' : ''}`);
    return html`<tr>
<td><a href="${href}">${r.name}${r.type === 'dir' ? '/' : ''}</a>${r.target === undefined ? '' : html` → <code>${r.target}</code>`}</td>
<td>${r.type}</td><td><code>${r.mode}</code></td><td>${r.user}:${r.group}</td>
<td>${r.size === undefined ? '' : formatBytes(r.size)}</td><td>${r.mtime}</td>
<td>${r.type === 'file' ? html`<a href="${link(`download/${pathUrl(r.path)}`)}" download>Download</a>` : ''}</td>
</tr>`;
  })}</tbody>
</table>`;
}

function details(node: TreeNode, path: string, link: (rest: string) => string): Html {
  const r = fileRow(node, path);
  return html`<table class="facts">
<tr><th>Name</th><td>${r.name}</td></tr>
<tr><th>Type</th><td>${r.type}</td></tr>
<tr><th>Mode</th><td><code>${r.mode}</code></td></tr>
<tr><th>Owner</th><td>${r.user}:${r.group}</td></tr>
<tr><th>Modified</th><td>${r.mtime}</td></tr>
${r.size === undefined ? '' : html`<tr><th>Size</th><td>${formatBytes(r.size)} (${r.size} bytes)</td></tr>`}
${r.target === undefined ? '' : html`<tr><th>Target</th><td><code>${r.target}</code></td></tr>`}
</table>
${node.type === 'file' ? html`<p><a href="${link(`download/${pathUrl(path)}`)}" download>Download</a></p>` : ''}`;
}
