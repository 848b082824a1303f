/**
 * Locks as a user meets them: a live lock blocks with exit 11 naming who holds it, a dead one is removed
 * and named, backups of different entries run side by side, two of one entry never make a bad history,
 * and gc waits for a running backup.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockInfo } from '../../../logbook/locks.js';
import {
  type AgentResult,
  at,
  makeGuestRoot,
  restoreSnapshot,
  runAgent,
  type SnapshotEntry,
  sleep,
  stackLines,
  startAgent,
  treeSnapshot,
  writeRandomFile,
} from '../helpers/cli.js';

const MiB = 1024 * 1024;
let T: string;
let root: string;
let home: SnapshotEntry[];
let n = 0;

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-locks-'));
  root = await makeGuestRoot(join(T, 'root'), {
    'home/alice/analysis/run.py': 'print("run")\n',
    'home/alice/.bashrc': 'export A=1\n',
  });
  await writeRandomFile(join(root, 'home/alice/data.bin'), 2 * MiB);
  home = await treeSnapshot(join(root, 'home/alice'));
});

afterAll(async () => {
  if (T) await rm(T, { recursive: true, force: true });
});

async function newLogbook(): Promise<string> {
  const lb = join(T, `lb-${n++}`);
  expect((await runAgent(['init', ...at(root, lb), '--no-config'])).code).toBe(0);
  return lb;
}

/** Plants a lock file as another process would have written it; returns its name. */
async function plantLock(lb: string, info: Partial<LockInfo>): Promise<string> {
  const now = new Date().toISOString();
  const lock: LockInfo = {
    host: hostname(),
    pid: process.pid,
    exclusive: true,
    purpose: 'gc',
    time: now,
    refreshed: now,
    ...info,
  };
  const name = randomBytes(16).toString('hex');
  await writeFile(join(lb, 'locks', name), JSON.stringify(lock));
  return name;
}

function backup(lb: string, entry = 'alice/test', rootDir = root): Promise<AgentResult> {
  return runAgent(['backup', ...at(rootDir, lb), '--entry', entry, '--json']);
}

function expectLocked(r: AgentResult, lb: string, holder: string, hint: string): void {
  expect(r.code, r.stderr).toBe(11);
  expect(stackLines(r.stderr)).toEqual([]);
  expect(r.error?.message).toBe(`The logbook "dir:${lb}" is locked: ${holder}`);
  expect(r.error?.hint).toBe(hint);
  expect(r.error?.error).toBe('E_LOCKED');
}

const seqOf = (r: AgentResult) => r.events.find((e) => e.type === 'backup-summary')?.seq;

