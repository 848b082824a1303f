/**
 * A backup killed with SIGKILL at several points (no chance to clean up) leaves a valid logbook: check
 * passes, the earlier version restores byte-identical, the stale lock is removed and named, gc reclaims the
 * debris, and the next backup works.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentEvent,
  at,
  bytesBelow,
  filesBelow,
  makeGuestRoot,
  restoreSnapshot,
  runAgent,
  type SnapshotEntry,
  sleep,
  stackLines,
  startAgent,
  treeSnapshot,
  writeFiles,
  writeRandomFile,
} from '../helpers/cli.js';

const MiB = 1024 * 1024;

let T: string;
let root: string;
let lb: string;
let v1Tree: SnapshotEntry[];
let baselineData: { path: string; size: number }[];
let restores = 0;

const flags = () => [...at(root, lb), '--entry', 'alice/test'];
const problems = (events: AgentEvent[]) => events.filter((e) => e.type === 'check-problem');

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-kill-'));
  root = join(T, 'root');
  lb = join(T, 'lb');
  const small: Record<string, string> = {};
  for (let i = 0; i < 30; i++) small[`home/alice/notes/n${i}.txt`] = `note ${i}\n`.repeat(i + 1);
  await makeGuestRoot(root, {
    ...small,
    'home/alice/.bashrc': 'export PS1="$ "\n',
    'home/alice/run.sh': { content: '#!/bin/sh\necho run\n', mode: 0o755 },
    'home/alice/link': { symlink: 'notes/n1.txt' },
  });
  await writeRandomFile(join(root, 'home/alice/data/seed.bin'), 3 * MiB);
  expect((await runAgent(['init', ...flags(), '--no-config'])).code).toBe(0);
  const v1 = await runAgent(['backup', ...flags(), '--json']);
  expect(v1.code, v1.stderr).toBe(0);
  v1Tree = await treeSnapshot(join(root, 'home/alice'));
  baselineData = await filesBelow(join(lb, 'data'));
  // The version the killed backups try to make: 200 MiB of random data and many small files.
  for (let i = 0; i < 4; i++) await writeRandomFile(join(root, `home/alice/big/f${i}.bin`), 50 * MiB);
  const many: Record<string, string> = {};
  for (let i = 0; i < 600; i++) many[`home/alice/many/d${i % 20}/s${i}.txt`] = `small file ${i}\n`;
  await writeFiles(root, many);
}, 60_000);

afterAll(async () => {
  if (T) await rm(T, { recursive: true, force: true });
});

interface Killed {
  readonly pid: number;
  /** The lock files present just before the kill. */
  readonly locks: readonly string[];
}

/** Starts a backup and kills it with SIGKILL when `when` resolves. */
async function killBackup(when: (started: number) => Promise<void>): Promise<Killed> {
  const run = startAgent(['backup', ...flags(), '--json']);
  let locks: string[];
  try {
    await when(Date.now());
    locks = await lockFiles();
  } finally {
    run.child.kill('SIGKILL');
  }
  const result = await run.done;
  expect(result.signal, 'the backup finished before it was killed: make it larger').toBe('SIGKILL');
  return { pid: run.child.pid as number, locks };
}

/** Resolves once `count` packs that v1 does not have are in data/ (temp files do not count). */
function newPacks(count: number): (started: number) => Promise<void> {
  return async (started) => {
    const known = new Set(baselineData.map((f) => f.path));
    while (Date.now() - started < 20_000) {
      const packs = (await filesBelow(join(lb, 'data'))).filter(
        (f) => !f.path.split('/').pop()?.startsWith('.'),
      );
      if (packs.filter((f) => !known.has(f.path)).length >= count) return;
      await sleep(2);
    }
    throw new Error(`${count} packs did not appear within 20 s`);
  };
}

/** The lock files (not the temp files a save in progress writes). */
async function lockFiles(): Promise<string[]> {
  return (await readdir(join(lb, 'locks'))).filter((name) => !name.startsWith('.'));
}

/** Resolves once the backup has taken its lock (it then scans before it writes anything). */
async function lockTaken(started: number): Promise<void> {
  while ((await lockFiles()).length === 0) {
    if (Date.now() - started > 20_000) throw new Error('no lock within 20 s');
    await sleep(1);
  }
}

