/**
 * The SQL driver for one SQLite file (node:sqlite), the server's embedded default. WAL mode and a 5 s busy
 * timeout let `vml logbook user|token …` change the file while `vml logbook serve` runs.
 */
import type { DatabaseSync } from 'node:sqlite';
import { VmlError } from '../../../core/errors.js';
import { bindable, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './driver.js';

/** SQLite through one synchronous connection; transactions run one at a time. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly location: string;
  readonly #db: DatabaseSync;
  /** Statements on the open transaction's connection; the driver's own methods wait for it to end. */
  readonly #tx: SqlExecutor;
  /**
   * Settles when the transaction begun last has ended. One connection: a statement from outside waits while
   * a transaction is open (checked right before it runs, synchronously) rather than joining it.
   */
  #lastTransaction: Promise<void> = Promise.resolve();
  #inTransaction = false;

  private constructor(db: DatabaseSync, location: string) {
    this.#db = db;
    this.location = location;
    const statement = (sql: string) => this.#db.prepare(sql);
    this.#tx = {
      run: async (sql, params = []) => ({
        changes: Number(statement(sql).run(...bindable(params)).changes),
      }),
      all: async (sql, params = []) => statement(sql).all(...bindable(params)) as SqlRow[],
      get: async (sql, params = []) => statement(sql).get(...bindable(params)) as SqlRow | undefined,
    };
  }

  /** Opens (or creates) the database file at `path`; `:memory:` for tests. */
  static async open(path: string): Promise<SqliteDriver> {
    // Imported here, not at the top: loading node:sqlite prints an experimental warning, and commands that
    // never touch the database should not print it.
    const { DatabaseSync } = await import('node:sqlite');
    try {
      const db = new DatabaseSync(path);
      db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
      return new SqliteDriver(db, path);
    } catch (error) {
      throw new VmlError('E_IO', `Cannot open the server database "${path}": ${(error as Error).message}`, {
        hint: 'Check that --data names the server data directory and that it is writable',
        cause: error,
      });
    }
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    while (this.#inTransaction) await this.#lastTransaction;
    return this.#tx.run(sql, params);
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    while (this.#inTransaction) await this.#lastTransaction;
    return this.#tx.all(sql, params);
  }

  async get(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow | undefined> {
    while (this.#inTransaction) await this.#lastTransaction;
    return this.#tx.get(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const previous = this.#lastTransaction;
    let ended = () => {};
    this.#lastTransaction = new Promise<void>((resolve) => {
      ended = resolve;
    });
    await previous;
    try {
      // IMMEDIATE takes the write lock now (waiting up to the busy timeout for other processes), so a
      // transaction that reads first and writes later cannot fail half-way on a lock another process holds.
      this.#db.exec('BEGIN IMMEDIATE');
      this.#inTransaction = true;
      try {
        const result = await work(this.#tx);
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.#inTransaction = false;
      ended();
    }
  }

  async close(): Promise<void> {
    await this.#lastTransaction;
    if (this.#db.isOpen) this.#db.close();
  }
}