describe('logbook locks', () => {
  it('a live exclusive lock of a process on this host: backup exits 11 naming process and host, hint says wait', async () => {
    const lb = await newLogbook();
    const time = '2026-01-02T03:04:05.000Z';
    const name = await plantLock(lb, { time });
    const r = await backup(lb);
    expectLocked(
      r,
      lb,
      `exclusive lock for gc by process ${process.pid} on host ${hostname()}, taken ${time}`,
      `Wait for process ${process.pid} to finish; a lock of a process that has exited is removed automatically`,
    );
    // The human form says the same, on stderr, without a stack trace.
    const human = await runAgent(['backup', ...at(root, lb), '--entry', 'alice/test']);
    expect(human.code).toBe(11);
    expect(human.stderr).toContain(
      `error: The logbook "dir:${lb}" is locked: exclusive lock for gc by process ${process.pid} on host ${hostname()}`,
    );
    expect(human.stderr).toContain(`hint: Wait for process ${process.pid} to finish`);
    expect(await readdir(join(lb, 'locks'))).toEqual([name]); // the holder's lock is left alone
    expect(
      (await runAgent(['log', ...at(root, lb), '--json'])).events.filter((e) => e.type === 'version'),
    ).toEqual([]);

    await rm(join(lb, 'locks', name));
    expect((await backup(lb)).code).toBe(0);
  });

  it('a fresh lock from another host: exit 11, the hint says when it counts as stale', async () => {
    const lb = await newLogbook();
    await plantLock(lb, { host: 'build-node-7.example.org', pid: 4242 });
    const r = await backup(lb);
    expect(r.code).toBe(11);
    expect(r.error?.message).toContain('by process 4242 on host build-node-7.example.org');
    expect(r.error?.hint).toBe(
      'Wait for it to finish; a lock not refreshed for 30 minutes is removed automatically',
    );
  });

  it('a shared backup lock of another entry does not block, of the same entry does', async () => {
    const lb = await newLogbook();
    await plantLock(lb, { exclusive: false, purpose: 'backup', entry: 'alice/test' });
    const same = await backup(lb, 'alice/test');
    expect(same.code).toBe(11);
    expect(same.error?.message).toContain(`shared lock for backup of alice/test by process ${process.pid}`);
    const other = await backup(lb, 'alice/other');
    expect(other.code, other.stderr).toBe(0);
  });

  it('a lock of a process that has exited is removed with a warning naming it, and the backup succeeds (exit 3)', async () => {
    const lb = await newLogbook();
    const dead = spawnSync('true').pid as number;
    const name = await plantLock(lb, { pid: dead, exclusive: false, purpose: 'backup', entry: 'alice/test' });
    const r = await backup(lb);
    // Done, with a warning: the removed lock tells of an earlier crash.
    expect(r.code, r.stderr).toBe(3);
    const warnings = r.events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(
      new RegExp(
        `^Removed a stale lock: shared lock for backup of alice/test by process ${dead} on host ${hostname()}, taken .+ \\(process ${dead} has exited\\)$`,
      ),
    );
    expect(seqOf(r)).toBe(1);
    expect(await readdir(join(lb, 'locks'))).not.toContain(name);
    expect(await readdir(join(lb, 'locks'))).toEqual([]);
  });

  it('a lock not refreshed for over 30 minutes is stale even if its host is elsewhere', async () => {
    const lb = await newLogbook();
    const old = new Date(Date.now() - 31 * 60_000).toISOString();
    await plantLock(lb, { host: 'gone.example.org', pid: 1, time: old, refreshed: old });
    const r = await backup(lb);
    expect(r.code, r.stderr).toBe(3);
    expect(r.events.find((e) => e.type === 'warning')?.message).toContain(
      `on host gone.example.org, taken ${old} (not refreshed since ${old})`,
    );
  });

  it('two backups of different entries at once both succeed and restore identical', async () => {
    const lb = await newLogbook();
    const [a, b] = await Promise.all([backup(lb, 'alice/one'), backup(lb, 'alice/two')]);
    expect(a?.code, a?.stderr).toBe(0);
    expect(b?.code, b?.stderr).toBe(0);
    for (const entry of ['alice/one', 'alice/two']) {
      const { result, tree } = await restoreSnapshot(lb, `${entry}@v1`, join(T, `restore-${n++}`));
      expect(result.code, result.stderr).toBe(0);
      expect(tree).toEqual(home);
    }
    const check = await runAgent(['check', ...at(root, lb), '--read-data']);
    expect(check.code, check.stdout).toBe(0);
  });

  it('two backups of the same entry at once: never both refused, and never the same sequence number', async () => {
    // Outcome per pair: both succeed with distinct seqs (one waited out the other's window), or one exits 11.
    const lb = await newLogbook();
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round++) {
      const pair = await Promise.all([backup(lb), backup(lb)]);
      const codes = pair.map((r) => r.code).sort();
      for (const r of pair)
        if (r.code === 11)
          expect(r.error?.message).toContain('shared lock for backup of alice/test by process');
      expect(codes, pair.map((r) => r.stderr).join('\n')).not.toEqual([11, 11]);
      for (const code of codes) expect([0, 11]).toContain(code);
      outcomes.push(codes.join('+'));
    }
    const log = await runAgent(['log', 'alice/test', ...at(root, lb), '--json']);
    const seqs = log.events.filter((e) => e.type === 'version').map((e) => e.seq as number);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBe(
      outcomes.reduce((sum, o) => sum + o.split('+').filter((c) => c === '0').length, 0),
    );
    console.info(`same-entry pairs (exit codes): ${outcomes.join(', ')}`);
  });

  it('gc while a backup holds its lock exits 11 naming the backup; Ctrl-C then ends the backup cleanly', async () => {
    const lb = await newLogbook();
    // A sparse file of 8 GiB: reading its zeros keeps the backup busy (and holding its lock) for many seconds.
    const bigRoot = await makeGuestRoot(join(T, 'big-root'), { 'home/alice/a.txt': 'a\n' });
    await writeFile(join(bigRoot, 'home/alice/disk.img'), '');
    await truncate(join(bigRoot, 'home/alice/disk.img'), 8 * 1024 * MiB);
    const run = startAgent(['backup', ...at(bigRoot, lb), '--entry', 'alice/big', '--json']);
    try {
      const started = Date.now();
      while ((await readdir(join(lb, 'locks'))).filter((f) => !f.startsWith('.')).length === 0) {
        if (Date.now() - started > 20_000) throw new Error('the backup took no lock');
        await sleep(5);
      }
      const gc = await runAgent(['gc', ...at(root, lb), '--grace', '0', '--json']);
      expect(gc.code, gc.stderr).toBe(11);
      expect(stackLines(gc.stderr)).toEqual([]);
      expect(gc.error?.message).toContain(
        `shared lock for backup of alice/big by process ${run.child.pid} on host ${hostname()}`,
      );
      expect(gc.error?.hint).toBe(
        `Wait for process ${run.child.pid} to finish; a lock of a process that has exited is removed automatically`,
      );
      expect(run.child.exitCode).toBe(null); // still running: the lock was live
    } finally {
      run.child.kill('SIGINT');
    }
    const interrupted = await run.done;
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.error).toMatchObject({
      error: 'E_INTERRUPTED',
      message: 'Interrupted: the logbook is left valid',
    });
    expect(await readdir(join(lb, 'locks'))).toEqual([]);
    expect(
      (await runAgent(['log', ...at(root, lb), '--json'])).events.filter((e) => e.type === 'version'),
    ).toEqual([]);
    expect((await runAgent(['gc', ...at(root, lb), '--grace', '0'])).code).toBe(0);
    expect((await runAgent(['check', ...at(root, lb)])).code).toBe(0);
  });
});
