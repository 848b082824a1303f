/**
 * The SQL driver for PostgreSQL (`pg` Pool): one database shared by several `vml logbook serve` processes
 * and the administration commands. The password comes from the caller (a file) or PGPASSWORD, never from
 * the URL, so `location` can be printed as it is.
 */
import type { Pool, PoolClient, QueryResult } from 'pg';
import { VmlError } from '../../../core/errors.js';
import { bindable, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './driver.js';

export interface PostgresOptions {
  /** The password; when absent, `pg` uses PGPASSWORD (or none). */
  readonly password?: string | undefined;
  /** Connections kept open at most (default 10). */
  readonly connections?: number;
}

/** PostgreSQL through a pool of connections; each transaction holds one of them. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly location: string;
  readonly #pool: Pool;

  private constructor(pool: Pool, location: string) {
    this.#pool = pool;
    this.location = location;
  }

  /** Makes the pool and checks that the database answers; throws what `pg` throws when it does not. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresDriver> {
    // Imported here: only servers configured for PostgreSQL load `pg`.
    const { default: pg } = await import('pg');
    const int8 = pg.types.builtins.INT8;
    const pool = new pg.Pool({
      connectionString: withPassword(url, options.password),
      max: options.connections ?? 10,
      // An unreachable host fails in 10 s instead of hanging a request or an administration command.
      connectionTimeoutMillis: 10_000,
      // BIGINT (sizes, counts) as numbers, as SQLite returns them; values here stay far below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === int8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection that breaks (the database restarted) must not crash the server: the pool drops it
    // and the next query opens a new one.
    pool.on('error', () => {});
    const driver = new PostgresDriver(pool, shownUrl(url));
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end();
      throw error;
    }
    return driver;
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.#explained(runOn(this.#pool, sql, params));
  }

  all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.#explained(allOn(this.#pool, sql, params));
  }

  async get(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow | undefined> {
    return (await this.all(sql, params))[0];
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#explained(this.#pool.connect());
    const tx: SqlExecutor = {
      run: (sql, params = []) => runOn(client, sql, params),
      all: (sql, params = []) => allOn(client, sql, params),
      get: async (sql, params = []) => (await allOn(client, sql, params))[0],
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: release it as broken so the pool does not hand it out again.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /**
   * A database that went away while the server runs is named in the error (the server's warning says which
   * and what to check); errors of the statement itself (a unique violation, …) pass through unchanged.
   */
  async #explained<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      throw isConnectionError(error) ? explainPostgresError(error, this.location, 'use') : error;
    }
  }
}

/** `postgres://USER@HOST:PORT/DB`: a URL for messages, without password or query. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  const user = parsed.username === '' ? '' : `${parsed.username}@`;
  return `postgres://${user}${parsed.host}${parsed.pathname}`;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** Failures to reach or stay connected to the database: SQLSTATE class 08, shutdowns (57P), network codes. */
function isConnectionError(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code ?? '');
  return (
    CONNECTION_CODES.has(code) ||
    code.startsWith('08') ||
    code.startsWith('57P') ||
    /timeout|Connection terminated/i.test((error as Error).message)
  );
}

/** A VmlError naming the database (never its password) and what to check, for a failure to open or use it. */
export function explainPostgresError(
  error: unknown,
  shown: string,
  doing: 'open' | 'use' = 'open',
): VmlError {
  const code = String((error as { code?: unknown }).code ?? '');
  const detail = (error as Error).message;
  const fail = (message: string, hint: string, errorCode: 'E_IO' | 'E_AUTH' = 'E_IO') =>
    new VmlError(errorCode, `Cannot ${doing} the database "${shown}": ${message}`, { hint, cause: error });
  switch (code) {
    case 'ECONNREFUSED':
      return fail('nothing listens there', 'Check that PostgreSQL runs and that the host and port are right');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('the host name does not resolve', 'Check the host name in --database');
    case '28P01':
    case '28000':
      return fail(
        detail,
        'Check the user and the password (--database-password-file or PGPASSWORD) and pg_hba.conf',
        'E_AUTH',
      );
    case '3D000':
      return fail(detail, 'Create it first (createdb -O USER NAME), or fix the database name in --database');
    case '42501':
      return fail(detail, 'The user needs the right to create tables in that database (it owns the schema)');
    default:
      return fail(
        detail,
        /timeout/i.test(detail)
          ? 'Check that the host is reachable (firewall, port) and that PostgreSQL runs'
          : 'Check --database and that PostgreSQL runs',
      );
  }
}

/**
 * The URL `pg` connects with. A separate `password` option would lose to the URL's (empty) one, so it goes
 * into this copy, which stays in memory; without one, `pg` falls back to PGPASSWORD.
 */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const copy = new URL(url);
  copy.password = encodeURIComponent(password);
  return copy.href;
}

type Queryable = Pick<PoolClient, 'query'>;

async function runOn(on: Queryable, sql: string, params: readonly SqlValue[]): Promise<{ changes: number }> {
  const result: QueryResult = await on.query(numberPlaceholders(sql), bindable(params));
  return { changes: result.rowCount ?? 0 };
}

async function allOn(on: Queryable, sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
  return (await on.query(numberPlaceholders(sql), bindable(params))).rows as SqlRow[];
}

/** `?` → `$1`, `$2`, …, except inside '…' literals and "…" identifiers. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (match) => (match === '?' ? `$${++n}` : match));
}
