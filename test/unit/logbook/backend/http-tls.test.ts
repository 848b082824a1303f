/**
 * http-tls.ts against real local servers (node:https with an openssl certificate from a private CA, and a
 * plain node:http server): an unverifiable certificate is a final E_AUTH naming the host and VML_CA_FILE,
 * https to a plain-http port a usage error, and after trustCaFile the same server is trusted.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVmlError } from '../../../../core/errors.js';
import { BackendError, isBackendError } from '../../../../logbook/backend/backend.js';
import { HttpBackend } from '../../../../logbook/backend/http.js';
import { trustCaFile } from '../../../../logbook/backend/http-tls.js';
import { makeTestCertificates, type TestCertificates } from '../../../helpers/tls.js';

let T: string;
let certs: TestCertificates;
let tlsServer: Server;
let plainServer: Server;

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
};
let tlsPort: number;
let plainPort: number;

async function failureOf(location: string): Promise<unknown> {
  const backend = new HttpBackend(location, undefined);
  try {
    for await (const _ of backend.list('snapshots')) break;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-http-tls-'));
  certs = await makeTestCertificates(T);
  const [cert, key] = await Promise.all([readFile(certs.certFile), readFile(certs.keyFile)]);
  const answer = (_req: unknown, res: { end(body: string): void }) => res.end('[]');
  tlsServer = createHttpsServer({ cert, key }, answer);
  plainServer = createHttpServer(answer);
  tlsPort = await listen(tlsServer);
  plainPort = await listen(plainServer);
}, 30_000);

afterAll(async () => {
  tlsServer?.close();
  plainServer?.close();
  if (T) await rm(T, { recursive: true, force: true });
});

describe('https trust of the http backend', () => {
  it('refuses a missing VML_CA_FILE and one without a PEM certificate, naming the file', async () => {
    const missing = join(T, 'missing.pem');
    expect(() => trustCaFile({ VML_CA_FILE: missing })).toThrow(`"${missing}" (VML_CA_FILE)`);
    const text = join(T, 'text.pem');
    await writeFile(text, 'not a certificate\n');
    expect(() => trustCaFile({ VML_CA_FILE: text })).toThrow('holds no valid PEM certificate');
    expect(trustCaFile({})).toBeUndefined();
  });

  it('an unverifiable certificate is E_AUTH naming the host and VML_CA_FILE; trusted once the CA is added', async () => {
    const untrusted = await failureOf(`https://127.0.0.1:${tlsPort}`);
    expect(isVmlError(untrusted) && untrusted.code).toBe('E_AUTH');
    expect((untrusted as Error).message).toContain(`"127.0.0.1:${tlsPort}"`);
    expect((untrusted as Error).message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(isVmlError(untrusted) && untrusted.hint).toContain('VML_CA_FILE');

    expect(trustCaFile({ VML_CA_FILE: certs.caFile })).toBe(certs.caFile);
    const listed = [];
    for await (const file of new HttpBackend(`https://127.0.0.1:${tlsPort}`, undefined).list('snapshots')) {
      listed.push(file);
    }
    expect(listed).toEqual([]);
  });

  it('https to a plain-http port is a usage error; a refused connection stays TRANSIENT', async () => {
    const plain = await failureOf(`https://127.0.0.1:${plainPort}`);
    expect(isVmlError(plain) && plain.code).toBe('E_USAGE');
    expect((plain as Error).message).toContain('does not speak https');
    const closed = createHttpServer();
    const port = await listen(closed);
    closed.close();
    const refused = await failureOf(`https://127.0.0.1:${port}`);
    expect(isBackendError(refused, 'TRANSIENT')).toBe(true);
    expect(refused).toBeInstanceOf(BackendError);
  });
});
