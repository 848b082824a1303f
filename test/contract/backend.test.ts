import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { BackendError } from '../../logbook/backend/backend.js';
import { DirBackend } from '../../logbook/backend/dir.js';
import { FaultyBackend } from '../../logbook/backend/faulty.js';
import { HttpBackend } from '../../logbook/backend/http.js';
import { trustCaFile } from '../../logbook/backend/http-tls.js';
import { MemoryBackend } from '../../logbook/backend/memory.js';
import { openBackend } from '../../logbook/backend/open.js';
import { RetryingBackend } from '../../logbook/backend/retry.js';
import { readTlsFiles } from '../../logbook/server/tls-files.js';
import { startTestServer } from '../helpers/server.js';
import { makeTestCertificates } from '../helpers/tls.js';
import { describeBackendContract } from './backend-suite.js';

async function tempDir(): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'vml-contract-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

describeBackendContract('memory', async () => ({
  backend: new MemoryBackend(),
  cleanup: async () => {},
}));

describeBackendContract('dir', async () => {
  const tmp = await tempDir();
  return { backend: await DirBackend.create(join(tmp.path, 'logbook')), cleanup: tmp.cleanup };
});

describeBackendContract('dir via openBackend', async () => {
  const tmp = await tempDir();
  const backend = await openBackend(`dir:${join(tmp.path, 'logbook')}`, { create: true });
  return { backend, cleanup: tmp.cleanup };
});

// Every third call of each method fails once with TRANSIENT, and list also breaks half-way:
// the retry wrapper must hide all of it.
describeBackendContract('retrying over faulty memory', async () => {
  const faulty = new FaultyBackend(new MemoryBackend());
  for (const method of ['save', 'load', 'stat', 'remove'] as const) {
    let calls = 0;
    faulty.failNext(method, new BackendError('TRANSIENT', `injected ${method} failure`), {
      times: Number.POSITIVE_INFINITY,
      match: () => ++calls % 3 === 0,
    });
  }
  faulty.failNext('list', new BackendError('TRANSIENT', 'injected list failure'), {
    afterItems: 1,
    times: 3,
  });
  return {
    backend: new RetryingBackend(faulty, { retries: 3, baseDelayMs: 1 }),
    cleanup: async () => {},
  };
});

// The http backend against the real server (SQLite metadata, dir: namespaces) on 127.0.0.1:0, with a
// full-access token, wrapped as openBackend wraps it.
describeBackendContract('http against the logbook server', async () => {
  const server = await startTestServer();
  const backend = new RetryingBackend(new HttpBackend(server.url, await server.token('alice')), {
    retries: 2,
    baseDelayMs: 1,
  });
  return { backend, cleanup: () => server.close() };
});

// The same over https: the server with its own certificate from a private CA (real openssl), which this
// process trusts through VML_CA_FILE as the agent does.
// The certificates are made once for the file (openssl takes a while on a busy machine); each test gets its
// own server.
let certificates: Promise<{ cert: string; key: string }> | undefined;
let certificateDir: { cleanup(): Promise<void> } | undefined;
afterAll(() => certificateDir?.cleanup());
function testCertificates(): Promise<{ cert: string; key: string }> {
  certificates ??= tempDir().then(async (tmp) => {
    certificateDir = tmp;
    const made = await makeTestCertificates(tmp.path);
    trustCaFile({ VML_CA_FILE: made.caFile });
    return readTlsFiles(made.certFile, made.keyFile);
  });
  return certificates;
}
describeBackendContract('https against the logbook server, private CA', async () => {
  const server = await startTestServer({ tls: await testCertificates() });
  expect(server.url).toMatch(/^https:/);
  const backend = new RetryingBackend(new HttpBackend(server.url, await server.token('alice')), {
    retries: 2,
    baseDelayMs: 1,
  });
  return { backend, cleanup: () => server.close() };
});
