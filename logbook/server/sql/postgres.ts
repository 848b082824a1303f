/**
 * The SQL driver for PostgreSQL (`pg` Pool): one database shared by several `vml logbook serve` processes
 * and the administration commands. The password comes from the caller (a file) or PGPASSWORD, never from
 * the URL, so `location` can be printed as it is.
 */
import type { Pool, PoolClient, QueryResult } from 'pg';
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
    const driver = new PostgresDriver(pool, url);
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end();
      throw error;
    }
    return driver;
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return runOn(this.#pool, sql, params);
  }

  all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return allOn(this.#pool, sql, params);
  }

  async get(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow | undefined> {
    return (await allOn(this.#pool, sql, params))[0];
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
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
