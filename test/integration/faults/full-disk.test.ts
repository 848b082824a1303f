/**
 * The logbook's file system fills up during a backup: the backup exits 1 saying there is no space left, with
 * a hint; earlier versions still check and restore; once there is room again (after gc reclaimed the
 * partial backup's packs), the next backup works. Needs root for `mount -t tmpfs`; skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AgentResult,
  at,
  bytesBelow,
  filesBelow,
  makeGuestRoot,
  restoreSnapshot,
  runAgent,
  stackLines,
  treeSnapshot,
  writeRandomFile,
} from '../helpers/cli.js';

const MiB = 1024 * 1024;
const T = await mkdtemp(join(tmpdir(), 'vml-full-'));
const mounted: string[] = [];

/** Mounts a tmpfs of `size` at T/name; undefined (and a message) when that is not allowed here. */
async function tmpfs(name: string, size: string): Promise<string | undefined> {
  const dir = join(T, name);
  await mkdir(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    console.warn(
      `full-disk tests skipped: cannot mount a tmpfs (${(error as Error).message.split('\n')[0]})`,
    );
    return undefined;
  }
  mounted.push(dir);
  return dir;
}

const small = await tmpfs('small', '4m');
const medium = small === undefined ? undefined : await tmpfs('medium', '36m');

afterAll(async () => {
  for (const dir of mounted) execFileSync('umount', [dir]);
  await rm(T, { recursive: true, force: true });
});

async function run(args: string[]): Promise<AgentResult> {
  const r = await runAgent(args);
  expect(stackLines(r.stderr), r.stderr).toEqual([]);
  return r;
}

/** A guest with a few small files, a logbook at `lb` and one version of them. */
async function setup(name: string, lb: string) {
  const root = await makeGuestRoot(join(T, `${name}-root`), {
    'home/alice/.bashrc': 'alias ll="ls -l"\n',
    'home/alice/analysis/run.py': 'print("hello")\n',
  });
  const flags = [...at(root, lb), '--entry', 'alice/test'];
  expect((await run(['init', ...flags, '--no-config'])).code).toBe(0);
  expect((await run(['backup', ...flags])).code).toBe(0);
  return { root, flags, v1: await treeSnapshot(join(root, 'home/alice')) };
}

function expectNoSpace(r: AgentResult, lb: string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(`^error: Cannot write to "${lb}/[^"]+": no space left on the device$`, 'm'),
  );
  expect(r.stderr).toContain(
    'hint: Free some space (or run "vml-agent gc" on the logbook) and run the command again',
  );
  // The file that was being read is not to blame: no "Not saved" warning for it.
  expect(r.stderr).not.toContain('Not saved');
  expect(r.stdout).not.toContain('Saved');
}

async function expectIntact(
  lb: string,
  root: string,
  version: string,
  tree: unknown,
  restoreAs: string,
): Promise<void> {
  const check = await run(['check', ...at(root, lb), '--read-data']);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).toContain(': no errors');
  const { result, tree: restored } = await restoreSnapshot(lb, version, join(T, restoreAs));
  expect(result.code, result.stderr).toBe(0);
  expect(restored).toEqual(tree);
}

describe.skipIf(small === undefined)('a logbook on a full disk', () => {
  it('a 40 MB backup onto 4 MB: exit 1, no space left, a hint; v1 intact; after deleting the file the next backup works', async () => {
    const lb = small as string;
    const { root, flags, v1 } = await setup('small', lb);
    // 40 MiB makes every pack of this backup (16 MiB, 16 MiB, ~8 MiB) bigger than the disk, so none can be
    // completed and left as debris. With 20 MiB the last pack (~3.5 MiB) sometimes fit while the first was
    // failing, and the next backup then found the disk full until gc (seen once in ten loaded runs).
    await writeRandomFile(join(root, 'home/alice/big.bin'), 40 * MiB);
    expectNoSpace(await run(['backup', ...flags]), lb);
    expect(await readdir(join(lb, 'locks'))).toEqual([]);
    expect((await filesBelow(lb)).filter((f) => f.path.includes('.tmp-'))).toEqual([]);
    await expectIntact(lb, root, 'alice/test@v1', v1, 'small-restore-v1');

    await rm(join(root, 'home/alice/big.bin'));
    await writeRandomFile(join(root, 'home/alice/small.bin'), 512 * 1024);
    const next = await run(['backup', ...flags]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain('Saved alice/test@v2');
    await expectIntact(
      lb,
      root,
      'alice/test@v2',
      await treeSnapshot(join(root, 'home/alice')),
      'small-restore-v2',
    );
  });

  it.skipIf(medium === undefined)(
    'a disk that fills after two packs: their debris is info for check, gc --grace 0 reclaims it, then the backup fits',
    async () => {
      const lb = medium as string;
      const { root, flags, v1 } = await setup('medium', lb);
      const before = await bytesBelow(join(lb, 'data'));
      // Up to two packs (16 MiB each) are saved at once: two fit in 36 MiB, the third does not.
      await writeRandomFile(join(root, 'home/alice/big.bin'), 60 * MiB);
      expectNoSpace(await run(['backup', ...flags]), lb);
      expect(await bytesBelow(join(lb, 'data'))).toBeGreaterThan(before + 10 * MiB);

      const check = await run(['check', ...at(root, lb), '--json']);
      expect(check.code).toBe(0);
      const found = check.events.filter((e) => e.type === 'check-problem');
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((p) => p.severity === 'info' && p.kind === 'debris')).toBe(true);
      await expectIntact(lb, root, 'alice/test@v1', v1, 'medium-restore-v1');

      const gc = await run(['gc', ...at(root, lb), '--grace', '0']);
      expect(gc.code, gc.stderr).toBe(0);
      expect(await bytesBelow(join(lb, 'data'))).toBe(before);

      // 12 MiB fits now that the debris is gone (it would not have with it).
      await rm(join(root, 'home/alice/big.bin'));
      await writeRandomFile(join(root, 'home/alice/mid.bin'), 12 * MiB);
      const next = await run(['backup', ...flags]);
      expect(next.code, next.stderr).toBe(0);
      await expectIntact(
        lb,
        root,
        'alice/test@v2',
        await treeSnapshot(join(root, 'home/alice')),
        'medium-restore-v2',
      );
    },
  );
});
