/**
 * Quotas end to end: `vml logbook user quota` (and --dry-run) on a running `vml logbook serve`, the agent's
 * backup refused mid-way with E_NO_SPACE and a hint, the logbook still valid (`check`), usage in `user list`,
 * and room made by `delete` + `gc` (the server's usage tally goes down) so the next backup fits.
 * About 20 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGuestRoot, runAgent, writeRandomFile } from '../helpers/cli.js';
import { type RunningServer, runHost, startServer, stopServer } from './helpers.js';

const MiB = 1024 * 1024;
let T: string;
let data: string;
let root: string;
let server: RunningServer;
let token: string;

const agent = (args: string[]) =>
  runAgent([...args, '--root', root, '--logbook', server.url, '--entry', 'alice/q', '--json'], {
    env: { VML_TOKEN: token },
    timeoutMs: 120_000,
  });

async function aliceRow(): Promise<Record<string, unknown> | undefined> {
  const list = await runHost(['logbook', 'user', 'list', '--data', data, '--json']);
  expect(list.code, list.stderr).toBe(0);
  return list.events.find((e) => e.name === 'alice');
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-quota-'));
  data = join(T, 'server');
  root = await makeGuestRoot(join(T, 'root'), { 'home/alice/notes.txt': 'notes\n' });
  await writeRandomFile(join(root, 'home/alice/a.bin'), 1.5 * MiB);
  server = await startServer(data);
  expect((await runHost(['logbook', 'user', 'add', 'alice', '--data', data])).code).toBe(0);
  const made = await runHost(['logbook', 'token', 'create', 'alice', '--data', data, '--json']);
  token = String(made.events[0]?.token);
}, 60_000);

afterAll(async () => {
  if (server) await stopServer(server);
  if (T) await rm(T, { recursive: true, force: true });
});

describe('quotas', () => {
  it('user quota --dry-run changes nothing; user quota sets it and user list shows it with the usage', async () => {
    const dry = await runHost([
      'logbook',
      'user',
      'quota',
      'alice',
      '3M',
      '--dry-run',
      '--data',
      data,
      '--json',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.events[0]).toMatchObject({ name: 'alice', quota: 3 * MiB, dryRun: true, used: 0 });
    expect(await aliceRow()).toMatchObject({ quota: null, used: 0 });
    const set = await runHost(['logbook', 'user', 'quota', 'alice', '3M', '--data', data]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/quota 3\.0+ MiB/);
    expect(await aliceRow()).toMatchObject({ quota: 3 * MiB });
    const bad = await runHost(['logbook', 'user', 'quota', 'alice', 'lots', '--data', data]);
    expect(bad.code).toBe(2);
    expect((await runHost(['logbook', 'user', 'quota', 'nobody', '1G', '--data', data])).code).toBe(2);
  }, 60_000);

  it('a backup over the quota stops with a clear error, and the logbook stays valid', async () => {
    expect((await agent(['init', '--no-config'])).code).toBe(0);
    const first = await agent(['backup', '--message', 'fits']);
    expect(first.code, first.stderr).toBe(0);
    const used = Number((await aliceRow())?.used);
    expect(used).toBeGreaterThan(1.5 * MiB);
    expect(used).toBeLessThan(3 * MiB);

    await writeRandomFile(join(root, 'home/alice/b.bin'), 2 * MiB);
    const over = await agent(['backup', '--message', 'too big']);
    expect(over.code).toBe(1);
    expect(over.error?.error).toBe('E_NO_SPACE');
    expect(String(over.error?.message)).toMatch(/over the quota: .* of 3\.00 MiB used/);
    expect(String(over.error?.hint)).toContain('vml-agent delete');
    expect(String(over.error?.hint)).toContain('vml-agent gc');
    const log = await agent(['log']);
    expect(log.events.filter((e) => e.type === 'version').map((e) => e.message)).toEqual(['fits']);
    const check = await agent(['check']);
    expect(check.code, check.stderr).toBe(0);
    // The refused pack was never stored: the usage did not pass the quota.
    expect(Number((await aliceRow())?.used)).toBeLessThanOrEqual(3 * MiB);
  }, 120_000);

  it('delete and gc lower the usage, so the next backup fits', async () => {
    await rm(join(root, 'home/alice/a.bin'));
    expect((await agent(['delete', 'alice/q@v1', '--yes'])).code).toBe(0);
    const gc = await agent(['gc', '--grace', '0s']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(Number((await aliceRow())?.used)).toBeLessThan(0.5 * MiB);
    // The server's tally (primed at the first refused save) went down with gc's deletions.
    const fits = await agent(['backup', '--message', 'fits again']);
    expect(fits.code, fits.stderr).toBe(0);
    expect((await agent(['check', '--read-data'])).code).toBe(0);
  }, 120_000);
});
