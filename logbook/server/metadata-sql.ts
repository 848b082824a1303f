/**
 * The Metadata store, written once over the SQL driver (sql/driver.ts): the same queries run on SQLite (the
 * embedded default) and PostgreSQL (several servers sharing one database). Nothing is cached here: every
 * call asks the database, so changes made by another process count at once.
 *
 * New tables: a migration in sql/migrations.ts, the methods here (and in the Metadata interface), and their
 * cases in test/contract/metadata-suite.ts.
 */
import { VmlError } from '../../core/errors.js';
import type { Access } from './api-types.js';
import type { JobKind, JobLogLine, JobRecord, JobResult } from './jobs.js';
import type { AuditRecord, Metadata, OidcLink, PublishedRecord, TokenRecord, User } from './metadata.js';
import { isUniqueViolation, type SqlDriver, type SqlRow } from './sql/driver.js';
import { migrate } from './sql/migrations.js';
import type { SessionRecord } from './web/sessions.js';

/** Metadata in any SQL database the drivers speak. */
export class SqlMetadata implements Metadata {
  /** The database, for messages ("/srv/vml/vml.db", "postgres://vml@db:5432/vml"). */
  readonly location: string;
  readonly #sql: SqlDriver;

  private constructor(sql: SqlDriver) {
    this.#sql = sql;
    this.location = sql.location;
  }

  /** Brings the database's schema up to date and serves Metadata from it; closing it closes `sql`. */
  static async open(sql: SqlDriver): Promise<SqlMetadata> {
    await migrate(sql);
    return new SqlMetadata(sql);
  }

