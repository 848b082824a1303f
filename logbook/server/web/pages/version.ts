/**
 * GET /entries/:owner/:name/:version: one version: when and why it was made, its ATLAS release, packages
 * and their repositories, datasets, CernVM-FS repositories and the other facts its steps recorded, the
 * sanitization report of a public version, and links to its files and (for the owner) its deletion.
 */
import type { Sanitization } from '../../../format/manifest.js';
import type { User } from '../../metadata.js';
import { versionView } from '../../view/version.js';
import { entryUrl, isPublished, openVersion, versionUrl } from '../entry-pages.js';
import { formatBytes, shortTime } from '../format.js';
import { type Html, html } from '../html.js';
import { buttonForm, definePage, type PageContext, view } from '../page.js';

export const versionPage = definePage({
  method: 'GET',
  path: '/entries/:owner/:name/:version',
  guard: 'user',
  async handle(ctx) {
    const { entry, ref, own } = await openVersion(ctx);
    const v = versionView(ref, ctx.services.insight);
    return view(
      v.name,
      html`<p><a href="${entryUrl(entry)}">All versions of ${entry}</a> · <a href="${versionUrl(entry, v.seq, 'files/')}">Browse files</a>${
        own ? html` · <a href="${versionUrl(entry, v.seq, 'delete')}">Delete this version…</a>` : ''
      }</p>
<table class="facts">
<tr><th>Version</th><td>${v.name} <code>${v.id.slice(0, 12)}</code></td></tr>
<tr><th>Date</th><td>${shortTime(v.time)}</td></tr>
<tr><th>Reason</th><td>${v.reason}</td></tr>
<tr><th>Message</th><td>${v.message ?? ''}</td></tr>
<tr><th>Visibility</th><td class="visibility">${await visibility(ctx, v.visibility, v.id, own, v.seq, entry)}</td></tr>
<tr><th>Release</th><td class="release">${v.releases.length === 0 ? html`<span class="muted">none recorded</span>` : v.releases.join(', ')}</td></tr>
<tr><th>Recipe</th><td>${v.recipe}</td></tr>
<tr><th>Made on</th><td>${v.host} by ${v.user}, root <code>${v.root}</code></td></tr>
<tr><th>Files</th><td>${v.files} files, ${v.dirs} directories, ${formatBytes(v.bytes)}</td></tr>
<tr><th>Size added</th><td>${formatBytes(v.bytesAdded)} in ${v.seconds.toFixed(1)} s</td></tr>
</table>
<h2>Packages</h2>
${packages(v.packages)}
${v.repositories.length === 0 ? '' : html`<h3>Package repositories used on restore</h3><ul class="repositories">${v.repositories.map((r) => html`<li><code>${r.id}</code> ${r.url}${r.gpgcheck ? '' : ' (signatures not checked)'}</li>`)}</ul>`}
<h2>What the steps recorded</h2>
${v.steps.map(
  (s) => html`<section class="step" data-kind="${s.kind}">
<h3>${s.id} <span class="muted">(${s.kind}: ${s.heading})</span></h3>
<pre>${s.lines.join('\n')}</pre>
</section>`,
)}
${v.sanitization ? sanitization(v.sanitization) : ''}`,
    );
  },
});

/** The visibility, and for the owner whether a public version is published, with the button to change it. */
async function visibility(
  ctx: PageContext<User>,
  value: string,
  id: string,
  own: boolean,
  seq: number,
  entry: string,
): Promise<Html> {
  if (!own) return html`${value}`;
  if (value !== 'public') {
    return html`${value} <span class="muted">(to share it, make a sanitized copy: <code>vml-agent publish ${entry}@v${seq} --public</code>)</span>`;
  }
  return (await isPublished(ctx.services, id))
    ? html`public, published for everyone signed in ${buttonForm(ctx, versionUrl(entry, seq, 'unpublish'), 'Unpublish')}`
    : html`public, not published ${buttonForm(ctx, versionUrl(entry, seq, 'publish'), 'Publish')}`;
}

function packages(list: readonly string[]): Html {
  if (list.length === 0) return html`<p class="muted">No packages recorded.</p>`;
  return html`<details class="packages"${list.length <= 20 ? html` open` : ''}>
<summary>${list.length} package${list.length === 1 ? '' : 's'}</summary>
<ul>${list.map((p) => html`<li><code>${p}</code></li>`)}</ul>
</details>`;
}

function sanitization(s: Sanitization): Html {
  return html`<h2>Sanitization report</h2>
<p>Public copy of <code>${s.fromVersion}</code> (<code>${s.from.slice(0, 8)}</code>), made by the sanitizers ${s.sanitizers.join(', ')}. Values are never shown.</p>
${
  s.findings.length === 0
    ? html`<p class="muted">The sanitizers found nothing to remove.</p>`
    : html`<table class="sanitization">
<thead><tr><th>Action</th><th>Path</th><th>Sanitizer</th><th>Kind</th><th>Count</th><th>Why</th><th>To bring it back</th></tr></thead>
<tbody>${s.findings.map(
        (f) =>
          html`<tr><td>${f.action}</td><td><code>${f.path}</code></td><td>${f.sanitizer}</td><td>${f.type}${f.credential ? ` (${f.credential})` : ''}</td><td>${f.count ?? ''}</td><td>${f.reason ?? ''}</td><td>${f.restoreHint ?? ''}</td></tr>`,
      )}</tbody>
</table>`
}`;
}
