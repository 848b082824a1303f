/**
 * Maintenance jobs on one owner's namespace: gc (logbook/gc.ts) and check (logbook/check.ts), started by an
 * admin and run in the background by the server that got the request. Each run and its log lines are kept
 * in a JobStore (the metadata database), so every server behind a load balancer lists them.
 */
import { randomBytes } from 'node:crypto';
import { check } from '../check.js';
import { gc } from '../gc.js';
import { Logbook } from '../logbook.js';
import { PUBLIC_NAMESPACE, type Storage } from './storage.js';

export type JobKind = 'gc' | 'check';
export const JOB_KINDS: readonly JobKind[] = ['gc', 'check'];
/** `problems`: check finished and found errors or warnings; `failed`: the job itself could not finish. */
export type JobResult = 'running' | 'ok' | 'problems' | 'failed';

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
}

/** Starts jobs and keeps track of the ones running in this process. */
export class JobRunner {
  /** Where runs and logs are kept: pages list them from here. */
  readonly store: JobStore;
  readonly #storage: Storage;
  readonly #graceMs: number;
  readonly #running = new Set<Promise<void>>();

  constructor(store: JobStore, storage: Storage, options: JobRunnerOptions = {}) {
    this.store = store;
    this.#storage = storage;
    this.#graceMs = options.gcGraceMs ?? 3_600_000;
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
    };
    await this.store.addJob(job);
    const run = this.#run(job).finally(() => this.#running.delete(run));
    this.#running.add(run);
    return job;
  }

  /** Resolves when every job started by this process has ended (server shutdown, tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
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
