/**
 * The one small SQL interface the server's metadata is written against, so every query exists once and runs
 * on SQLite (sqlite.ts, the embedded default) and PostgreSQL (postgres.ts, for several servers sharing one
 * database). Queries use `?` placeholders; the PostgreSQL driver numbers them (`$1`, `$2`, …).
 *
 * Portable SQL only: TEXT, INTEGER, BIGINT (returned as numbers by both drivers), booleans as INTEGER 0/1,
 * times as ISO-8601 TEXT. Where the dialects differ (an auto-incremented key), migrations.ts says how.
 */

/** What a placeholder may be bound to; booleans are stored as 1/0. */
export type SqlValue = string | number | boolean | null;

/** One result row: column name → value (TEXT as string, INTEGER/BIGINT as number, NULL as null). */
export type SqlRow = Record<string, string | number | null>;

export type Dialect = 'sqlite' | 'postgres';

/** Running statements: the driver itself, or one transaction's connection. */
export interface SqlExecutor {
  /** Runs a statement; `changes` is the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Every row of a query, in the order the query asks for. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** The first row of a query, or undefined. */
  get(sql: string, params?: readonly SqlValue[]): Promise<SqlRow | undefined>;
}

/** A connection (SQLite) or a pool of them (PostgreSQL). Other processes may change the database at any time. */
export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** Where the database is, for messages: a path or a URL without its password. */
  readonly location: string;
  /**
   * Runs `work` in one transaction on one connection, committed if it resolves and rolled back if it throws.
   * Statements must go through `tx`, not the driver: on SQLite other statements wait until it ends, so using
   * the driver inside `work` would wait forever.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** True when a statement failed because a UNIQUE or PRIMARY KEY value exists already (on either database). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown } | undefined;
  // PostgreSQL's SQLSTATE unique_violation; SQLite's extended codes SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY.
  return e?.code === '23505' || e?.errcode === 2067 || e?.errcode === 1555;
}

/** Booleans as 1/0: neither database's INTEGER column takes a JavaScript boolean as such. */
export function bindable(params: readonly SqlValue[]): (string | number | null)[] {
  return params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
}
