/**
 * The metadata contract (metadata-suite.ts) on SQLite (a temp file) and on a real PostgreSQL started for
 * this file (test/helpers/postgres.ts, about 1 s), each case on a new empty database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { PostgresDriver } from '../../logbook/server/sql/postgres.js';
import { SqliteDriver } from '../../logbook/server/sql/sqlite.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { describeMetadataContract } from './metadata-suite.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

describeMetadataContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vml-metadata-'));
  return {
    connect: () => SqliteDriver.open(join(dir, 'vml.db')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeMetadataContract('PostgreSQL', async () => {
  const url = await postgres.createDatabase();
  return {
    connect: () => PostgresDriver.open(url, { password: postgres.password }),
    cleanup: async () => {},
  };
});
