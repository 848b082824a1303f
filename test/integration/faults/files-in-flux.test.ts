/**
 * Files that change under a running backup: one appended to all the time, files deleted (and one swapped for
 * a symlink) while the backup reads. The backup warns about each by path, still makes a valid version
 * (exit 3), and the version holds exactly what was read: nothing torn, nothing read through a symlink.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentEvent,
  at,
  filesBelow,
  makeGuestRoot,
  restoreSnapshot,
  runAgent,
  sleep,
  stackLines,
  startAgent,
  treeSnapshot,
  writeRandomFile,
} from '../helpers/cli.js';

const MiB = 1024 * 1024;
let T: string;
let appender: ChildProcess | undefined;

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-flux-'));
});

afterEach(async () => {
  if (appender?.exitCode === null && appender.signalCode === null) {
    appender.kill('SIGKILL');
    await new Promise((r) => appender?.once('close', r));
  }
  appender = undefined;
});

afterAll(async () => {
  if (T) await rm(T, { recursive: true, force: true });
});

const warnings = (events: AgentEvent[]) => events.filter((e) => e.type === 'warning');

async function newLogbook(name: string, files: Parameters<typeof makeGuestRoot>[1]) {
  const root = await makeGuestRoot(join(T, `${name}-root`), files);
  const lb = join(T, `${name}-lb`);
  const flags = [...at(root, lb), '--entry', 'alice/test'];
  expect((await runAgent(['init', ...flags, '--no-config'])).code).toBe(0);
  return { root, lb, flags };
}

describe('files that change while a backup reads them', () => {
  it('a file appended to all the time: exit 3, a warning naming it, and the version holds a consistent prefix', async () => {
    const { root, lb, flags } = await newLogbook('grow', { 'home/alice/notes.txt': 'notes\n' });
    const file = join(root, 'home/alice/grow.log');
    await writeRandomFile(file, 30 * MiB);
    appender = spawn('sh', ['-c', `while :; do echo "another log line" >> '${file}'; done`], {
      stdio: 'ignore',
    });
    const start = (await stat(file)).size;
    while ((await stat(file)).size === start) await sleep(5); // it is running

    const backup = await runAgent(['backup', ...flags, '--json']);
    appender.kill('SIGKILL');
    await new Promise((r) => appender?.once('close', r));
    expect(backup.code, backup.stderr).toBe(3);
    expect(stackLines(backup.stderr)).toEqual([]);
    expect(warnings(backup.events)).toEqual([
      {
        type: 'warning',
        path: 'home/alice/grow.log',
        message: 'The file changed while it was read; the version holds the bytes as read',
      },
    ]);
    const summary = backup.events.find((e) => e.type === 'backup-summary');
    expect(summary).toMatchObject({ seq: 1, warnings: 1 });

    const check = await runAgent(['check', ...at(root, lb), '--read-data']);
    expect(check.code, check.stdout).toBe(0);

    const target = join(T, 'grow-restore');
    const { result } = await restoreSnapshot(lb, 'alice/test@v1', target);
    expect(result.code, result.stderr).toBe(0);
    const live = await readFile(file);
    const restored = await readFile(join(target, 'home/alice/grow.log'));
    expect(restored.length).toBeGreaterThanOrEqual(start);
    expect(restored.length).toBeLessThanOrEqual(live.length);
    expect(restored.equals(live.subarray(0, restored.length))).toBe(true);
    expect(await readFile(join(target, 'home/alice/notes.txt'), 'utf8')).toBe('notes\n');

    // The version's size for the file is the size of what it holds: a restored root matches it exactly.
    const diff = await runAgent(['diff', 'alice/test@v1', ...at(target, lb), '--json']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.events.filter((e) => e.type === 'diff-item')).toEqual([]);
  });

  it('files deleted (and one swapped for a symlink) during the backup: warned by path, the version is valid', async () => {
    const small: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      small[`home/alice/z-small/s${String(i).padStart(3, '0')}.txt`] = `small file ${i}\n`.repeat(
        (i % 7) + 1,
      );
    const secret = 'TOP-SECRET-OUTSIDE-THE-HOME-7f3a\n';
    const { root, lb, flags } = await newLogbook('vanish', { ...small, 'etc/secret': secret });
    // Read first (names sort first) and big enough that the small files are still unread when a pack appears:
    // eight files keep the backup's four file slots busy for two rounds, well past the first 16 MiB pack.
    for (let i = 0; i < 8; i++) await writeRandomFile(join(root, `home/alice/a-big/f${i}.bin`), 16 * MiB);
    const before = new Map<string, Buffer>();
    for (const f of await filesBelow(join(root, 'home/alice')))
      before.set(f.path, await readFile(join(root, 'home/alice', f.path)));

    const run = startAgent(['backup', ...flags, '--json']);
    const started = Date.now();
    while ((await filesBelow(join(lb, 'data'))).filter((f) => !f.path.includes('/.')).length === 0) {
      if (Date.now() - started > 20_000) throw new Error('no pack appeared');
      await sleep(2);
    }
    const deleted = Object.keys(small).filter((_, i) => i % 2 === 0);
    for (const rel of deleted) await unlink(join(root, rel));
    const swapped = 'home/alice/z-small/s001.txt';
    await unlink(join(root, swapped));
    await symlink(join(root, 'etc/secret'), join(root, swapped));
    const backup = await run.done;

    expect([0, 3], backup.stderr).toContain(backup.code);
    expect(stackLines(backup.stderr)).toEqual([]);
    const warned = warnings(backup.events);
    const allowed = new Set([...deleted, swapped]);
    for (const w of warned) {
      expect(allowed.has(String(w.path)), JSON.stringify(w)).toBe(true);
      expect(String(w.message)).toMatch(
        /^Not saved: the file (vanished before it could be read|cannot be read: .*)$/,
      );
    }
    // O_NOFOLLOW: the file that became a symlink after the scan is refused, not read through.
    expect(warned.find((w) => w.path === swapped)?.message).toMatch(
      /^Not saved: the file cannot be read: ELOOP/,
    );
    // Timed so that the small files were still unread: most deletions are seen.
    expect(warned.length).toBeGreaterThan(deleted.length / 2);
    expect(backup.code).toBe(3);

    const check = await runAgent(['check', ...at(root, lb), '--read-data']);
    expect(check.code, check.stdout).toBe(0);
    const target = join(T, 'vanish-restore');
    const { result, tree } = await restoreSnapshot(lb, 'alice/test@v1', target);
    expect(result.code, result.stderr).toBe(0);
    // Every restored file is byte-identical to what it was before the backup; files never deleted are all there.
    const restored = new Map(tree.filter((e) => e.type === 'file').map((e) => [e.path, e]));
    for (const path of restored.keys()) {
      expect(before.has(path), path).toBe(true);
      expect(
        (await readFile(join(target, 'home/alice', path))).equals(before.get(path) as Buffer),
        path,
      ).toBe(true);
    }
    for (const path of before.keys()) {
      if (!allowed.has(`home/alice/${path}`)) expect(restored.has(path), path).toBe(true);
    }
    for (const w of warned) expect(restored.has(String(w.path).replace('home/alice/', ''))).toBe(false);
    // Nothing was read through the swapped-in symlink.
    for (const f of await filesBelow(lb))
      expect((await readFile(join(lb, f.path))).includes(secret.trim())).toBe(false);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(tree);

    // The next backup sees the deletions and the symlink, without warnings.
    const next = await runAgent(['backup', ...flags, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(warnings(next.events)).toEqual([]);
  });
});
