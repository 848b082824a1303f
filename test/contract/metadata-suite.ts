/**
 * The one contract the server's metadata store passes on every database it runs on (metadata.test.ts runs
 * it against SQLite and a real PostgreSQL). New tables and methods add their cases here, so both databases
 * are held to them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isVmlError } from '../../core/errors.js';
import { SqlMetadata } from '../../logbook/server/metadata-sql.js';
import type { SqlDriver } from '../../logbook/server/sql/driver.js';
import { MIGRATIONS, migrate } from '../../logbook/server/sql/migrations.js';

/** One empty database; `connect()` opens a new connection to it, as another server process would. */
export interface DatabaseFixture {
  connect(): Promise<SqlDriver>;
  cleanup(): Promise<void>;
}

const TOKEN = {
  label: 'vm3',
  scope: { entries: 'alice/*', access: 'append' },
  hash: 'a'.repeat(64),
} as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isVmlError(error) ? error.code : `not a VmlError: ${String(error)}`;
  }
  return 'resolved';
}

/** Registers the metadata contract tests for one database. */
export function describeMetadataContract(name: string, makeDatabase: () => Promise<DatabaseFixture>): void {
  describe(`${name} metadata contract`, () => {
    let db: DatabaseFixture;
    let metadata: SqlMetadata;
    const opened: { close(): Promise<void> }[] = [];
    /** Another process's view of the same database. */
    const another = async () => {
      const other = await SqlMetadata.open(await db.connect());
      opened.push(other);
      return other;
    };
    beforeEach(async () => {
      db = await makeDatabase();
      metadata = await SqlMetadata.open(await db.connect());
      opened.push(metadata);
    });
    afterEach(async () => {
      for (const m of opened.splice(0)) await m.close();
      await db.cleanup();
    });

    it('links an OIDC identity to one user: neither the identity nor the user (per issuer) twice', async () => {
      const issuer = 'https://auth.example.org/realms/cern';
      await metadata.addUser({ name: 'alice', admin: false });
      await metadata.addUser({ name: 'bob', admin: false });
      const link = await metadata.addOidcLink({ issuer, sub: 'a-1', user: 'alice' });
      expect(link.created).toMatch(/^\d{4}-\d\d-\d\dT/);
      const other = await another();
      expect(await other.findOidcLink(issuer, 'a-1')).toEqual(link);
      expect(await other.findOidcLinkOfUser(issuer, 'alice')).toEqual(link);
      expect(await other.findOidcLink(issuer, 'b-2')).toBeUndefined();
      expect(await other.findOidcLink('https://elsewhere.example.org', 'a-1')).toBeUndefined();
      // The same identity for bob, or another identity of this issuer for alice: refused by the database.
      expect(await codeOf(other.addOidcLink({ issuer, sub: 'a-1', user: 'bob' }))).toBe('E_USAGE');
      expect(await codeOf(other.addOidcLink({ issuer, sub: 'x-9', user: 'alice' }))).toBe('E_USAGE');
      // Another issuer is another identity space.
      await other.addOidcLink({ issuer: 'https://elsewhere.example.org', sub: 'a-1', user: 'bob' });
      expect((await metadata.findOidcLink('https://elsewhere.example.org', 'a-1'))?.user).toBe('bob');
      expect((await metadata.findOidcLink(issuer, 'a-1'))?.user).toBe('alice');
    });

    it('adds, finds and lists users, sorted by name, with or without a password hash', async () => {
      const bob = await metadata.addUser({ name: 'bob', admin: true, passwordHash: 'scrypt$x' });
      await metadata.addUser({ name: 'alice', admin: false });
      expect(bob.created).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await metadata.findUser('bob')).toEqual(bob);
      expect(await metadata.findUser('alice')).toEqual({
        name: 'alice',
        admin: false,
        created: expect.any(String),
      });
      expect(await metadata.findUser('carol')).toBeUndefined();
      expect((await metadata.listUsers()).map((u) => [u.name, u.admin])).toEqual([
        ['alice', false],
        ['bob', true],
      ]);
    });

    it('refuses a user name that is taken, also when two processes add it at once', async () => {
      await metadata.addUser({ name: 'alice', admin: false });
      expect(await codeOf(metadata.addUser({ name: 'alice', admin: true }))).toBe('E_USAGE');
      const other = await another();
      const results = await Promise.allSettled([
        metadata.addUser({ name: 'bob', admin: false }),
        other.addUser({ name: 'bob', admin: false }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await metadata.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob']);
    });

    it("adds, finds and lists tokens, all or one user's, oldest first", async () => {
      await metadata.addUser({ name: 'alice', admin: false });
      await metadata.addUser({ name: 'bob', admin: false });
      const first = await metadata.addToken({ ...TOKEN, id: '000000000001', user: 'alice' });
      await metadata.addToken({ ...TOKEN, id: '000000000002', user: 'bob', label: '' });
      await metadata.addToken({
        ...TOKEN,
        id: '000000000003',
        user: 'alice',
        scope: { entries: 'alice/h-*', access: 'full' },
      });
      expect(await metadata.findToken('000000000001')).toEqual(first);
      expect(first).not.toHaveProperty('revoked');
      expect(await metadata.findToken('ffffffffffff')).toBeUndefined();
      expect((await metadata.listTokens()).map((t) => t.id)).toEqual([
        '000000000001',
        '000000000002',
        '000000000003',
      ]);
      expect(
        (await metadata.listTokens('alice')).map((t) => [t.id, t.scope.entries, t.scope.access]),
      ).toEqual([
        ['000000000001', 'alice/*', 'append'],
        ['000000000003', 'alice/h-*', 'full'],
      ]);
      expect(await metadata.listTokens('carol')).toEqual([]);
    });

    it('refuses a token of an unknown user or with an unknown access', async () => {
      await expect(metadata.addToken({ ...TOKEN, id: '000000000001', user: 'nobody' })).rejects.toThrow();
      await metadata.addUser({ name: 'alice', admin: false });
      const bad = {
        ...TOKEN,
        id: '000000000002',
        user: 'alice',
        scope: { entries: 'alice/*', access: 'root' },
      };
      await expect(metadata.addToken(bad as never)).rejects.toThrow();
      expect(await metadata.listTokens()).toEqual([]);
    });

    it('revokes a token once; another process sees the revocation at its next lookup', async () => {
      await metadata.addUser({ name: 'alice', admin: false });
      await metadata.addToken({ ...TOKEN, id: '000000000001', user: 'alice' });
      const other = await another();
      expect((await other.findToken('000000000001'))?.revoked).toBeUndefined();
      expect(await metadata.revokeToken('000000000001')).toBe(true);
      expect(await metadata.revokeToken('000000000001')).toBe(false);
      expect(await metadata.revokeToken('ffffffffffff')).toBe(false);
      expect((await other.findToken('000000000001'))?.revoked).toMatch(/^\d{4}-/);
    });

    it('keeps the audit log in order, with and without a token', async () => {
      await metadata.audit({ actor: 'admin', action: 'user-add', target: 'alice' });
      await metadata.audit({
        actor: 'alice',
        action: 'delete-version',
        target: 'alice/x@v1',
        token: '000000000001',
      });
      await (await another()).audit({ actor: 'admin', action: 'token-revoke', target: 'alice 000000000001' });
      const log = await metadata.listAudit();
      expect(log.map((r) => [r.actor, r.action, r.target, r.token])).toEqual([
        ['admin', 'user-add', 'alice', undefined],
        ['alice', 'delete-version', 'alice/x@v1', '000000000001'],
        ['admin', 'token-revoke', 'alice 000000000001', undefined],
      ]);
      expect(log[0]).not.toHaveProperty('token');
    });

    it('records published versions once per id, updates a re-publish, forgets an unpublished one', async () => {
      const a = { id: 'a'.repeat(64), entry: 'alice/higgs', seq: 3, publisher: 'alice' };
      const b = { id: 'b'.repeat(64), entry: 'alice/higgs', seq: 2, publisher: 'alice' };
      await metadata.addPublished(a);
      await (await another()).addPublished(b);
      const again = await metadata.addPublished({ ...a, publisher: 'admin' });
      const list = await metadata.listPublished();
      expect(list.map((p) => [p.entry, p.seq, p.publisher])).toEqual([
        ['alice/higgs', 2, 'alice'],
        ['alice/higgs', 3, 'admin'],
      ]);
      expect(list[1]?.time).toBe(again.time);
      expect(await metadata.removePublished(a.id)).toBe(true);
      expect(await metadata.removePublished(a.id)).toBe(false);
      expect((await metadata.listPublished()).map((p) => p.id)).toEqual([b.id]);
    });

    it('sets and lifts a quota in bytes (beyond 2^32); another process sees it; unknown users are false', async () => {
      await metadata.addUser({ name: 'alice', admin: false });
      expect(await metadata.findUser('alice')).not.toHaveProperty('quota');
      expect(await metadata.setQuota('alice', 20 * 1024 ** 3)).toBe(true);
      expect((await metadata.findUser('alice'))?.quota).toBe(20 * 1024 ** 3);
      const other = await another();
      expect((await other.listUsers()).map((u) => [u.name, u.quota])).toEqual([['alice', 20 * 1024 ** 3]]);
      expect(await other.setQuota('alice', null)).toBe(true);
      expect(await metadata.findUser('alice')).not.toHaveProperty('quota');
      expect(await metadata.setQuota('nobody', 1)).toBe(false);
    });

    it('applies each migration once, also when several processes open a new database at once', async () => {
      const drivers = await Promise.all([db.connect(), db.connect(), db.connect()]);
      // SQLite's driver is synchronous: in ONE process a connection waiting for another's write lock blocks
      // the event loop, so the holder never commits. Its processes are tested apart (integration tests).
      const all = <T>(work: (d: SqlDriver) => Promise<T>): Promise<T[]> =>
        drivers[0]?.dialect === 'sqlite'
          ? drivers.reduce<Promise<T[]>>(
              async (done, d) => [...(await done), await work(d)],
              Promise.resolve([]),
            )
          : Promise.all(drivers.map(work));
      const applied = await all((d) => migrate(d));
      // The first open (beforeEach) applied everything already.
      expect(applied).toEqual([[], [], []]);
      const extra = [
        ...MIGRATIONS,
        { name: 'contract-extra', statements: ['CREATE TABLE extra (n BIGINT)'] },
      ];
      const raced = await all((d) => migrate(d, extra));
      expect(raced.flat()).toEqual(['contract-extra']);
      const names = await drivers[0]?.all('SELECT name FROM schema_migrations ORDER BY name');
      expect(names?.map((r) => r.name)).toEqual([...MIGRATIONS.map((m) => m.name), 'contract-extra'].sort());
      for (const d of drivers) await d.close();
    });

    it('the driver: ? placeholders (not inside quotes), booleans, BIGINT as number, {AUTO_ID} keys', async () => {
      const sql = await db.connect();
      opened.push(sql);
      const extra = [
        ...MIGRATIONS,
        {
          name: 'contract-types',
          statements: ['CREATE TABLE t (id {AUTO_ID}, s TEXT, n BIGINT, b INTEGER)'],
        },
      ];
      await migrate(sql, extra);
      await sql.run("INSERT INTO t (s, n, b) VALUES ('what?', ?, ?)", [2 ** 40, true]);
      await sql.run('INSERT INTO t (s, n, b) VALUES (?, ?, ?)', ['x', 7, false]);
      expect(await sql.all('SELECT id, s, n, b FROM t ORDER BY id')).toEqual([
        { id: 1, s: 'what?', n: 2 ** 40, b: 1 },
        { id: 2, s: 'x', n: 7, b: 0 },
      ]);
      expect(await sql.get('SELECT COUNT(*) AS c FROM t WHERE s = ?', ['x'])).toEqual({ c: 1 });
      expect(await sql.get('SELECT * FROM t WHERE s = ?', ['none'])).toBeUndefined();
      expect(await sql.run('UPDATE t SET b = ? WHERE n > ?', [true, 0])).toEqual({ changes: 2 });
    });

    it('the driver: a transaction commits as a whole or rolls back as a whole', async () => {
      const sql = await db.connect();
      opened.push(sql);
      await migrate(sql, [
        ...MIGRATIONS,
        { name: 'contract-tx', statements: ['CREATE TABLE tx (s TEXT PRIMARY KEY)'] },
      ]);
      await sql.transaction(async (tx) => {
        await tx.run('INSERT INTO tx (s) VALUES (?)', ['a']);
        await tx.run('INSERT INTO tx (s) VALUES (?)', ['b']);
      });
      const failed = sql.transaction(async (tx) => {
        await tx.run('INSERT INTO tx (s) VALUES (?)', ['c']);
        await tx.run('INSERT INTO tx (s) VALUES (?)', ['a']);
      });
      await expect(failed).rejects.toThrow();
      // Statements outside wait for an open transaction instead of joining it.
      const both = await Promise.all([
        sql
          .transaction(async (tx) => {
            await tx.run('INSERT INTO tx (s) VALUES (?)', ['d']);
            await new Promise((resolve) => setTimeout(resolve, 20));
            throw new Error('rolled back');
          })
          .catch((error: Error) => error.message),
        sql.run('INSERT INTO tx (s) VALUES (?)', ['e']),
      ]);
      expect(both[0]).toBe('rolled back');
      expect((await sql.all('SELECT s FROM tx ORDER BY s')).map((r) => r.s)).toEqual(['a', 'b', 'e']);
    });

    it('makes a user an admin and back; false for an unknown user', async () => {
      await metadata.addUser({ name: 'alice', admin: false });
      expect(await metadata.setAdmin('alice', true)).toBe(true);
      expect((await (await another()).findUser('alice'))?.admin).toBe(true);
      expect(await metadata.setAdmin('alice', false)).toBe(true);
      expect((await metadata.findUser('alice'))?.admin).toBe(false);
      expect(await metadata.setAdmin('nobody', true)).toBe(false);
    });

    it('keeps web sessions by hash, shared with another connection, and deletes expired ones', async () => {
      await metadata.addUser({ name: 'alice', admin: false });
      const live = {
        hash: 'a'.repeat(64),
        user: 'alice',
        created: '2026-01-01T00:00:00.000Z',
        expires: '2026-01-02T00:00:00.000Z',
      };
      const old = { ...live, hash: 'b'.repeat(64), expires: '2025-12-31T00:00:00.000Z' };
      await metadata.addSession(live);
      await metadata.addSession(old);
      const other = await another();
      expect(await other.findSession(live.hash)).toEqual(live);
      await other.deleteExpiredSessions('2026-01-01T12:00:00.000Z');
      expect(await metadata.findSession(old.hash)).toBeUndefined();
      expect(await metadata.findSession(live.hash)).toEqual(live);
      await metadata.deleteSession(live.hash);
      await metadata.deleteSession(live.hash); // gone already: no error
      expect(await other.findSession(live.hash)).toBeUndefined();
    });

    it('records job runs with their log lines, lists them newest first, and finishes them', async () => {
      const job = (id: string, started: string) =>
        ({ id, kind: 'gc', owner: 'alice', startedBy: 'root', started, result: 'running' }) as const;
      await metadata.addJob(job('j1', '2026-01-01T00:00:00.000Z'));
      await metadata.addJob(job('j2', '2026-01-01T00:01:00.000Z'));
      await metadata.appendJobLog('j1', { time: '2026-01-01T00:00:01.000Z', line: 'phase mark' });
      await metadata.appendJobLog('j1', { time: '2026-01-01T00:00:01.000Z', line: 'phase plan' });
      const end = { ended: '2026-01-01T00:00:02.000Z', result: 'ok', summary: 'Done' } as const;
      await metadata.finishJob('j1', end);
      const other = await another();
      expect((await other.listJobs(10)).map((j) => j.id)).toEqual(['j2', 'j1']);
      expect(await other.listJobs(1)).toEqual([job('j2', '2026-01-01T00:01:00.000Z')]);
      expect(await other.findJob('j1')).toEqual({ ...job('j1', '2026-01-01T00:00:00.000Z'), ...end });
      expect((await other.jobLog('j1')).map((l) => l.line)).toEqual(['phase mark', 'phase plan']);
      expect(await other.jobLog('j2')).toEqual([]);
      expect(await other.findJob('nope')).toBeUndefined();
    });

    it('records which server runs a job and beats the heartbeat of its running jobs only', async () => {
      const job = (id: string, server: string) =>
        ({
          id,
          kind: 'check',
          owner: 'alice',
          startedBy: 'root',
          started: '2026-01-01T00:00:00.000Z',
          result: 'running',
          server,
          heartbeat: '2026-01-01T00:00:00.000Z',
        }) as const;
      await metadata.addJob(job('a1', 'host-a:1:aa'));
      await metadata.addJob(job('a2', 'host-a:1:aa'));
      await metadata.addJob(job('b1', 'host-b:2:bb'));
      await metadata.finishJob('a2', { ended: '2026-01-01T00:00:05.000Z', result: 'ok', summary: 'Done' });
      const other = await another();
      await other.beatJobs('host-a:1:aa', '2026-01-01T00:01:00.000Z');
      expect(await metadata.findJob('a1')).toEqual({
        ...job('a1', 'host-a:1:aa'),
        heartbeat: '2026-01-01T00:01:00.000Z',
      });
      // A finished job and another server's job keep their heartbeat.
      expect((await metadata.findJob('a2'))?.heartbeat).toBe('2026-01-01T00:00:00.000Z');
      expect((await metadata.findJob('b1'))?.heartbeat).toBe('2026-01-01T00:00:00.000Z');
    });

    it('counts sign-in failures per key within a window, atomically, shared by every connection', async () => {
      const other = await another();
      const after = '2026-01-01T00:00:00.000Z';
      const count = (m: SqlMetadata, key: string, now: string, since = after) =>
        m.countSignInFailure(key, now, since);
      expect(await count(metadata, 'name:alice', '2026-01-01T00:10:00.000Z')).toBe(1);
      expect(await count(other, 'name:alice', '2026-01-01T00:11:00.000Z')).toBe(2);
      // Ten at once over two connections: each gets its own number.
      const racing = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          count(i % 2 ? metadata : other, 'addr:10.0.0.1', '2026-01-01T00:12:00.000Z'),
        ),
      );
      expect(racing.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await other.forgiveSignInFailure('name:alice');
      expect(await count(metadata, 'name:alice', '2026-01-01T00:12:00.000Z')).toBe(2);
      // Once the count's start is out of the window it is over: a failure begins a new count of one.
      expect(await count(other, 'name:alice', '2026-01-01T00:30:00.000Z', '2026-01-01T00:10:00.000Z')).toBe(
        1,
      );
      await metadata.clearSignInFailures('name:alice');
      await metadata.forgiveSignInFailure('name:alice'); // nothing to take back: no error, no negative count
      expect(await count(other, 'name:alice', '2026-01-01T00:31:00.000Z', '2026-01-01T00:10:00.000Z')).toBe(
        1,
      );
    });
  });
}
