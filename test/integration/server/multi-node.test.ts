/**
 * Several stateless servers: two `vml logbook serve` processes share one real PostgreSQL database
 * (test/helpers/postgres.ts) and one --data directory, as behind a load balancer. The agent backs up through
 * one and restores through the other; a token revoked and a user added with the administration commands
 * (against PostgreSQL, while both run) count on both at the next request. About 30 s (mostly CLI starts).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { makeGuestRoot, runAgent, treeSnapshot, writeRandomFile } from '../helpers/cli.js';
import { type RunningServer, runHost, startServer, stopServer } from './helpers.js';

let T: string;
let data: string;
let postgres: TestPostgres;
let database: string[];
let one: RunningServer;
let two: RunningServer;

const admin = (args: string[]) => runHost(['logbook', ...args, '--data', data, ...database, '--json']);

async function tokenFor(user: string): Promise<{ token: string; id: string }> {
  const made = await admin(['token', 'create', user]);
  expect(made.code, made.stderr).toBe(0);
  return { token: String(made.events[0]?.token), id: String(made.events[0]?.id) };
}

const agent = (server: RunningServer, args: string[], token: string, root: string, entry = 'alice/test') =>
  runAgent([...args, '--root', root, '--logbook', server.url, '--entry', entry, '--json'], {
    env: { VML_TOKEN: token },
    timeoutMs: 120_000,
  });

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-multi-node-'));
  data = join(T, 'server');
  postgres = await startPostgres();
  const url = await postgres.createDatabase();
  await writeFile(join(T, 'db.pw'), `${postgres.password}\n`, { mode: 0o600 });
  database = ['--database', url, '--database-password-file', join(T, 'db.pw')];
  // Both start on an empty database at once: the schema is made once (migrations take turns).
  [one, two] = await Promise.all([startServer(data, 0, database), startServer(data, 0, database)]);
}, 60_000);

afterAll(async () => {
  for (const server of [one, two]) if (server) await stopServer(server);
  await postgres?.stop();
  if (T) await rm(T, { recursive: true, force: true });
});

describe('two servers sharing one PostgreSQL database and one data directory', () => {
  it('backs up through one server and restores byte-identical through the other', async () => {
    expect((await admin(['user', 'add', 'alice'])).code).toBe(0);
    const { token } = await tokenFor('alice');
    const root = await makeGuestRoot(join(T, 'root'), {
      'home/alice/.bashrc': 'export PS1="$ "\n',
      'home/alice/notes/a.txt': 'a\n'.repeat(1000),
    });
    await writeRandomFile(join(root, 'home/alice/data/seed.bin'), 2 * 1024 * 1024);
    expect((await agent(one, ['init', '--no-config'], token, root)).code).toBe(0);
    const backup = await agent(one, ['backup', '--message', 'via one'], token, root);
    expect(backup.code, backup.stderr).toBe(0);

    const log = await agent(two, ['log'], token, root);
    expect(log.events.filter((e) => e.type === 'version').map((e) => e.message)).toEqual(['via one']);
    const target = await makeGuestRoot(join(T, 'restored'));
    const restore = await agent(two, ['restore', 'alice/test@v1'], token, target);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );
    // The metadata is in PostgreSQL: no SQLite file appeared in the data directory.
    expect(existsSync(join(data, 'vml.db'))).toBe(false);
  });

  it('a user added while both run works on both', async () => {
    expect((await admin(['user', 'add', 'bob'])).code).toBe(0);
    const { token } = await tokenFor('bob');
    const root = await makeGuestRoot(join(T, 'bob-root'), { 'home/bob/x.txt': 'x\n' });
    const init = await agent(two, ['init', '--no-config'], token, root, 'bob/work');
    expect(init.code, init.stderr).toBe(0);
    expect((await agent(two, ['backup'], token, root, 'bob/work')).code).toBe(0);
    const log = await agent(one, ['log'], token, root, 'bob/work');
    expect(log.code, log.stderr).toBe(0);
    expect(log.events.filter((e) => e.type === 'version').map((e) => e.entry)).toEqual(['bob/work']);
    // The same database named by the environment instead of flags (what a systemd unit would set).
    process.env.VML_SERVER_DATABASE = database[1];
    process.env.VML_SERVER_DATABASE_PASSWORD_FILE = database[3];
    try {
      const users = await runHost(['logbook', 'user', 'list', '--data', data, '--json']);
      expect(users.code, users.stderr).toBe(0);
      expect(users.events.map((e) => e.name)).toEqual(['alice', 'bob']);
    } finally {
      delete process.env.VML_SERVER_DATABASE;
      delete process.env.VML_SERVER_DATABASE_PASSWORD_FILE;
    }
  });

  it('a token revoked with the administration command is refused by both at the next request', async () => {
    const { token, id } = await tokenFor('alice');
    const root = join(T, 'root');
    for (const server of [one, two]) expect((await agent(server, ['log'], token, root)).code).toBe(0);
    const revoke = await admin(['token', 'revoke', id]);
    expect(revoke.code, revoke.stderr).toBe(0);
    for (const server of [one, two]) {
      const refused = await agent(server, ['log'], token, root);
      expect(refused.code).toBe(12);
      expect(refused.error?.error).toBe('E_AUTH');
    }
  });

  it('the administration commands name a dead database without its password and say what to check', async () => {
    const dead = await startPostgres();
    await dead.stop();
    const url = `postgres://vml@127.0.0.1:${dead.port}/vml`;
    const result = await runHost([
      ...['logbook', 'user', 'list', '--data', data, '--json'],
      ...['--database', url, '--database-password-file', join(T, 'db.pw')],
    ]);
    expect(result.code).toBe(1);
    const error = JSON.parse(result.stderr.split('\n').find((l) => l.includes('exit_error')) ?? '{}');
    expect(error.message).toBe(`Cannot open the database "${url}": nothing listens there`);
    expect(result.stderr).not.toContain(postgres.password);
    // A password in the URL is refused before anything connects, and not echoed.
    const inUrl = await runHost([
      'logbook',
      'user',
      'list',
      '--data',
      data,
      '--database',
      `postgres://vml:Pw123456@127.0.0.1:${postgres.port}/x`,
    ]);
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toContain('it contains a password');
    expect(inUrl.stderr).not.toContain('Pw123456');
  });
});
