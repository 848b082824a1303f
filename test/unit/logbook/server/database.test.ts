/**
 * Choosing and opening the metadata database: --database URLs, passwords that never show, clear errors for
 * a database that is down, refuses the password or does not exist (a real PostgreSQL, test/helpers/
 * postgres.ts), and an SQLite vml.db made before migrations existed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVmlError, type VmlError } from '../../../../core/errors.js';
import { openMetadata, parseDatabaseUrl } from '../../../../logbook/server/database.js';
import { startPostgres, type TestPostgres } from '../../../helpers/postgres.js';

let T: string;
let postgres: TestPostgres;
beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-database-'));
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
  if (T) await rm(T, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<VmlError> {
  try {
    await promise;
  } catch (error) {
    if (isVmlError(error)) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('parseDatabaseUrl', () => {
  it('defaults to vml.db in the data directory and takes sqlite:PATH and postgres:// URLs', () => {
    expect(parseDatabaseUrl('', '/srv/vml')).toEqual({ kind: 'sqlite', path: '/srv/vml/vml.db' });
    expect(parseDatabaseUrl('sqlite:/var/lib/meta.db', '/srv/vml')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/meta.db',
    });
    expect(parseDatabaseUrl('postgresql://vml@db:5432/vml?sslmode=require', '/srv')).toEqual({
      kind: 'postgres',
      url: 'postgresql://vml@db:5432/vml?sslmode=require',
      shown: 'postgres://vml@db:5432/vml',
    });
  });

  it('refuses a password in the URL without repeating it, and unknown schemes', () => {
    for (const url of ['postgres://vml:S3cretPw@db/vml', 'postgres://vml@db/vml?password=S3cretPw']) {
      let error: unknown;
      try {
        parseDatabaseUrl(url, '/srv');
      } catch (e) {
        error = e;
      }
      expect(isVmlError(error) && error.code).toBe('E_USAGE');
      expect(JSON.stringify({ m: (error as VmlError).message, h: (error as VmlError).hint })).not.toContain(
        'S3cretPw',
      );
    }
    expect(() => parseDatabaseUrl('mysql://db/vml', '/srv')).toThrow(/expected postgres/);
  });
});

describe('openMetadata on PostgreSQL', () => {
  it('takes the password from --database-password-file or PGPASSWORD', async () => {
    const url = await postgres.createDatabase();
    await writeFile(join(T, 'db.pw'), `${postgres.password}\n`);
    const viaFile = await openMetadata(T, { url, passwordFile: join(T, 'db.pw') });
    await viaFile.addUser({ name: 'alice', admin: false });
    await viaFile.close();
    process.env.PGPASSWORD = postgres.password;
    try {
      const viaEnv = await openMetadata(T, { url });
      expect((await viaEnv.listUsers()).map((u) => u.name)).toEqual(['alice']);
      expect(viaEnv.location).toBe(url);
      await viaEnv.close();
    } finally {
      delete process.env.PGPASSWORD;
    }
  });

  it('a wrong password is E_AUTH naming the database, never the password', async () => {
    const url = await postgres.createDatabase();
    await writeFile(join(T, 'wrong.pw'), 'Wr0ngPassw0rd\n');
    const error = await failure(openMetadata(T, { url, passwordFile: join(T, 'wrong.pw') }));
    expect(error.code).toBe('E_AUTH');
    expect(error.message).toContain(`Cannot open the database "${url}"`);
    expect(`${error.message} ${error.hint}`).not.toContain('Wr0ngPassw0rd');
    expect(error.hint).toMatch(/--database-password-file or PGPASSWORD/);
  });

  it('a database that does not exist, and a port where nothing listens, say what to check', async () => {
    await writeFile(join(T, 'db.pw'), `${postgres.password}\n`);
    const passwordFile = join(T, 'db.pw');
    const missing = `postgres://vml@127.0.0.1:${postgres.port}/no_such_db`;
    const noDb = await failure(openMetadata(T, { url: missing, passwordFile }));
    expect([noDb.code, noDb.message]).toEqual([
      'E_IO',
      expect.stringContaining('"no_such_db" does not exist'),
    ]);
    expect(noDb.hint).toMatch(/createdb/);
    // A port just freed by a PostgreSQL that stopped: connection refused.
    const dead = await startPostgres();
    await dead.stop();
    const down = await failure(
      openMetadata(T, { url: `postgres://vml@127.0.0.1:${dead.port}/vml`, passwordFile }),
    );
    expect(down.code).toBe('E_IO');
    expect(down.message).toBe(
      `Cannot open the database "postgres://vml@127.0.0.1:${dead.port}/vml": nothing listens there`,
    );
    expect(down.hint).toMatch(/PostgreSQL runs/);
  }, 30_000);
});

describe('a PostgreSQL that stops while a server uses it', () => {
  it('fails the next call with an error naming the database, and a unique violation stays as it is', async () => {
    const own = await startPostgres();
    try {
      const url = await own.createDatabase();
      await writeFile(join(T, 'own.pw'), `${own.password}\n`);
      const metadata = await openMetadata(T, { url, passwordFile: join(T, 'own.pw') });
      await metadata.addUser({ name: 'alice', admin: false });
      expect((await failure(metadata.addUser({ name: 'alice', admin: false }))).code).toBe('E_USAGE');
      await own.stop();
      const error = await failure(metadata.listUsers());
      expect(error.code).toBe('E_IO');
      expect(error.message.startsWith(`Cannot use the database "${url}": `)).toBe(true);
      expect(error.hint).toMatch(/PostgreSQL runs/);
      await metadata.close();
    } finally {
      await own.stop();
    }
  }, 30_000);
});

describe('openMetadata on SQLite', () => {
  it('adopts a vml.db made before migrations existed, with its users and tokens', async () => {
    const dir = join(T, 'legacy');
    await mkdir(dir);
    const { DatabaseSync } = await import('node:sqlite');
    const old = new DatabaseSync(join(dir, 'vml.db'));
    // The schema of the first server release, verbatim (no schema_migrations table).
    old.exec(`CREATE TABLE users (name TEXT PRIMARY KEY, admin INTEGER NOT NULL, password_hash TEXT,
      created TEXT NOT NULL);
      CREATE TABLE tokens (id TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), label TEXT NOT NULL,
      entries TEXT NOT NULL, access TEXT NOT NULL CHECK (access IN ('read', 'append', 'full')),
      hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT);
      CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, actor TEXT NOT NULL,
      action TEXT NOT NULL, target TEXT NOT NULL, token TEXT);
      INSERT INTO users VALUES ('alice', 0, NULL, '2025-01-01T00:00:00.000Z');
      INSERT INTO tokens VALUES ('0123456789ab', 'alice', 'vm3', 'alice/*', 'append', 'ff', '2025-01-01', NULL);`);
    old.close();
    const metadata = await openMetadata(dir);
    expect((await metadata.findToken('0123456789ab'))?.user).toBe('alice');
    expect((await metadata.listTokens('alice')).map((t) => t.label)).toEqual(['vm3']);
    await metadata.close();
  });
});
