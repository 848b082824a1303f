/**
 * Resumable uploads against the real server on 127.0.0.1, through a real TCP proxy that cuts the connection
 * in the middle of a 16 MiB body: the http backend resumes from the offset the server holds, the bytes that
 * crossed the proxy add up to the file once (not cut + file), the saved file is byte-identical, and before
 * the commit nothing of it was visible to a read, a listing or `missing`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isBackendError } from '../../../../logbook/backend/backend.js';
import { HttpBackend } from '../../../../logbook/backend/http.js';
import { uploadPath, uploadSessionPath } from '../../../../logbook/server/api-types.js';
import { DirUploadArea, UPLOAD_EXPIRY_MS } from '../../../../logbook/server/uploads.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

const MiB = 1024 * 1024;

/** A TCP proxy to `port` that counts client→server bytes and can cut every connection once they pass a mark. */
interface CuttingProxy {
  readonly port: number;
  /** Client→server bytes over all connections so far. */
  sent(): number;
  /** Cuts once the total passes `mark`; new connections wait for `whileCut` to settle before going on. */
  cutAt(mark: number, whileCut: () => Promise<void>): void;
  close(): Promise<void>;
}

async function startProxy(target: number): Promise<CuttingProxy> {
  let total = 0;
  let mark = Number.POSITIVE_INFINITY;
  let whileCut: () => Promise<void> = async () => {};
  let gate: Promise<void> = Promise.resolve();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.pause();
    void gate.then(() => {
      const upstream = connect(target, '127.0.0.1');
      sockets.add(upstream);
      upstream.on('data', (d) => client.write(d));
      upstream.on('close', () => client.destroy());
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.end());
      client.on('data', (data: Buffer) => {
        if (total + data.length <= mark) {
          total += data.length;
          upstream.write(data);
          return;
        }
        // The cut: forward up to the mark, then drop the connection as a broken network would.
        const head = data.subarray(0, mark - total);
        total += head.length;
        mark = Number.POSITIVE_INFINITY;
        upstream.end(head);
        client.destroy();
        gate = whileCut();
      });
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  return {
    port: address.port,
    sent: () => total,
    cutAt(at, during) {
      mark = at;
      whileCut = during;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let server: TestServer | undefined;
let proxy: CuttingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  proxy = undefined;
  server = undefined;
});

async function partFiles(data: string): Promise<{ name: string; size: number }[]> {
  const dir = join(data, 'uploads', 'alice');
  const names = await readdir(dir).catch(() => [] as string[]);
  const parts = names.filter((n) => n.endsWith('.part'));
  return Promise.all(parts.map(async (name) => ({ name, size: (await stat(join(dir, name))).size })));
}

describe('resumable uploads', () => {
  it('a connection cut mid-body resumes where the server stopped, and nothing shows before the commit', async () => {
    server = await startTestServer();
    const token = await server.token('alice');
    proxy = await startProxy(Number(new URL(server.url).port));
    const direct = new HttpBackend(server.url, token);
    const body = randomBytes(16 * MiB);
    const h = { type: 'data' as const, name: createHash('sha256').update(body).digest('hex') };

    let seenWhileCut:
      | { listed: number; missing: string[]; stat: string; parts: { size: number }[] }
      | undefined;
    proxy.cutAt(6 * MiB, async () => {
      const listed: string[] = [];
      for await (const f of direct.list('data')) listed.push(f.name);
      const statError = await direct.stat(h).then(
        () => 'found',
        (e: unknown) => (isBackendError(e, 'NOT_FOUND') ? 'NOT_FOUND' : String(e)),
      );
      // Let the server finish writing what the dead connection delivered before looking at the part file.
      for (let last = -1, now = 0; now !== last; ) {
        last = now;
        await new Promise((r) => setTimeout(r, 300));
        now = (await partFiles(server?.data ?? ''))[0]?.size ?? 0;
      }
      seenWhileCut = {
        listed: listed.length,
        missing: await direct.missing('data', [h.name]),
        stat: statError,
        parts: await partFiles(server?.data ?? ''),
      };
    });

    const viaProxy = new HttpBackend(`http://127.0.0.1:${proxy.port}`, token, {
      resume: { baseDelayMs: 50 },
    });
    await viaProxy.save(h, body);

    expect(seenWhileCut).toBeDefined();
    expect(seenWhileCut?.listed).toBe(0);
    expect(seenWhileCut?.missing).toEqual([h.name]);
    expect(seenWhileCut?.stat).toBe('NOT_FOUND');
    // The server kept what arrived before the cut (a share of the 6 MiB may still sit in socket buffers).
    expect(seenWhileCut?.parts).toHaveLength(1);
    expect(seenWhileCut?.parts[0]?.size).toBeGreaterThan(2 * MiB);
    // Bytes through the proxy: the file once plus headers and what was in flight at the cut, far below the
    // 22 MiB a restart from zero would send.
    const sent = proxy.sent();
    expect(sent).toBeGreaterThan(16 * MiB);
    expect(sent).toBeLessThan(16 * MiB + 2 * MiB);
    expect(Buffer.from(await direct.load(h)).equals(body)).toBe(true);
    expect(await partFiles(server.data)).toEqual([]); // the session is gone after its commit
  }, 60_000);

  it('commits only a complete body with the declared SHA-256; sessions are private to their user', async () => {
    server = await startTestServer();
    const alice = await server.token('alice');
    const bob = await server.token('bob');
    const body = randomBytes(1000);
    const name = createHash('sha256').update(body).digest('hex');
    const call = (method: string, path: string, token: string, init: RequestInit = {}) =>
      fetch(`${server?.url}${path}`, {
        ...init,
        method,
        headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      });
    const open = await call('POST', uploadPath('data', name), alice, {
      headers: { 'vml-size': '1000', 'vml-sha256': name },
    });
    expect(open.status).toBe(201);
    const session = uploadSessionPath(((await open.json()) as { id: string }).id);
    const patch = (offset: number, bytes: Uint8Array, token = alice) =>
      call('PATCH', session, token, {
        body: bytes,
        headers: { 'content-type': 'application/offset+octet-stream', 'vml-offset': String(offset) },
      });

    expect((await patch(0, body.subarray(0, 400))).headers.get('vml-offset')).toBe('400');
    expect((await patch(100, body.subarray(100, 200))).status).toBe(409); // not where the upload stands
    expect((await call('POST', session, alice)).status).toBe(409); // incomplete: no commit
    // Bob cannot see, extend, commit or delete Alice's session: it does not exist for him.
    expect((await call('HEAD', session, bob)).status).toBe(404);
    expect((await patch(400, body.subarray(400), bob)).status).toBe(404);
    expect((await call('POST', session, bob)).status).toBe(404);
    await call('DELETE', session, bob);
    expect((await call('HEAD', session, alice)).headers.get('vml-offset')).toBe('400');

    expect((await patch(400, body.subarray(400))).headers.get('vml-offset')).toBe('1000');
    expect((await patch(1000, new Uint8Array(1))).status).toBe(400); // past the declared size
    expect((await call('POST', session, alice)).status).toBe(204);
    expect((await call('HEAD', `/api/v1/files/data/${name}`, alice)).headers.get('vml-size')).toBe('1000');
    expect((await call('HEAD', session, alice)).status).toBe(404);

    // Bytes that do not add up to the declared digest are refused at commit, and the session dropped.
    const wrong = await call('POST', uploadPath('data', name), alice, {
      headers: { 'vml-size': '3', 'vml-sha256': name },
    });
    const wrongSession = uploadSessionPath(((await wrong.json()) as { id: string }).id);
    await call('PATCH', wrongSession, alice, {
      body: new Uint8Array([1, 2, 3]),
      headers: { 'content-type': 'application/offset+octet-stream', 'vml-offset': '0' },
    });
    expect((await call('POST', wrongSession, alice)).status).toBe(409);
    expect((await call('HEAD', wrongSession, alice)).status).toBe(404);

    const reader = await server.token('alice', 'read');
    expect(
      (
        await call('POST', uploadPath('data', name), reader, {
          headers: { 'vml-size': '1', 'vml-sha256': name },
        })
      ).status,
    ).toBe(403);
  });

  it('sessions expire a day after they were opened', async () => {
    server = await startTestServer();
    const area = new DirUploadArea(join(server.data, 'uploads'));
    const target = { type: 'data' as const, name: 'a'.repeat(64), size: 10, sha256: 'b'.repeat(64) };
    const old = await area.create('alice', target);
    expect(await area.expire('alice', old.created + UPLOAD_EXPIRY_MS - 1000)).toBe(0);
    expect(await area.find('alice', old.id)).toBeDefined();
    expect(await area.expire('alice', old.created + UPLOAD_EXPIRY_MS + 1000)).toBe(1);
    expect(await area.find('alice', old.id)).toBeUndefined();
    expect(await partFiles(server.data)).toEqual([]);
  });
});
