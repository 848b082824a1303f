/**
 * The embedded metadata store: one SQLite file under the server's data directory (node:sqlite). WAL mode
 * and a busy timeout let `vml logbook user|token …` change it while `vml logbook serve` runs.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { VmlError } from '../../core/errors.js';
import type { Access } from './api-types.js';
import type { AuditRecord, Metadata, TokenRecord, User } from './metadata.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  admin INTEGER NOT NULL,
  password_hash TEXT,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  user TEXT NOT NULL REFERENCES users(name),
  label TEXT NOT NULL,
  entries TEXT NOT NULL,
  access TEXT NOT NULL CHECK (access IN ('read', 'append', 'full')),
  hash TEXT NOT NULL,
  created TEXT NOT NULL,
  revoked TEXT
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  token TEXT
);
`;

type Row = Record<string, SQLInputValue>;

/** Metadata in a SQLite file; `open` creates the file and its tables when missing. */
export class SqliteMetadata implements Metadata {
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Opens (or creates) the database at `path`; `:memory:` for tests. */
  static async open(path: string): Promise<SqliteMetadata> {
    // Imported here, not at the top: loading node:sqlite prints an experimental warning, and commands that
    // never touch the database should not print it.
    const { DatabaseSync } = await import('node:sqlite');
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
      db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
      db.exec(SCHEMA);
    } catch (error) {
      throw new VmlError('E_IO', `Cannot open the server database "${path}": ${(error as Error).message}`, {
        hint: 'Check that --data names the server data directory and that it is writable',
        cause: error,
      });
    }
    return new SqliteMetadata(db);
  }

  async addUser(user: Omit<User, 'created'>): Promise<User> {
    if (await this.findUser(user.name)) {
      throw new VmlError('E_USAGE', `Cannot add user "${user.name}": the user exists`, {
        hint: 'Choose another name, or list users with "vml logbook user list"',
      });
    }
    const created = new Date().toISOString();
    this.#db
      .prepare('INSERT INTO users (name, admin, password_hash, created) VALUES (?, ?, ?, ?)')
      .run(user.name, user.admin ? 1 : 0, user.passwordHash ?? null, created);
    return { ...user, created };
  }

  async findUser(name: string): Promise<User | undefined> {
    const row = this.#db.prepare('SELECT * FROM users WHERE name = ?').get(name) as Row | undefined;
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    return (this.#db.prepare('SELECT * FROM users ORDER BY name').all() as Row[]).map(toUser);
  }

  async addToken(token: Omit<TokenRecord, 'created'>): Promise<TokenRecord> {
    const created = new Date().toISOString();
    this.#db
      .prepare(
        'INSERT INTO tokens (id, user, label, entries, access, hash, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(token.id, token.user, token.label, token.scope.entries, token.scope.access, token.hash, created);
    return { ...token, created };
  }

  async findToken(id: string): Promise<TokenRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as Row | undefined;
    return row && toToken(row);
  }

  async listTokens(user?: string): Promise<TokenRecord[]> {
    const rows =
      user === undefined
        ? this.#db.prepare('SELECT * FROM tokens ORDER BY created, id').all()
        : this.#db.prepare('SELECT * FROM tokens WHERE user = ? ORDER BY created, id').all(user);
    return (rows as Row[]).map(toToken);
  }

  async revokeToken(id: string): Promise<boolean> {
    const result = this.#db
      .prepare('UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL')
      .run(new Date().toISOString(), id);
    return Number(result.changes) > 0;
  }

  async audit(record: Omit<AuditRecord, 'time'>): Promise<void> {
    this.#db
      .prepare('INSERT INTO audit (time, actor, action, target, token) VALUES (?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), record.actor, record.action, record.target, record.token ?? null);
  }

  async listAudit(): Promise<AuditRecord[]> {
    return (this.#db.prepare('SELECT * FROM audit ORDER BY seq').all() as Row[]).map((row) => ({
      time: String(row.time),
      actor: String(row.actor),
      action: String(row.action) as AuditRecord['action'],
      target: String(row.target),
      ...(row.token === null ? {} : { token: String(row.token) }),
    }));
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

function toUser(row: Row): User {
  return {
    name: String(row.name),
    admin: row.admin === 1,
    ...(row.password_hash === null ? {} : { passwordHash: String(row.password_hash) }),
    created: String(row.created),
  };
}

function toToken(row: Row): TokenRecord {
  return {
    id: String(row.id),
    user: String(row.user),
    label: String(row.label),
    scope: { entries: String(row.entries), access: String(row.access) as Access },
    hash: String(row.hash),
    created: String(row.created),
    ...(row.revoked === null ? {} : { revoked: String(row.revoked) }),
  };
}
