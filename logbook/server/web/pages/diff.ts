/**
 * GET /entries/:owner/:name/diff?from=vA&to=vB: what changed between two versions of an entry, as
 * `vml-agent diff` reports it: facts (packages, release, variables…) step by step, then files.
 */
import { type DiffView, diffVersions } from '../../view/diff.js';
import { entryUrl, notFound, openEntry, pathUrl, seqParam, versionUrl } from '../entry-pages.js';
import { formatBytes } from '../format.js';
import { type Html, html } from '../html.js';
import { definePage, view, WebError } from '../page.js';

const MARKS = { added: '+', removed: '-', modified: 'M', metadata: 'm', type: 'T' } as const;

export const diffPage = definePage({
  method: 'GET',
  path: '/entries/:owner/:name/diff',
  guard: 'user',
  async handle(ctx) {
    const { entry, logbook, versions } = await openEntry(ctx);
    const fromSeq = seqParam(ctx.query.from);
    const toSeq = seqParam(ctx.query.to);
    if (fromSeq === undefined || toSeq === undefined) {
      throw new WebError(400, 'Pick two versions to compare, like ?from=v1&to=v2');
    }
    const from = versions.find((v) => v.manifest.seq === fromSeq);
    const to = versions.find((v) => v.manifest.seq === toSeq);
    if (from === undefined || to === undefined) throw notFound();
    const diff = await diffVersions(logbook, { from, to, insight: ctx.services.insight });
    return view(
      `${entry}: v${fromSeq} → v${toSeq}`,
      html`<p><a href="${entryUrl(entry)}">All versions of ${entry}</a> · <a href="${versionUrl(entry, fromSeq)}">v${fromSeq}</a> · <a href="${versionUrl(entry, toSeq)}">v${toSeq}</a></p>
<p class="summary">${summary(diff)}</p>
<h2>Facts</h2>
${
  diff.facts.length === 0
    ? html`<p class="muted">No recorded fact changed (packages, release, datasets, variables…).</p>`
    : html`<table class="fact-changes"><thead><tr><th></th><th>Step</th><th>What</th><th>Detail</th></tr></thead><tbody>${diff.facts.map(
        (f) =>
          html`<tr><td>${MARKS[f.change.change]}</td><td>${f.step}</td><td>${f.change.subject}</td><td>${f.change.detail ?? ''}</td></tr>`,
      )}</tbody></table>`
}
<h2>Files</h2>
${files(diff, entry, toSeq, fromSeq)}
<p class="muted">Marks: + added, - removed, M content changed, m metadata only (mode, owner, mtime, xattrs), T type changed.</p>`,
    );
  },
});

function summary(diff: DiffView): string {
  const t = diff.totals;
  return `${t.added} added, ${t.removed} removed, ${t.modified + t.type} changed, ${t.metadata} with new metadata; ${diff.facts.length} fact changes`;
}

function files(diff: DiffView, entry: string, toSeq: number, fromSeq: number): Html {
  if (diff.files.length === 0) return html`<p class="muted">No file changed.</p>`;
  return html`<table class="file-changes"><thead><tr><th></th><th>Path</th><th>Type</th><th>Size</th><th>Changed</th></tr></thead><tbody>${diff.files.map(
    (f) => {
      const seq = f.change === 'removed' ? fromSeq : toSeq; // a removed file is still in the older version
      const href = versionUrl(entry, seq, `files/${pathUrl(f.path)}${f.kind === 'dir' ? '/' : ''}`);
      const bytes = (n: number | undefined) => (n === undefined ? '' : formatBytes(n));
      const size =
        f.change === 'modified' && f.oldSize !== f.size
          ? `${bytes(f.oldSize)} → ${bytes(f.size)}`
          : bytes(f.change === 'removed' ? f.oldSize : f.size);
      return html`<tr data-change="${f.change}"><td>${MARKS[f.change]}</td><td><a href="${href}">${f.path}</a></td><td>${f.kind}</td><td>${size}</td><td>${f.fields.join(', ')}</td></tr>`;
    },
  )}</tbody></table>`;
}
