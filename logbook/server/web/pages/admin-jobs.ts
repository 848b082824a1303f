/**
 * gc and verify (check) runs: start one on a user's namespace (it runs in the background), list the runs
 * with start, end and result (`lost` for a run whose server stopped beating), and show one run's log.
 */
import { JOB_KINDS, type JobKind, type JobRecord, type JobStatus, LOST_AFTER_MS } from '../../jobs.js';
import { PUBLIC_NAMESPACE } from '../../storage.js';
import { shortTime } from '../format.js';
import { html } from '../html.js';
import { definePage, redirect, view, WebError } from '../page.js';

const LIMIT = 100;
const KIND_LABEL: Readonly<Record<JobKind, string>> = { gc: 'gc', check: 'verify (check)' };

function jobRow(job: JobRecord & { readonly status: JobStatus }) {
  return html`<tr><td><a href="/admin/jobs/${job.id}">${job.id}</a></td><td>${KIND_LABEL[job.kind]}</td><td>${ownerLabel(job.owner)}</td>
<td>${job.startedBy}</td><td>${shortTime(job.started)}</td><td>${shortTime(job.ended)}</td><td>${job.status}</td><td>${job.summary ?? ''}</td></tr>`;
}

function ownerLabel(owner: string): string {
  return owner === PUBLIC_NAMESPACE ? 'public' : owner;
}

export const adminJobsPage = definePage({
  method: 'GET',
  path: '/admin/jobs',
  guard: 'admin',
  async handle(ctx) {
    const users = await ctx.services.metadata.listUsers();
    const jobs = await ctx.services.jobs.list(LIMIT);
    const owners = [
      ...users.map((u) => html`<option value="${u.name}">${u.name}</option>`),
      // Unpublished versions leave their blobs here until a gc of the public namespace frees them.
      html`<option value="${PUBLIC_NAMESPACE}">public (published versions)</option>`,
    ];
    const kinds = JOB_KINDS.map((k) => html`<option value="${k}">${KIND_LABEL[k]}</option>`);
    return view(
      'gc and verify',
      html`<form method="post" action="/admin/jobs" class="stack">${ctx.csrf}
<label>Namespace <select name="owner">${owners}</select></label>
<label>Job <select name="kind">${kinds}</select></label>
<button type="submit">Start</button>
</form>
<p class="muted">gc keeps unindexed packs younger than one hour (a backup may still be writing them) and takes an
exclusive lock; check takes a shared lock and reads indexes, packs' headers and every version's trees.</p>
<h2>Runs</h2>
${
  jobs.length === 0
    ? html`<p class="muted">No runs yet.</p>`
    : html`<table><thead><tr><th scope="col">Run</th><th scope="col">Job</th><th scope="col">Namespace</th><th scope="col">Started by</th>
<th scope="col">Start (UTC)</th><th scope="col">End</th><th scope="col">Result</th><th scope="col">Summary</th></tr></thead><tbody>${jobs.map(jobRow)}</tbody></table>`
}`,
    );
  },
});

export const adminJobStartPost = definePage({
  method: 'POST',
  path: '/admin/jobs',
  guard: 'admin',
  async handle(ctx) {
    const kind = JOB_KINDS.find((k) => k === ctx.form.kind);
    const owner = ctx.form.owner ?? '';
    if (kind === undefined) throw new WebError(400, 'Choose gc or verify');
    if (owner !== PUBLIC_NAMESPACE && !(await ctx.services.metadata.findUser(owner)))
      throw new WebError(400, `There is no user "${owner}"`);
    const job = await ctx.services.jobs.start(kind, owner, ctx.user.name);
    return redirect(`/admin/jobs/${job.id}`);
  },
});

export const adminJobPage = definePage({
  method: 'GET',
  path: '/admin/jobs/:id',
  guard: 'admin',
  async handle(ctx) {
    const id = ctx.params.id ?? '';
    const job = await ctx.services.jobs.find(id);
    if (!job) throw new WebError(404, `There is no run "${id}"`);
    const log = await ctx.services.jobs.store.jobLog(id);
    return view(
      `${KIND_LABEL[job.kind]} of ${ownerLabel(job.owner)}`,
      html`<p>Run <code>${job.id}</code>, started by ${job.startedBy} at ${shortTime(job.started)} UTC.
Result: <strong id="job-result">${job.status}</strong>${job.ended ? html`, ended ${shortTime(job.ended)}` : job.status === 'lost' ? '' : html` (<a href="/admin/jobs/${job.id}">reload</a>)`}.</p>
${job.status === 'lost' ? html`<p class="error">Its server${job.server ? html` (<code>${job.server}</code>)` : ''} has not said it still runs it since ${shortTime(job.heartbeat ?? job.started)} UTC (more than ${LOST_AFTER_MS / 60_000} minutes): it stopped or lost the database. Its lock on the namespace is removed as stale once its process is gone (same host) or 30 minutes after its last refresh: then start the job again.</p>` : ''}
${job.summary ? html`<p>${job.summary}</p>` : ''}
<h2>Log</h2>
<pre id="job-log">${log.map((l) => `${l.time.slice(11, 19)} ${l.line}\n`)}</pre>
<p><a href="/admin/jobs">All runs</a></p>`,
    );
  },
});