  async addUser(user: Omit<User, 'created'>): Promise<User> {
    const created = new Date().toISOString();
    try {
      await this.#sql.run('INSERT INTO users (name, admin, password_hash, created) VALUES (?, ?, ?, ?)', [
        user.name,
        user.admin,
        user.passwordHash ?? null,
        created,
      ]);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new VmlError('E_USAGE', `Cannot add user "${user.name}": the user exists`, {
        hint: 'Choose another name, or list users with "vml logbook user list"',
      });
    }
    return { ...user, created };
  }

  async findUser(name: string): Promise<User | undefined> {
    const row = await this.#sql.get('SELECT * FROM users WHERE name = ?', [name]);
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    return (await this.#sql.all('SELECT * FROM users ORDER BY name')).map(toUser);
  }

  async setAdmin(name: string, admin: boolean): Promise<boolean> {
    const { changes } = await this.#sql.run('UPDATE users SET admin = ? WHERE name = ?', [admin, name]);
    return changes > 0;
  }

  async setQuota(name: string, bytes: number | null): Promise<boolean> {
    const { changes } = await this.#sql.run('UPDATE users SET quota = ? WHERE name = ?', [bytes, name]);
    return changes > 0;
  }

  async addToken(token: Omit<TokenRecord, 'created'>): Promise<TokenRecord> {
    const created = new Date().toISOString();
    await this.#sql.run(
      'INSERT INTO tokens (id, "user", label, entries, access, hash, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [token.id, token.user, token.label, token.scope.entries, token.scope.access, token.hash, created],
    );
    return { ...token, created };
  }

  async findToken(id: string): Promise<TokenRecord | undefined> {
    const row = await this.#sql.get('SELECT * FROM tokens WHERE id = ?', [id]);
    return row && toToken(row);
  }

  async listTokens(user?: string): Promise<TokenRecord[]> {
    const rows =
      user === undefined
        ? await this.#sql.all('SELECT * FROM tokens ORDER BY created, id')
        : await this.#sql.all('SELECT * FROM tokens WHERE "user" = ? ORDER BY created, id', [user]);
    return rows.map(toToken);
  }

  async revokeToken(id: string): Promise<boolean> {
    const { changes } = await this.#sql.run(
      'UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL',
      [new Date().toISOString(), id],
    );
    return changes > 0;
  }

  async audit(record: Omit<AuditRecord, 'time'>): Promise<void> {
    await this.#sql.run('INSERT INTO audit (time, actor, action, target, token) VALUES (?, ?, ?, ?, ?)', [
      new Date().toISOString(),
      record.actor,
      record.action,
      record.target,
      record.token ?? null,
    ]);
  }

  async listAudit(): Promise<AuditRecord[]> {
    return (await this.#sql.all('SELECT * FROM audit ORDER BY seq')).map((row) => ({
      time: String(row.time),
      actor: String(row.actor),
      action: String(row.action) as AuditRecord['action'],
      target: String(row.target),
      ...(row.token === null ? {} : { token: String(row.token) }),
    }));
  }

  async addPublished(record: Omit<PublishedRecord, 'time'>): Promise<PublishedRecord> {
    const time = new Date().toISOString();
    await this.#sql.run(
      `INSERT INTO published (id, entry, seq, publisher, time) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET publisher = excluded.publisher, time = excluded.time`,
      [record.id, record.entry, record.seq, record.publisher, time],
    );
    return { ...record, time };
  }

  async removePublished(id: string): Promise<boolean> {
    return (await this.#sql.run('DELETE FROM published WHERE id = ?', [id])).changes > 0;
  }

  async listPublished(): Promise<PublishedRecord[]> {
    return (await this.#sql.all('SELECT * FROM published ORDER BY entry, seq, id')).map((row) => ({
      id: String(row.id),
      entry: String(row.entry),
      seq: Number(row.seq),
      publisher: String(row.publisher),
      time: String(row.time),
    }));
  }

  async addSession(session: SessionRecord): Promise<void> {
    await this.#sql.run('INSERT INTO sessions (hash, "user", created, expires) VALUES (?, ?, ?, ?)', [
      session.hash,
      session.user,
      session.created,
      session.expires,
    ]);
  }

  async findSession(hash: string): Promise<SessionRecord | undefined> {
    const row = await this.#sql.get('SELECT * FROM sessions WHERE hash = ?', [hash]);
    return (
      row && {
        hash: String(row.hash),
        user: String(row.user),
        created: String(row.created),
        expires: String(row.expires),
      }
    );
  }

  async deleteSession(hash: string): Promise<void> {
    await this.#sql.run('DELETE FROM sessions WHERE hash = ?', [hash]);
  }

  async deleteExpiredSessions(now: string): Promise<void> {
    await this.#sql.run('DELETE FROM sessions WHERE expires <= ?', [now]);
  }

  async addJob(job: JobRecord): Promise<void> {
    await this.#sql.run(
      'INSERT INTO jobs (id, kind, owner, started_by, started, ended, result, summary, server, heartbeat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        job.id,
        job.kind,
        job.owner,
        job.startedBy,
        job.started,
        job.ended ?? null,
        job.result,
        job.summary ?? null,
        job.server ?? null,
        job.heartbeat ?? null,
      ],
    );
  }

  async beatJobs(server: string, time: string): Promise<void> {
    await this.#sql.run("UPDATE jobs SET heartbeat = ? WHERE server = ? AND result = 'running'", [
      time,
      server,
    ]);
  }

  async appendJobLog(id: string, line: JobLogLine): Promise<void> {
    await this.#sql.run('INSERT INTO job_log (job, time, line) VALUES (?, ?, ?)', [id, line.time, line.line]);
  }

  async finishJob(id: string, end: { ended: string; result: JobResult; summary: string }): Promise<void> {
    await this.#sql.run('UPDATE jobs SET ended = ?, result = ?, summary = ? WHERE id = ?', [
      end.ended,
      end.result,
      end.summary,
      id,
    ]);
  }

  async findJob(id: string): Promise<JobRecord | undefined> {
    const row = await this.#sql.get('SELECT * FROM jobs WHERE id = ?', [id]);
    return row && toJob(row);
  }

  async listJobs(limit: number): Promise<JobRecord[]> {
    // started ties (same millisecond) are broken by id only to keep the order stable.
    return (await this.#sql.all('SELECT * FROM jobs ORDER BY started DESC, id LIMIT ?', [limit])).map(toJob);
  }

  async jobLog(id: string): Promise<JobLogLine[]> {
    const rows = await this.#sql.all('SELECT time, line FROM job_log WHERE job = ? ORDER BY seq', [id]);
    return rows.map((row) => ({ time: String(row.time), line: String(row.line) }));
  }

  async countSignInFailure(key: string, now: string, after: string): Promise<number> {
    // One statement, so two servers counting the same key at once both count (no read-then-write race).
    const row = await this.#sql.get(
      `INSERT INTO sign_in_failures (key, failures, since) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN sign_in_failures.since <= ? THEN 1 ELSE sign_in_failures.failures + 1 END,
         since = CASE WHEN sign_in_failures.since <= ? THEN excluded.since ELSE sign_in_failures.since END
       RETURNING failures`,
      [key, now, after, after],
    );
    // Counts that are over are only clutter: a sign-in is rare enough to sweep them here.
    await this.#sql.run('DELETE FROM sign_in_failures WHERE since <= ?', [after]);
    return Number(row?.failures);
  }

  async forgiveSignInFailure(key: string): Promise<void> {
    await this.#sql.run(
      'UPDATE sign_in_failures SET failures = failures - 1 WHERE key = ? AND failures > 0',
      [key],
    );
  }

  async clearSignInFailures(key: string): Promise<void> {
    await this.#sql.run('DELETE FROM sign_in_failures WHERE key = ?', [key]);
  }

  async addOidcLink(link: Omit<OidcLink, 'created'>): Promise<OidcLink> {
    const created = new Date().toISOString();
    try {
      await this.#sql.run('INSERT INTO oidc_identities (issuer, sub, "user", created) VALUES (?, ?, ?, ?)', [
        link.issuer,
        link.sub,
        link.user,
        created,
      ]);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new VmlError('E_USAGE', `Cannot link user "${link.user}": it or this identity is linked already`);
    }
    return { ...link, created };
  }

  async findOidcLink(issuer: string, sub: string): Promise<OidcLink | undefined> {
    const row = await this.#sql.get('SELECT * FROM oidc_identities WHERE issuer = ? AND sub = ?', [
      issuer,
      sub,
    ]);
    return row && toOidcLink(row);
  }

  async findOidcLinkOfUser(issuer: string, user: string): Promise<OidcLink | undefined> {
    const row = await this.#sql.get('SELECT * FROM oidc_identities WHERE issuer = ? AND "user" = ?', [
      issuer,
      user,
    ]);
    return row && toOidcLink(row);
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }
}

function toOidcLink(row: SqlRow): OidcLink {
  return {
    issuer: String(row.issuer),
    sub: String(row.sub),
    user: String(row.user),
    created: String(row.created),
  };
}

function toJob(row: SqlRow): JobRecord {
  return {
    id: String(row.id),
    kind: String(row.kind) as JobKind,
    owner: String(row.owner),
    startedBy: String(row.started_by),
    started: String(row.started),
    ...(row.ended === null ? {} : { ended: String(row.ended) }),
    result: String(row.result) as JobResult,
    ...(row.summary === null ? {} : { summary: String(row.summary) }),
    ...(row.server === null || row.server === undefined ? {} : { server: String(row.server) }),
    ...(row.heartbeat === null || row.heartbeat === undefined ? {} : { heartbeat: String(row.heartbeat) }),
  };
}

function toUser(row: SqlRow): User {
  return {
    name: String(row.name),
    admin: row.admin === 1,
    ...(row.password_hash === null ? {} : { passwordHash: String(row.password_hash) }),
    created: String(row.created),
    ...(row.quota === null || row.quota === undefined ? {} : { quota: Number(row.quota) }),
  };
}

function toToken(row: SqlRow): TokenRecord {
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
