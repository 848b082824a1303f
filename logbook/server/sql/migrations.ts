/**
 * The server's database schema, as a list of migrations applied in order and recorded by name in the table
 * `schema_migrations`, so a server (or an administration command) opening an older database brings it up to
 * date, once, on SQLite and PostgreSQL alike.
 *
 * To add a table or a column: append a migration at the END of MIGRATIONS with a new name; never edit or
 * reorder one that has shipped (databases out there have applied it). Write portable SQL (driver.ts): TEXT,
 * INTEGER, BIGINT, booleans as INTEGER 0/1, ISO-8601 times as TEXT, and `{AUTO_ID}` for an auto-incremented
 * integer key. Then add the queries to metadata-sql.ts and their cases to test/contract/metadata-suite.ts,
 * which runs them on both databases.
 */
import type { Dialect, SqlDriver } from './driver.js';

export interface Migration {
  /** Unique and never changed: recorded in `schema_migrations` once applied. */
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    // IF NOT EXISTS: a vml.db made before migrations existed already has these very tables.
    name: 'users-tokens-audit',
    statements: [
      `CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY,
        admin INTEGER NOT NULL,
        password_hash TEXT,
        created TEXT NOT NULL
      )`,
      // "user" is quoted: a reserved word in PostgreSQL.
      `CREATE TABLE IF NOT EXISTS tokens (
        id TEXT PRIMARY KEY,
        "user" TEXT NOT NULL REFERENCES users(name),
        label TEXT NOT NULL,
        entries TEXT NOT NULL,
        access TEXT NOT NULL CHECK (access IN ('read', 'append', 'full')),
        hash TEXT NOT NULL,
        created TEXT NOT NULL,
        revoked TEXT
      )`,
      `CREATE TABLE IF NOT EXISTS audit (
        seq {AUTO_ID},
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        token TEXT
      )`,
    ],
  },
  {
    // The versions copied into the public namespace: who published which, and when (public/publish.ts).
    name: 'published-versions',
    statements: [
      `CREATE TABLE IF NOT EXISTS published (
        id TEXT PRIMARY KEY,
        entry TEXT NOT NULL,
        seq INTEGER NOT NULL,
        publisher TEXT NOT NULL,
        time TEXT NOT NULL
      )`,
    ],
  },
  {
    // Bytes a user's namespace may store; NULL for no limit (quota.ts).
    name: 'user-quota',
    statements: ['ALTER TABLE users ADD COLUMN quota BIGINT'],
  },
  {
    // The web interface: sessions (only the hash of the cookie's id), gc/check runs and their log lines.
    name: 'web-sessions-jobs',
    statements: [
      `CREATE TABLE sessions (
        hash TEXT PRIMARY KEY,
        "user" TEXT NOT NULL REFERENCES users(name),
        created TEXT NOT NULL,
        expires TEXT NOT NULL
      )`,
      `CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        owner TEXT NOT NULL,
        started_by TEXT NOT NULL,
        started TEXT NOT NULL,
        ended TEXT,
        result TEXT NOT NULL,
        summary TEXT
      )`,
      `CREATE TABLE job_log (
        seq {AUTO_ID},
        job TEXT NOT NULL REFERENCES jobs(id),
        time TEXT NOT NULL,
        line TEXT NOT NULL
      )`,
    ],
  },
  {
    // OIDC sign-in: which identity (issuer + sub) is which user. The two keys make the database, not the
    // server, decide a race between two first sign-ins (several servers may share it).
    name: 'oidc-identities',
    statements: [
      `CREATE TABLE oidc_identities (
        issuer TEXT NOT NULL,
        sub TEXT NOT NULL,
        "user" TEXT NOT NULL REFERENCES users(name),
        created TEXT NOT NULL,
        PRIMARY KEY (issuer, sub),
        UNIQUE (issuer, "user")
      )`,
    ],
  },
  {
    // Which server instance runs a gc/check job and when it last said so: a run whose server died shows as
    // `lost` once its heartbeat is old (jobs.ts). NULL in runs recorded before this migration.
    name: 'job-heartbeat',
    statements: ['ALTER TABLE jobs ADD COLUMN server TEXT', 'ALTER TABLE jobs ADD COLUMN heartbeat TEXT'],
  },
  {
    // Failed password sign-ins per key ("name:alice", "addr:10.0.0.1") within a window, shared by every
    // server on the database so a load balancer does not multiply the guesses (web/sign-in-limit.ts).
    name: 'sign-in-failures',
    statements: [
      `CREATE TABLE sign_in_failures (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        since TEXT NOT NULL
      )`,
    ],
  },
];

/** What `{AUTO_ID}` stands for in each dialect. */
const AUTO_ID: Record<Dialect, string> = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGSERIAL PRIMARY KEY',
};

/** Any 64-bit number, the same for every VML server: the PostgreSQL advisory lock held while migrating. */
const MIGRATION_LOCK = 0x766d6c_6d6967; // "vml" "mig"

/**
 * Applies the migrations `driver`'s database lacks, in one transaction. Several servers starting at once
 * against one PostgreSQL database take turns (an advisory lock); SQLite's write lock does the same there.
 */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  return driver.transaction(async (tx) => {
    if (driver.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    await tx.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)',
    );
    const done = new Set((await tx.all('SELECT name FROM schema_migrations')).map((row) => String(row.name)));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      for (const statement of migration.statements) {
        await tx.run(statement.replaceAll('{AUTO_ID}', AUTO_ID[driver.dialect]));
      }
      await tx.run('INSERT INTO schema_migrations (name, applied) VALUES (?, ?)', [
        migration.name,
        new Date().toISOString(),
      ]);
      applied.push(migration.name);
    }
    return applied;
  });
}
