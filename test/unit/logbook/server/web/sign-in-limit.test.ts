/**
 * The sign-in brake on a real database: the counting rules on SQLite, and two servers (two buildApp
 * instances, each with its own connection, as two processes behind a load balancer) sharing one database,
 * SQLite file and a real PostgreSQL (test/helpers/postgres.ts): together they allow 5 failures per name,
 * not 5 each, also to guesses sent in parallel. About 10 s per database on a loaded 2-core machine (each
 * tried guess costs a 128 MiB scrypt and the 0.5 s brake).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInsight } from '../../../../../host/server/insight.js';
import { sanitizerScan } from '../../../../../host/server/scan.js';
import { addUser } from '../../../../../logbook/server/admin.js';
import { buildApp } from '../../../../../logbook/server/app.js';
import { SqlMetadata } from '../../../../../logbook/server/metadata-sql.js';
import type { SqlDriver } from '../../../../../logbook/server/sql/driver.js';
import { PostgresDriver } from '../../../../../logbook/server/sql/postgres.js';
import { SqliteDriver } from '../../../../../logbook/server/sql/sqlite.js';
import { DirStorage } from '../../../../../logbook/server/storage.js';
import {
  MAX_FAILURES_PER_ADDRESS,
  MAX_FAILURES_PER_NAME,
  SignInLimit,
  WINDOW_MS,
} from '../../../../../logbook/server/web/sign-in-limit.js';
import { startPostgres, type TestPostgres } from '../../../../helpers/postgres.js';

let dir: string;
let postgres: TestPostgres;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-signin-'));
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SignInLimit', () => {
  it('refuses a name after MAX_FAILURES_PER_NAME attempts until the window passes', async () => {
    const metadata = await SqlMetadata.open(await SqliteDriver.open(join(dir, 'rules-1.db')));
    let now = Date.parse('2026-01-01T00:00:00Z');
    const limit = new SignInLimit(metadata, () => now);
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++)
      expect(await limit.attempt('alice', `10.0.0.${i}`)).toBe(true);
    expect(await limit.attempt('alice', '10.0.0.99')).toBe(false);
    expect(await limit.attempt('bob', '10.0.0.99')).toBe(true);
    now += WINDOW_MS + 1;
    // The window passed: a new count begins, with the whole limit again.
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++)
      expect(await limit.attempt('alice', '10.0.1.1')).toBe(true);
    expect(await limit.attempt('alice', '10.0.1.1')).toBe(false);
    await metadata.close();
  });

  it('refuses an address after MAX_FAILURES_PER_ADDRESS attempts over any names; success clears the name and gives the address its attempt back', async () => {
    const metadata = await SqlMetadata.open(await SqliteDriver.open(join(dir, 'rules-2.db')));
    const limit = new SignInLimit(metadata);
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++)
      expect(await limit.attempt(`user${i}`, '10.0.0.1')).toBe(true);
    expect(await limit.attempt('someone', '10.0.0.1')).toBe(false);
    expect(await limit.attempt('someone', '10.0.0.2')).toBe(true);
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++) await limit.attempt('carol', `10.0.1.${i}`);
    expect(await limit.attempt('carol', '10.0.0.3')).toBe(false);
    await limit.succeeded('carol', '10.0.0.3');
    expect(await limit.attempt('carol', '10.0.0.3')).toBe(true);
    // 19 attempts from one address, one of them a success: two more may be tried, not three.
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS - 1; i++) await limit.attempt(`u${i}`, '10.0.0.5');
    await limit.succeeded('u0', '10.0.0.5');
    expect(await limit.attempt('x', '10.0.0.5')).toBe(true);
    expect(await limit.attempt('y', '10.0.0.5')).toBe(true);
    expect(await limit.attempt('z', '10.0.0.5')).toBe(false);
    await metadata.close();
  });
});

/** Two servers on one database; each has its own connection, as separate processes would. */
async function twoServers(connect: () => Promise<SqlDriver>) {
  const apps: FastifyInstance[] = [];
  const metadatas: SqlMetadata[] = [];
  for (let i = 0; i < 2; i++) {
    const metadata = await SqlMetadata.open(await connect());
    metadatas.push(metadata);
    apps.push(
      await buildApp({
        metadata,
        storage: new DirStorage(join(dir, `storage-${i}`)),
        insight: agentInsight,
        scan: sanitizerScan,
      }),
    );
  }
  return {
    apps,
    metadata: metadatas[0] as SqlMetadata,
    async close() {
      for (const app of apps) await app.close();
      for (const m of metadatas) await m.close();
    },
  };
}

/** A form sign-in; the CSRF value before a session is the pre-session cookie itself (double submit). */
function signIn(app: FastifyInstance, name: string, password: string) {
  const pre = 'p'.repeat(43);
  return app.inject({
    method: 'POST',
    url: '/signin',
    headers: { cookie: `vml_presession=${pre}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ name, password, csrf: pre }).toString(),
  });
}

const databases: [string, () => () => Promise<SqlDriver>][] = [
  ['SQLite file', () => () => SqliteDriver.open(join(dir, 'shared.db'))],
  [
    'PostgreSQL',
    () => {
      const url = postgres.createDatabase();
      return async () => PostgresDriver.open(await url, { password: postgres.password });
    },
  ],
];

describe.each(databases)('the brake across two servers on one %s', (_name, makeConnect) => {
  it('counts failures on either server against one limit per name', async () => {
    const servers = await twoServers(makeConnect());
    try {
      await addUser(servers.metadata, 'alice', { password: 'right password' });
      const [a, b] = servers.apps as [FastifyInstance, FastifyInstance];
      // 8 wrong guesses at once, 4 on each server: the database lets exactly 5 be tried.
      const guesses = await Promise.all([
        ...[1, 2, 3, 4].map((i) => signIn(a, 'alice', `guess ${i}`)),
        ...[5, 6, 7, 8].map((i) => signIn(b, 'alice', `guess ${i}`)),
      ]);
      const statuses = guesses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      // Neither server alone tried 5, yet both now refuse even the right password.
      expect((await signIn(a, 'alice', 'right password')).statusCode).toBe(429);
      expect((await signIn(b, 'alice', 'right password')).statusCode).toBe(429);
      expect((await signIn(b, 'bob', 'whatever')).statusCode).toBe(401);
    } finally {
      await servers.close();
    }
  }, 30_000);
});
