/**
 * Privacy (docs/server.md, "Privacy"): user B tries every API path against user A's private data and
 * learns nothing. Runs the real server on 127.0.0.1:0 and speaks raw HTTP, as an attacker would.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileType } from '../../../../logbook/backend/backend.js';
import { revokeToken } from '../../../../logbook/server/admin.js';
import { tokenId } from '../../../../logbook/server/auth.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const SECRET = 'alice-private-secret-7f3e1c: do not leak';

// Alice's private files, one per type, as a backup writes them (content-addressed names).
const manifest = `${JSON.stringify({ format: 1, entry: 'alice/higgs', seq: 1, tree: sha('t'), visibility: 'private', message: SECRET }, null, 2)}\n`;
const FILES: { type: FileType; name: string; body: string }[] = [
  { type: 'data', name: sha(`pack ${SECRET}`), body: `pack ${SECRET}` },
  { type: 'index', name: sha(`index ${SECRET}`), body: `index ${SECRET}` },
  { type: 'snapshots', name: sha(manifest), body: manifest },
  { type: 'locks', name: 'a'.repeat(32), body: `{"host":"alice-vm","note":"${SECRET}"}` },
  { type: 'keys', name: sha(`key ${SECRET}`), body: `key ${SECRET}` },
];

describe("user B against user A's private data", () => {
  let server: TestServer;
  let alice: string;
  let bob: string;
  const opened: string[] = [];

  const call = (token: string | undefined, method: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      method,
      headers: {
        ...(init.headers as Record<string, string>),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });

  beforeAll(async () => {
    server = await startTestServer();
    alice = await server.token('alice');
    bob = await server.token('bob');
    for (const f of FILES) {
      const r = await call(alice, 'POST', `/api/v1/files/${f.type}/${f.name}`, {
        body: f.body,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(r.status).toBe(204);
    }
    await call(alice, 'POST', '/api/v1/files/config/config', {
      body: '{"magic":"vml-logbook"}',
      headers: { 'content-type': 'application/octet-stream' },
    });
    // Record every namespace the server opens from here on: B's requests must open only B's.
    const { DirStorage } = await import('../../../../logbook/server/storage.js');
    const original = DirStorage.prototype.namespace;
    DirStorage.prototype.namespace = function (owner: string) {
      opened.push(owner);
      return original.call(this, owner);
    };
  });
  afterAll(async () => {
    const { DirStorage } = await import('../../../../logbook/server/storage.js');
    delete (DirStorage.prototype as { namespace?: unknown }).namespace;
    await server?.close();
  });

  it('alice reads her own files (the attack below is against real data)', async () => {
    for (const f of FILES) {
      const r = await call(alice, 'GET', `/api/v1/files/${f.type}/${f.name}`);
      expect(await r.text()).toBe(f.body);
    }
  });

  it('load, ranged load and stat of her files answer exactly as for files that never existed', async () => {
    for (const f of FILES) {
      const never = f.type === 'locks' ? 'b'.repeat(32) : sha(`never ${f.type}`);
      for (const [method, headers] of [
        ['GET', {}],
        ['GET', { range: 'bytes=0-3' }],
        ['HEAD', {}],
      ] as const) {
        const hers = await call(bob, method, `/api/v1/files/${f.type}/${f.name}`, { headers });
        const absent = await call(bob, method, `/api/v1/files/${f.type}/${never}`, { headers });
        expect(hers.status).toBe(404);
        expect(absent.status).toBe(404);
        expect((await hers.text()).replace(f.name, 'X')).toBe((await absent.text()).replace(never, 'X'));
      }
    }
  });

  it('listings and the missing-files query show none of her files', async () => {
    for (const f of FILES) {
      const list = await (await call(bob, 'GET', `/api/v1/files/${f.type}/`)).text();
      expect(list).toBe('[]');
      const r = await call(bob, 'POST', `/api/v1/missing/${f.type}`, {
        body: JSON.stringify({ names: [f.name] }),
        headers: { 'content-type': 'application/json' },
      });
      expect(await r.json()).toEqual({ missing: [f.name] });
    }
  });

  it('deleting her files succeeds as for absent files and removes nothing', async () => {
    for (const f of FILES)
      expect((await call(bob, 'DELETE', `/api/v1/files/${f.type}/${f.name}`)).status).toBe(204);
    expect((await call(bob, 'DELETE', '/api/v1/files/config/config')).status).toBe(204);
    for (const f of FILES)
      expect(await (await call(alice, 'GET', `/api/v1/files/${f.type}/${f.name}`)).text()).toBe(f.body);
  });

  it('uploading the same content dedups only into his own namespace', async () => {
    const f = FILES[0] as (typeof FILES)[number];
    const r = await call(bob, 'POST', `/api/v1/files/data/${f.name}`, {
      body: f.body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(r.status).toBe(204);
    // Two copies on disk: a shared one would let the upload's speed or result tell B that A had it.
    for (const owner of ['alice', 'bob']) {
      expect(await readdir(join(server.data, 'owners', owner, 'data', f.name.slice(0, 2)))).toEqual([f.name]);
    }
  });

  it('he cannot write a version into her entries, even in his own namespace', async () => {
    const forged = manifest.replace('"seq": 1', '"seq": 2');
    const r = await call(bob, 'POST', `/api/v1/files/snapshots/${sha(forged)}`, {
      body: forged,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: 'DENIED' });
  });

  it('path tricks stay inside his namespace or are refused', async () => {
    for (const path of [
      '/api/v1/files/data/..%2F..%2F..%2Fowners%2Falice%2Fconfig',
      '/api/v1/files/..%2Fowners%2Falice/config',
      '/api/v1/files/data/../../../owners/alice/config',
      '/api/v1/files/config/..',
      `/api/v1/files/snapshots/${FILES[2]?.name}%00`,
    ]) {
      const r = await call(bob, 'GET', path);
      expect([400, 404], path).toContain(r.status);
      expect(await r.text()).not.toContain(SECRET);
    }
  });

  it('without a valid token nobody gets anything, and every refusal looks the same', async () => {
    const f = FILES[2] as (typeof FILES)[number];
    const path = `/api/v1/files/${f.type}/${f.name}`;
    const revoked = await server.token('alice');
    await revokeToken(server.metadata, tokenId(revoked) as string);
    const forged = alice.slice(0, -4) + (alice.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const bodies = new Set<string>();
    for (const token of [undefined, 'nonsense', forged, revoked]) {
      const r = await call(token, 'GET', path);
      expect(r.status).toBe(401);
      bodies.add(await r.text());
    }
    expect(bodies.size).toBe(1);
  });

  it('none of his requests opened her namespace: no timing can depend on her data', () => {
    expect(opened.length).toBeGreaterThan(20);
    expect(new Set(opened.filter((o) => o !== 'alice'))).toEqual(new Set(['bob']));
  });
});