async function expectRecovered({ pid, locks: lockFiles }: Killed): Promise<void> {
  // 1. check: no errors (debris is only info), and the killed backup's lock is removed with a message.
  const check = await runAgent(['check', ...at(root, lb), '--json']);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(stackLines(check.stderr)).toEqual([]);
  const found = problems(check.events);
  expect(
    found.filter((p) => p.severity !== 'info'),
    JSON.stringify(found),
  ).toEqual([]);
  for (const p of found) expect(p.kind).toBe('debris');
  const stale = check.events.filter((e) => e.type === 'warning' && /stale lock/.test(String(e.message)));
  expect(stale.length, check.stdout).toBe(lockFiles.length);
  for (const w of stale) {
    expect(String(w.message)).toContain(`backup of alice/test by process ${pid} on host ${hostname()}`);
    expect(String(w.message)).toContain(`process ${pid} has exited`);
  }
  expect(await readdir(join(lb, 'locks'))).toEqual([]);

  // 2. The earlier version is still the only one, and restores byte-identical.
  const log = await runAgent(['log', 'alice/test', ...at(root, lb), '--json']);
  expect(log.code).toBe(0);
  expect(log.events.filter((e) => e.type === 'version').map((e) => e.seq)).toEqual([1]);
  const { result, tree } = await restoreSnapshot(lb, 'alice/test@v1', join(T, `restore-${restores++}`));
  expect(result.code, result.stderr).toBe(0);
  expect(tree).toEqual(v1Tree);

  // 3. gc --grace 0 removes the debris: data/ is back to what v1 needs, no temp files anywhere.
  const gc = await runAgent(['gc', ...at(root, lb), '--grace', '0', '--json']);
  expect(gc.code, gc.stderr).toBe(0);
  expect(stackLines(gc.stderr)).toEqual([]);
  expect(await filesBelow(join(lb, 'data'))).toEqual(baselineData);
  expect((await filesBelow(lb)).filter((f) => f.path.split('/').pop()?.startsWith('.tmp-'))).toEqual([]);
  const again = await runAgent(['check', ...at(root, lb), '--read-data', '--json']);
  expect(again.code, again.stdout).toBe(0);
  expect(problems(again.events)).toEqual([]);
}

describe('a backup killed with SIGKILL', () => {
  it('after 100 ms (while starting) leaves a logbook that checks, restores and collects clean', async () => {
    await expectRecovered(await killBackup(() => sleep(100)));
  });

  it('right after it took its lock (scanning) leaves a stale lock that the next command removes and names', async () => {
    const killed = await killBackup(lockTaken);
    expect(killed.locks.length).toBe(1);
    await expectRecovered(killed);
  });

  it('when its first pack appears leaves a logbook that checks, restores and collects clean', async () => {
    const killed = await killBackup(newPacks(1));
    expect(killed.locks.length).toBe(1);
    await expectRecovered(killed);
  });

  it('after six packs (about 100 MB, no index yet) leaves debris that gc --grace 0 reclaims', async () => {
    const killed = await killBackup(newPacks(6));
    expect(killed.locks.length).toBe(1);
    const baseline = baselineData.reduce((sum, f) => sum + f.size, 0);
    expect(await bytesBelow(join(lb, 'data'))).toBeGreaterThan(baseline + 80 * MiB);
    await expectRecovered(killed);
  });

  it('Ctrl-C (SIGINT) while packs are written: exit 130 at once, "left valid", lock released, no version', async () => {
    const run = startAgent(['backup', ...flags(), '--json']);
    try {
      await newPacks(2)(Date.now());
    } finally {
      run.child.kill('SIGINT');
    }
    const asked = Date.now();
    const result = await run.done;
    expect(Date.now() - asked).toBeLessThan(2000);
    expect(result.code, result.stderr).toBe(130);
    expect(result.error).toMatchObject({
      code: 130,
      error: 'E_INTERRUPTED',
      message: 'Interrupted: the logbook is left valid',
    });
    expect(stackLines(result.stderr)).toEqual([]);
    expect(await lockFiles()).toEqual([]);
    // Nothing for check to warn about but the unindexed packs, which gc reclaims.
    await expectRecovered({ pid: run.child.pid as number, locks: [] });
  });

  it('then the next backup completes and restores byte-identical', async () => {
    const v2 = await runAgent(['backup', ...flags(), '--json']);
    expect(v2.code, v2.stderr).toBe(0);
    const summary = v2.events.find((e) => e.type === 'backup-summary');
    expect(summary?.seq).toBe(2);
    const { result, tree } = await restoreSnapshot(lb, 'alice/test@v2', join(T, 'restore-v2'));
    expect(result.code, result.stderr).toBe(0);
    expect(tree).toEqual(await treeSnapshot(join(root, 'home/alice')));
    const check = await runAgent(['check', ...at(root, lb), '--json']);
    expect(check.code).toBe(0);
    expect(problems(check.events)).toEqual([]);
  });
});
