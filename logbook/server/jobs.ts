/**
 * Maintenance jobs on one owner's namespace: gc (logbook/gc.ts) and check (logbook/check.ts), started by an
 * admin and run in the background by the server that got the request. Each run and its log lines are kept
 * in a JobStore (the metadata database), so every server behind a load balancer lists them. The server
 * running a job beats its heartbeat there every HEARTBEAT_MS; a `running` job whose heartbeat is older than
 * LOST_AFTER_MS is shown as `lost` (its server died or lost the database), never as running for ever.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { check } from '../check.js';
import { gc } from '../gc.js';
import { Logbook } from '../logbook.js';
import { PUBLIC_NAMESPACE, type Storage } from './storage.js';

export type JobKind = 'gc' | 'check';
export const JOB_KINDS: readonly JobKind[] = ['gc', 'check'];
/** `problems`: check finished and found errors or warnings; `failed`: the job itself could not finish. */
export type JobResult = 'running' | 'ok' | 'problems' | 'failed';
/** What a listing shows: the stored result, or `lost` for a run whose server stopped beating. */
export type JobStatus = JobResult | 'lost';

/** How often the server running a job records that it still does. */
export const HEARTBEAT_MS = 30_000;
/** A `running` job without a heartbeat for this long is `lost`: several missed beats, not one slow query. */
export const LOST_AFTER_MS = 3 * 60_000;

export interface JobRecord {
  /** Random hex, so servers sharing a database never collide. */
  readonly id: string;
  readonly kind: JobKind;
  /** The user whose namespace it works on, or PUBLIC_NAMESPACE for the public one. */
  readonly owner: string;
  /** The admin who started it. */
  readonly startedBy: string;
  readonly started: string;
  readonly ended?: string | undefined;
  readonly result: JobResult;
  /** One line: what it did or why it failed. */
  readonly summary?: string | undefined;
  /** The server instance running it ("host:pid:random"); absent in runs recorded before heartbeats. */
  readonly server?: string | undefined;
  /** When that server last said the job runs (ISO-8601). */
  readonly heartbeat?: string | undefined;
}

/** `lost` for a `running` job whose last heartbeat (or start, in older records) is older than `lostAfterMs`. */
export function jobStatus(job: JobRecord, now = Date.now(), lostAfterMs = LOST_AFTER_MS): JobStatus {
  if (job.result !== 'running') return job.result;
  return now - Date.parse(job.heartbeat ?? job.started) > lostAfterMs ? 'lost' : 'running';
}

export interface JobLogLine {
  readonly time: string;
  readonly line: string;
}

/** Where job runs are kept. Metadata implements it. */
export interface JobStore {
  addJob(job: JobRecord): Promise<void>;
  appendJobLog(id: string, line: JobLogLine): Promise<void>;
  finishJob(id: string, end: { ended: string; result: JobResult; summary: string }): Promise<void>;
  /** Sets the heartbeat of every job `server` still has `running` to `time`. */
  beatJobs(server: string, time: string): Promise<void>;
  findJob(id: string): Promise<JobRecord | undefined>;
  /** Newest first, at most `limit`. */
  listJobs(limit: number): Promise<JobRecord[]>;
  /** The job's log, oldest first. */
  jobLog(id: string): Promise<JobLogLine[]>;
}

/** Options of the job runner. */
export interface JobRunnerOptions {
  /** gc keeps unindexed packs younger than this (a backup may still be writing them); default 1 h. */
  readonly gcGraceMs?: number;
  /** How often running jobs' heartbeats are recorded; default HEARTBEAT_MS. */
  readonly heartbeatMs?: number;
}

/** Starts jobs and keeps track of the ones running in this process. */
export class JobRunner {
  /** Where runs and logs are kept: pages list them from here. */
  readonly store: JobStore;
  /** This server instance, as recorded with the jobs it runs. */
  readonly server = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #storage: Storage;
  readonly #graceMs: number;
  readonly #heartbeatMs: number;
  readonly #running = new Set<Promise<void>>();
  #beating: NodeJS.Timeout | undefined;

