/**
 * A throwaway PostgreSQL for the tests: Debian's server binaries (initdb, pg_ctl) run as the `postgres` user
 * (tests run as root, and PostgreSQL refuses root) on a free 127.0.0.1 port, with password authentication
 * over TCP as a real deployment has it. Starts in about 1 s; `stop()` kills it and removes its files.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  readonly port: number;
  /** The role the server uses: owns every database `createDatabase` makes. */
  readonly user: string;
  readonly password: string;
  /** Makes an empty database owned by `user`; returns its URL (no password in it). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server at once and removes its directory. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's server binaries, e.g. /usr/lib/postgresql/15/bin. */
async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [] as string[]))
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined) {
    throw new Error(
      'PostgreSQL is not installed: run scripts/install-test-tools.sh (Debian package postgresql)',
    );
  }
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = await binDir();
  const dir = await mkdtemp(join(tmpdir(), 'vml-pg-'));
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: as root, run its programs as the postgres user, owner of the dir.
  const pgRun = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);
  const superPassword = randomBytes(12).toString('hex');
  await writeFile(join(dir, 'pw'), `${superPassword}\n`, { mode: 0o600 });
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
    await chown(join(dir, 'pw'), uid, gid);
  }
  const pgdata = join(dir, 'data');
  await pgRun('initdb', [
    ...['-D', pgdata, '-U', 'postgres', '--pwfile', join(dir, 'pw'), '-E', 'UTF8', '--no-locale'],
    ...['--auth-local=trust', '--auth-host=scram-sha-256', '--no-instructions', '--no-sync'],
  ]);
  const port = await freePort();
  // No durability needed for a test database: fsync off makes it start and commit faster.
  const serverOptions = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off`;
  await pgRun('pg_ctl', [
    '-D',
    pgdata,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '30',
    '-o',
    serverOptions,
    'start',
  ]);

  const user = 'vml';
  const password = randomBytes(12).toString('hex');
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: superPassword });
  await admin.connect();
  await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  let databases = 0;
  return {
    port,
    user,
    password,
    async createDatabase(name = `vml_test_${++databases}`) {
      await admin.query(`CREATE DATABASE ${name} OWNER ${user}`);
      return `postgres://${user}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await admin.end().catch(() => {});
      await pgRun('pg_ctl', ['-D', pgdata, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
