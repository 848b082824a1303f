/**
 * The server's limits against a user who writes whatever the API lets them (real server on 127.0.0.1, SQLite,
 * dir storage; saves through the agent's HttpBackend or raw fetch): a self-written exclusive lock, lock and
 * index files do not lift the quota by more than the allowance; open upload sessions count against the
 * quota when another opens and are capped per user (429), and the agent then saves with a plain POST.
 * About 3 s (about 150 MiB through loopback).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import type { FileType, Handle } from '../../../../logbook/backend/backend.js';
import { HttpBackend } from '../../../../logbook/backend/http.js';
import { uploadPath, uploadSessionPath } from '../../../../logbook/server/api-types.js';
import { overQuotaAllowance } from '../../../../logbook/server/quota.js';
import { DirUploadArea, MAX_OPEN_UPLOADS } from '../../../../logbook/server/uploads.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

const MiB = 1024 * 1024;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const handleOf = (type: FileType, data: Uint8Array): Handle => ({ type, name: sha256(data) });

/** The message of a save the server refuses with QUOTA (the agent's E_NO_SPACE), or "saved". */
async function saveOutcome(backend: HttpBackend, type: FileType, data: Uint8Array): Promise<string> {
  try {
    await backend.save(handleOf(type, data), data);
    return 'saved';
  } catch (error) {
    if (isVmlError(error) && error.code === 'E_NO_SPACE') return error.message;
    throw error;
  }
}

async function userWithQuota(name: string, quota: number | null): Promise<HttpBackend> {
  const token = await server.token(name);
  await server.metadata.setQuota(name, quota);
  return new HttpBackend(server.url, token);
}

describe('the quota when files may go over it', () => {
  it('a self-written exclusive lock lets a full token go over by the allowance, not without limit', async () => {
    const alice = await userWithQuota('alice', MiB);
    expect(overQuotaAllowance(MiB)).toBe(64 * MiB);
    expect(await saveOutcome(alice, 'data', randomBytes(2 * MiB))).toMatch(
      /over the quota: 0 B of 1\.00 MiB used$/,
    );
    const lock = new TextEncoder().encode(JSON.stringify({ exclusive: true, hostname: 'not-gc', pid: 1 }));
    expect(await saveOutcome(alice, 'locks', lock)).toBe('saved');
    for (let i = 0; i < 3; i++) expect(await saveOutcome(alice, 'data', randomBytes(16 * MiB))).toBe('saved');
    // 48 MiB stored; 20 more would pass 1 MiB + 64 MiB.
    const refused = await saveOutcome(alice, 'data', randomBytes(20 * MiB));
    expect(refused).toMatch(/over the quota: 48\.\d+ MiB of 1\.00 MiB used/);
    expect(refused).toContain('gc (an exclusive lock) may go over it by 64.0 MiB, no more');
  }, 30_000);

  it('lock and index files take the allowance beyond the quota, not without limit', async () => {
    const bob = await userWithQuota('bob', MiB);
    expect(await saveOutcome(bob, 'index', randomBytes(40 * MiB))).toBe('saved');
    const refused = await saveOutcome(bob, 'locks', randomBytes(30 * MiB));
    expect(refused).toContain('lock and index files may take 64.0 MiB beyond it, no more');
  }, 30_000);

  it('a namespace whose quota was lowered far below its usage can still write locks and an index', async () => {
    const frank = await userWithQuota('frank', null);
    for (let i = 0; i < 5; i++) expect(await saveOutcome(frank, 'data', randomBytes(14 * MiB))).toBe('saved');
    await server.metadata.setQuota('frank', MiB); // 70 MiB stored: more than quota + allowance
    expect(await saveOutcome(frank, 'data', randomBytes(1024))).toMatch(/over the quota: 70\.0 MiB/);
    expect(await saveOutcome(frank, 'locks', randomBytes(200))).toBe('saved');
    expect(await saveOutcome(frank, 'index', randomBytes(100 * 1024))).toBe('saved');
  }, 30_000);
});

/** Opens an upload session with raw HTTP, as any client could. */
async function openUpload(token: string, name: string, size: number): Promise<Response> {
  return fetch(`${server.url}${uploadPath('data', name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'vml-size': String(size), 'vml-sha256': 'a'.repeat(64) },
  });
}
const nameOf = (i: number) => sha256(new TextEncoder().encode(`file ${i}`));

describe('open upload sessions', () => {
  it('count their declared sizes against the quota when another opens (a file counts once)', async () => {
    const token = await server.token('carol');
    await server.metadata.setQuota('carol', 10 * MiB);
    expect((await openUpload(token, nameOf(1), 6 * MiB)).status).toBe(201);
    const second = await openUpload(token, nameOf(2), 6 * MiB);
    expect(second.status).toBe(507);
    expect(((await second.json()) as { error: string }).error).toMatch(/6\.00 MiB more in open uploads/);
    expect((await openUpload(token, nameOf(2), 3 * MiB)).status).toBe(201);
    // The same file again (an agent that lost its session): its earlier session does not count.
    expect((await openUpload(token, nameOf(1), 6 * MiB)).status).toBe(201);
  });

  it('are capped per user with a 429; the agent then saves with a plain POST', async () => {
    const token = await server.token('dave');
    const ids: string[] = [];
    for (let i = 0; i < MAX_OPEN_UPLOADS; i++) {
      const opened = await openUpload(token, nameOf(i), 1);
      expect(opened.status).toBe(201);
      ids.push(((await opened.json()) as { id: string }).id);
    }
    const refused = await openUpload(token, nameOf(99), 1);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      code: 'TOO_MANY',
      error: expect.stringContaining('16 open uploads'),
    });
    // Another user is not affected.
    expect((await openUpload(await server.token('erin'), nameOf(99), 1)).status).toBe(201);

    const area = new DirUploadArea(`${server.data}/uploads`);
    const data = randomBytes(5 * MiB); // above RESUMABLE_ABOVE: the agent tries a session first
    await new HttpBackend(server.url, token).save(handleOf('data', data), data);
    const stored = await (await server.storage.namespace('dave')).load(handleOf('data', data));
    expect(sha256(stored)).toBe(sha256(data));
    expect((await area.list('dave')).length).toBe(MAX_OPEN_UPLOADS);

    // Abandoning one makes room again.
    const gone = await fetch(`${server.url}${uploadSessionPath(ids[0] ?? '')}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(gone.status).toBe(204);
    expect((await openUpload(token, nameOf(99), 1)).status).toBe(201);
  });
});
