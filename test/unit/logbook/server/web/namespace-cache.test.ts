/**
 * The pages' namespace cache: manifests and index files read once and kept by name, versions listed at every
 * request, so versions added or deleted through the Logbook API or through another server (a second
 * buildApp on the same data directory and database) show at the next request.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentInsight } from '../../../../../host/server/insight.js';
import { sanitizerScan } from '../../../../../host/server/scan.js';
import type { Backend, FileType } from '../../../../../logbook/backend/backend.js';
import { HttpBackend } from '../../../../../logbook/backend/http.js';
import { Logbook } from '../../../../../logbook/logbook.js';
import { buildApp } from '../../../../../logbook/server/app.js';
import { SqlMetadata } from '../../../../../logbook/server/metadata-sql.js';
import { SqliteDriver } from '../../../../../logbook/server/sql/sqlite.js';
import { DirStorage, type Storage } from '../../../../../logbook/server/storage.js';
import { NamespaceCache } from '../../../../../logbook/server/view/namespace-cache.js';
import { commit } from '../../../../helpers/versions.js';
import { injectSignIn, startWebServer, type WebTestServer } from '../../../../helpers/web.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** A Storage over `inner` that counts the files loaded, by type. */
function countingStorage(inner: Storage): { storage: Storage; loads: Map<FileType, number> } {
  const loads = new Map<FileType, number>();
  const wrap = (backend: Backend): Backend =>
    new Proxy(backend, {
      get(target, key) {
        if (key === 'load') {
          return (h: { type: FileType }, ...rest: unknown[]) => {
            loads.set(h.type, (loads.get(h.type) ?? 0) + 1);
            return (target.load as (...args: unknown[]) => unknown)(h, ...rest);
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return {
    loads,
    storage: {
      location: inner.location,
      namespace: async (owner) => wrap(await inner.namespace(owner)),
      close: () => inner.close(),
    },
  };
}

describe('NamespaceCache', () => {
  let server: WebTestServer;
  beforeEach(async () => {
    server = await startWebServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('reads each manifest and index file once, and sees versions added and deleted through the API', async () => {
    const writer = await Logbook.init(await server.storage.namespace('alice'));
    const v1 = await commit(writer, 'alice/e', { a: bytes('one') });
    const { storage, loads } = countingStorage(new DirStorage(server.data));
    const cache = new NamespaceCache(storage);

    const first = (await cache.open('alice')) as Logbook;
    expect((await first.versions()).map((v) => v.id)).toEqual([v1]);
    expect(await first.readBlob((await first.versions())[0]?.manifest.tree as string)).toBeDefined();
    const before = new Map(loads);

    // Nothing changed: no manifest, no index file is read again.
    const second = (await cache.open('alice')) as Logbook;
    expect((await second.versions()).map((v) => v.id)).toEqual([v1]);
    await second.index();
    expect(loads).toEqual(before);

    // A version added through the Logbook API: only its manifest and its index file are read.
    const v2 = await commit(writer, 'alice/e', { a: bytes('two') });
    const third = (await cache.open('alice')) as Logbook;
    const refs = await third.versions();
    expect(refs.map((v) => v.id)).toEqual([v1, v2]);
    const tree = await third.readTree(refs[1]?.manifest.tree as string);
    const node = tree.nodes[0];
    const chunks: Uint8Array[] = [];
    for await (const piece of third.readFile(node as never)) chunks.push(piece);
    expect(Buffer.concat(chunks).toString()).toBe('two');
    expect(loads.get('snapshots')).toBe((before.get('snapshots') ?? 0) + 1);
    expect(loads.get('index')).toBe((before.get('index') ?? 0) + 1);

    // A version deleted: gone at the next request.
    await writer.backend.remove({ type: 'snapshots', name: v1 });
    const fourth = (await cache.open('alice')) as Logbook;
    expect((await fourth.versions()).map((v) => v.id)).toEqual([v2]);
    expect(await cache.open('nobody')).toBeUndefined();
  });

  it('shows versions added and deleted through another server on the same storage', async () => {
    // Server A (listening) takes the agent's writes; server B (its own storage, metadata and cache, on the
    // same data directory) serves the pages.
    await server.addUser('alice', 'alice-password');
    const token = await server.token('alice', 'full');
    const metadataB = await SqlMetadata.open(await SqliteDriver.open(join(server.data, 'vml.db')));
    const storageB = new DirStorage(server.data);
    const appB: FastifyInstance = await buildApp({
      metadata: metadataB,
      storage: storageB,
      insight: agentInsight,
      scan: sanitizerScan,
    });
    try {
      const cookie = await injectSignIn({ ...server, app: appB }, 'alice', 'alice-password');
      const get = (url: string) => appB.inject({ method: 'GET', url, headers: { cookie } });
      const agent = await Logbook.init(new HttpBackend(server.url, token));
      const v1 = await commit(agent, 'alice/e', { 'f.txt': bytes('first') });
      expect((await get('/entries/alice/e')).body).toContain('/entries/alice/e/v1');
      expect((await get('/entries/alice/e/v1/download/f.txt')).body).toBe('first');

      await commit(agent, 'alice/e', { 'f.txt': bytes('second'), 'g.txt': bytes('new') });
      const history = (await get('/entries/alice/e')).body;
      expect(history).toContain('/entries/alice/e/v2');
      expect((await get('/entries/alice/e/v2/download/g.txt')).body).toBe('new');
      expect((await get('/entries')).body).toMatch(/<td>2<\/td>\s*<td>v2<\/td>/);

      await agent.backend.remove({ type: 'snapshots', name: v1 });
      expect((await get('/entries/alice/e/v1')).statusCode).toBe(404);
      expect((await get('/entries/alice/e')).body).not.toContain('/entries/alice/e/v1"');
      expect((await get('/entries/alice/e/v2/download/f.txt')).body).toBe('second');
    } finally {
      await appB.close();
      await storageB.close();
      await metadataB.close();
    }
  });
});