  constructor(store: JobStore, storage: Storage, options: JobRunnerOptions = {}) {
    this.store = store;
    this.#storage = storage;
    this.#graceMs = options.gcGraceMs ?? 3_600_000;
    this.#heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  }

  /** Records a new run and starts it; resolves once it is recorded, not when it ends. */
  async start(kind: JobKind, owner: string, startedBy: string): Promise<JobRecord> {
    const job: JobRecord = {
      id: randomBytes(8).toString('hex'),
      kind,
      owner,
      startedBy,
      started: new Date().toISOString(),
      result: 'running',
      server: this.server,
    };
    await this.store.addJob({ ...job, heartbeat: job.started });
    const run = this.#run(job).finally(() => {
      this.#running.delete(run);
      if (this.#running.size === 0) this.#stopBeating();
    });
    this.#running.add(run);
    this.#beating ??= setInterval(() => this.#beat(), this.#heartbeatMs).unref();
    return { ...job, heartbeat: job.started };
  }

  /** Newest runs first, each with its status (`lost` when its server stopped beating). */
  async list(limit: number): Promise<(JobRecord & { readonly status: JobStatus })[]> {
    const now = Date.now();
    return (await this.store.listJobs(limit)).map((job) => ({ ...job, status: jobStatus(job, now) }));
  }

  /** One run with its status, or undefined. */
  async find(id: string): Promise<(JobRecord & { readonly status: JobStatus }) | undefined> {
    const job = await this.store.findJob(id);
    return job && { ...job, status: jobStatus(job) };
  }

  /** Resolves when every job started by this process has ended (server shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    this.#stopBeating();
  }

  #beat(): void {
    // A missed beat is harmless (the next one comes); only several in a row make the job `lost`.
    this.store.beatJobs(this.server, new Date().toISOString()).catch(() => undefined);
  }

  #stopBeating(): void {
    clearInterval(this.#beating);
    this.#beating = undefined;
  }

  async #run(job: JobRecord): Promise<void> {
    const log = (line: string) => this.store.appendJobLog(job.id, { time: new Date().toISOString(), line });
    let end: { result: JobResult; summary: string };
    try {
      await log(`${job.kind} of ${namespaceLabel(job.owner)} started by ${job.startedBy}`);
      // The namespace backend is shared by the server: the logbook is not closed here.
      const logbook = await Logbook.open(await this.#storage.namespace(job.owner));
      end = job.kind === 'gc' ? await this.#gc(logbook, log) : await this.#check(logbook, log);
    } catch (error) {
      end = { result: 'failed', summary: `Failed: ${(error as Error).message}` };
    }
    await log(end.summary).catch(() => undefined);
    await this.store.finishJob(job.id, { ended: new Date().toISOString(), ...end });
  }

  async #gc(logbook: Logbook, log: (line: string) => Promise<void>) {
    const lines: string[] = [];
    const result = await gc(logbook, {
      graceMs: this.#graceMs,
      onStale: (message) => lines.push(`stale lock removed: ${message}`),
      onProgress: (e) => {
        if (e.type === 'phase') lines.push(`phase ${e.phase}`);
        else if (e.type === 'marked')
          lines.push(`marked ${e.versions} versions, ${e.trees} trees, ${e.blobs} blobs`);
        else if (e.type === 'warning') lines.push(`warning: ${e.message}`);
      },
    });
    for (const line of lines) await log(line);
    const summary = `Done: ${result.versions} versions; ${result.packsDeleted} packs deleted, ${result.packsRepacked} repacked; ${result.bytesFreed} bytes freed (${result.bytesBefore} → ${result.bytesAfter})`;
    return { result: 'ok' as const, summary };
  }

  async #check(logbook: Logbook, log: (line: string) => Promise<void>) {
    const result = await check(logbook, {});
    for (const p of result.problems) await log(`${p.severity}: ${p.kind} ${p.name}: ${p.message}`);
    const counts = `${result.versions} versions, ${result.packs} packs, ${result.blobs} blobs`;
    return result.problems.length === 0
      ? { result: 'ok' as const, summary: `Done: no problems in ${counts}` }
      : { result: 'problems' as const, summary: `Done: ${result.problems.length} problems in ${counts}` };
  }
}

/** `the public namespace` or `the namespace of "alice"`, for logs and pages. */
export function namespaceLabel(owner: string): string {
  return owner === PUBLIC_NAMESPACE ? 'the public namespace' : `the namespace of "${owner}"`;
}
