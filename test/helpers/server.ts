/**
 * A real logbook server in the test process: SQLite metadata and dir: namespaces in a temp directory,
 * listening on 127.0.0.1:0 (STYLE.md §2.8).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { agentInsight } from '../../host/server/insight.js';
import { sanitizerScan } from '../../host/server/scan.js';
import { addUser, createToken } from '../../logbook/server/admin.js';
import { buildApp } from '../../logbook/server/app.js';
import { SqlMetadata } from '../../logbook/server/metadata-sql.js';
import { SqliteDriver } from '../../logbook/server/sql/sqlite.js';
import { DirStorage } from '../../logbook/server/storage.js';
import { DirUploadArea } from '../../logbook/server/uploads.js';

export interface TestServer {
  readonly app: FastifyInstance;
  /** "http://127.0.0.1:PORT". */
  readonly url: string;
  readonly data: string;
  readonly metadata: SqlMetadata;
  /** The owners' namespaces (the same DirStorage the app serves). */
  readonly storage: DirStorage;
  /** Adds a user (if new) and returns a fresh token for it. */
  token(user: string, scope?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const data = await mkdtemp(join(tmpdir(), 'vml-server-'));
  const metadata = await SqlMetadata.open(await SqliteDriver.open(join(data, 'vml.db')));
  const storage = new DirStorage(data);
  const app = await buildApp({
    metadata,
    storage,
    insight: agentInsight,
    scan: sanitizerScan,
    uploads: new DirUploadArea(join(data, 'uploads')),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    data,
    metadata,
    storage,
    async token(user, scope) {
      if (!(await metadata.findUser(user))) await addUser(metadata, user);
      return (await createToken(metadata, user, { scope })).token;
    },
    async close() {
      await app.close();
      await storage.close();
      await metadata.close();
      await rm(data, { recursive: true, force: true });
    },
  };
}
