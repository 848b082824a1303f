/**
 * One run of one tool on one data set: fresh copy of v1, init, first backup, no-change re-backup,
 * v2 in place, changed backup, restore into an empty directory, and an optional byte-for-byte check.
 */
import { mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DataSet } from './generate.js';
import { duBytes, fileBytes, type Sample, sh } from './measure.js';
import type { RunResult } from './report.js';
import type { Tool } from './tools.js';
import type { ChangeStats } from './tree.js';

/** What a run needs besides the tool and the data set. */
export interface RunOptions {
  readonly work: string;
  readonly run: number;
  readonly verify: boolean;
  /** Progress lines go here. */
  readonly say: (line: string) => void;
}

/** The result of a run, plus what the v2 mutation did and any verification problem. */
export interface RunOutcome {
  readonly result: RunResult;
  readonly change: ChangeStats;
  readonly problem?: string | undefined;
}

const MiB = 1024 * 1024;
const secs = (s: Sample): string => `${s.wall.toFixed(1)} s`;
const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;

/** Removes files a tool adds to a restore by design, and the directories they leave empty. */
function dropExtras(root: string, extras: readonly string[]): void {
  for (const extra of extras) {
    rmSync(join(root, extra), { force: true });
    for (let dir = dirname(extra); dir !== '.'; dir = dirname(dir)) {
      try {
        rmdirSync(join(root, dir));
      } catch {
        break; // Not empty (or absent): it holds data of the source itself.
      }
    }
  }
}

// Untimed: flush dirty pages (and the discards of the last run's deletions) so that a timed step
// does not pay for writes that an earlier step or run left behind.
const settle = async (): Promise<void> => {
  await sh('sync', []);
};

/** Measures `tool` on `ds` once; throws when a tool command fails. */
export async function runOnce(tool: Tool, ds: DataSet, o: RunOptions): Promise<RunOutcome> {
  const base = join(o.work, 'runs', `${ds.name}-${tool.name.toLowerCase()}`);
  const src = join(o.work, 'src', ds.name);
  const logs = join(o.work, 'logs', `${ds.name}-${tool.name.toLowerCase()}-run${o.run}`);
  rmSync(base, { recursive: true, force: true });
  rmSync(logs, { recursive: true, force: true });
  rmSync(src, { recursive: true, force: true });
  mkdirSync(join(base, 'home'), { recursive: true });
  mkdirSync(join(base, 'restore'), { recursive: true });
  mkdirSync(logs, { recursive: true });
  mkdirSync(join(o.work, 'src'), { recursive: true });
  // A fresh copy per run, always at the same path: the tools find their parent by path, and v2 must
  // be an in-place change of the very files v1 saw (same inodes) to exercise their change detection.
  await sh('cp', ['-a', ds.dir, src]);
  await settle();
  const s = { repo: join(base, 'repo'), src, dataset: ds.name, home: join(base, 'home'), logs };
  const tag = `[${ds.name} ${tool.name} run ${o.run}]`;

  const init = await tool.init(s);
  const b1 = await tool.backup(s, 1);
  const repoV1 = await duBytes(s.repo);
  o.say(
    `${tag} first backup ${secs(b1.sample)}, ${(ds.bytes / MiB / b1.sample.wall).toFixed(0)} MiB/s, repo ${mib(repoV1)}`,
  );
  const b2 = await tool.backup(s, 2);
  const repoNoChange = await duBytes(s.repo);
  o.say(`${tag} no-change backup ${secs(b2.sample)}`);
  const change = ds.mutate(src);
  const v2Bytes = fileBytes(src);
  await settle();
  const b3 = await tool.backup(s, 3);
  const repoV2 = await duBytes(s.repo);
  o.say(
    `${tag} v2 backup ${secs(b3.sample)}, added ${mib(repoV2 - repoNoChange)} for ${mib(change.changedBytes)} changed`,
  );
  const target = join(base, 'restore');
  await settle();
  const restored = await tool.restore(s, b3.snapshot, target);
  o.say(
    `${tag} restore ${secs(restored.sample)}, ${(v2Bytes / MiB / restored.sample.wall).toFixed(0)} MiB/s`,
  );

  let problem: string | undefined;
  if (o.verify) {
    dropExtras(restored.root, tool.restoreExtras ?? []);
    // diff exits 1 on any difference; its output names the files.
    problem = await sh('diff', ['-rq', '--no-dereference', src, restored.root]).then(
      () => undefined,
      (e: unknown) => {
        const out = (e as { stdout?: string }).stdout || String(e);
        return `${tool.name} restore of ${ds.name} v2 differs from the source: ${out.trim().slice(0, 600)}`;
      },
    );
    o.say(`${tag} restore verified: ${problem === undefined ? 'identical' : 'DIFFERENT'}`);
  }
  rmSync(base, { recursive: true, force: true });
  const result: RunResult = {
    tool: tool.name,
    dataset: ds.name,
    run: o.run,
    v1Bytes: ds.bytes,
    v2Bytes,
    changedBytes: change.changedBytes,
    changedCompressed: change.compressedBytes,
    init,
    backup1: b1.sample,
    backup2: b2.sample,
    backup3: b3.sample,
    restore: restored.sample,
    repoV1,
    repoNoChange,
    repoV2,
  };
  return { result, change, problem };
}
