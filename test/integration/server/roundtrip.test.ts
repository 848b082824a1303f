/**
 * The agent against a real `vml logbook serve` process over loopback: init, backup, log and a byte-identical
 * restore through `--logbook http://…` with VML_TOKEN; another user sees nothing; an append-only token backs
 * up but cannot delete; the server killed mid-backup leaves a valid logbook and the next backup works.
 * About 30 s, most of it the agent's retries (about 8 s) after the kill.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGuestRoot, runAgent, sleep, startAgent, treeSnapshot, writeRandomFile } from '../helpers/cli.js';
import { createToken, type RunningServer, runHost, startServer, stopServer } from './helpers.js';

const MiB = 1024 * 1024;
let T: string;
let data: string;
let root: string;
let server: RunningServer;
let alice: string;

const tokenFor = (user: string, scope = 'full') => createToken(data, user, scope);

const agent = (args: string[], token: string, rootDir = root) =>
  runAgent([...args, '--root', rootDir, '--logbook', server.url, '--entry', 'alice/test', '--json'], {
    env: { VML_TOKEN: token },
    timeoutMs: 120_000,
  });

async function restoreInto(name: string, version: string, token: string) {
  const target = await makeGuestRoot(join(T, name));
  const result = await agent(['restore', version], token, target);
  expect(result.code, result.stderr).toBe(0);
  return treeSnapshot(join(target, 'home/alice'));
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-server-it-'));
  data = join(T, 'server');
  root = await makeGuestRoot(join(T, 'root'), {
    'home/alice/.bashrc': 'export PS1="$ "\n',
    'home/alice/run.sh': { content: '#!/bin/sh\necho run\n', mode: 0o755 },
    'home/alice/link': { symlink: 'run.sh' },
    'home/alice/notes/a.txt': 'a\n'.repeat(1000),
  });
  await writeRandomFile(join(root, 'home/alice/data/seed.bin'), 3 * MiB);
  server = await startServer(data);
  // Administration while the server runs (SQLite WAL).
  for (const user of ['alice', 'bob'])
    expect((await runHost(['logbook', 'user', 'add', user, '--data', data])).code).toBe(0);
  alice = await tokenFor('alice');
}, 60_000);

afterAll(async () => {
  if (server) await stopServer(server);
  if (T) await rm(T, { recursive: true, force: true });
});

describe('vml-agent through vml logbook serve', () => {
  it('init, backup, log and a byte-identical restore', async () => {
    expect((await agent(['init', '--no-config'], alice)).code).toBe(0);
    const backup = await agent(['backup', '--message', 'first'], alice);
    expect(backup.code, backup.stderr).toBe(0);
    const log = await agent(['log'], alice);
    expect(log.events.filter((e) => e.type === 'version').map((e) => [e.entry, e.seq, e.message])).toEqual([
      ['alice/test', 1, 'first'],
    ]);
    expect(await restoreInto('restored-v1', 'alice/test@v1', alice)).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );
    // The files are in alice's namespace on the server, and nowhere else.
    expect(await readdir(join(data, 'owners'))).toEqual(['alice']);
  });

  it('another user sees no logbook at all, and a bad token is an authentication error', async () => {
    const bob = await tokenFor('bob');
    const log = await agent(['log'], bob);
    expect(log.code).toBe(10);
    const restore = await agent(['restore', 'alice/test@v1'], bob, await makeGuestRoot(join(T, 'bob-root')));
    expect(restore.code).toBe(10);
    const bad = await agent(['log'], `${alice.slice(0, -3)}xyz`);
    expect(bad.code).toBe(12);
    expect(bad.error?.error).toBe('E_AUTH');
    expect(bad.stderr).not.toContain(alice.slice(17));
  });

  it('an append-only token makes the shutdown backup but cannot delete', async () => {
    const append = await tokenFor('alice', 'append');
    const backup = await agent(['backup', '--reason', 'shutdown'], append);
    expect(backup.code, backup.stderr).toBe(0);
    const del = await agent(['delete', 'alice/test@v1', '--yes'], append);
    expect(del.code).toBe(12);
    expect(del.error?.error).toBe('E_PERMISSION');
    expect((await agent(['log'], alice)).events.filter((e) => e.type === 'version')).toHaveLength(2);
  });

  it('the server killed mid-backup leaves a valid logbook; after a restart the next backup works', async () => {
    for (let i = 0; i < 3; i++) await writeRandomFile(join(root, `home/alice/big/f${i}.bin`), 24 * MiB);
    const packs = join(data, 'owners/alice/data');
    const before = (await readdir(packs, { recursive: true })).length;
    const run = startAgent(
      ['backup', '--root', root, '--logbook', server.url, '--entry', 'alice/test', '--json'],
      { env: { VML_TOKEN: alice }, timeoutMs: 120_000 },
    );
    // Kill once the first new pack is on the server: the backup is half-way.
    for (let t = 0; (await readdir(packs, { recursive: true })).length <= before + 1 && t < 600; t++)
      await sleep(50);
    await stopServer(server, 'SIGKILL');
    const failed = await run.done;
    expect(failed.code).not.toBe(0);
    expect(failed.error?.message).toMatch(/Cannot reach/);

    server = await startServer(data, server.port);
    const log = await agent(['log'], alice);
    expect(log.events.filter((e) => e.type === 'version')).toHaveLength(2);
    const check = await agent(['check'], alice);
    expect(check.events.filter((e) => e.type === 'check-problem' && e.severity === 'error')).toEqual([]);
    const again = await agent(['backup'], alice);
    expect(again.code, again.stderr).toBe(0);
    expect(await restoreInto('restored-v3', 'alice/test@v3', alice)).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );
    // 72 MiB backed up twice and restored once: about 40 s on a loaded 2-core machine.
  }, 180_000);
});
