/**
 * The s3 backend against a real radosgw (test/helpers/ceph.ts, started once for this file): the whole
 * Backend contract, then what only S3 has — conditional writes, paging, credentials, unreachable services.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVmlError } from '../../core/errors.js';
import { type Backend, type FileInfo, isBackendError } from '../../logbook/backend/backend.js';
import { openBackend } from '../../logbook/backend/open.js';
import { S3Backend } from '../../logbook/backend/s3.js';
import { parseS3Location } from '../../logbook/backend/s3-location.js';
import { type CephCluster, startCeph } from '../helpers/ceph.js';
import { describeBackendContract } from './backend-suite.js';

let ceph: CephCluster;
let bucket: string;

beforeAll(async () => {
  ceph = await startCeph();
  bucket = await ceph.makeBucket('vml-contract');
  // openBackend reads the key pair from the environment, as the agent does.
  Object.assign(process.env, ceph.env);
}, 90_000);

afterAll(async () => {
  await ceph?.stop();
});

// Each test gets a fresh key prefix of one bucket: a logbook is a prefix, so this is a fresh logbook.
const freshPrefix = (): string => `${bucket}/t-${randomBytes(6).toString('hex')}`;

describeBackendContract('s3 against radosgw (via openBackend)', async () => ({
  backend: await openBackend(freshPrefix(), { create: true, retry: { retries: 2, baseDelayMs: 1 } }),
  cleanup: async () => {},
}));

function direct(location: string, options: { pageSize?: number } = {}): S3Backend {
  return new S3Backend(parseS3Location(location), ceph, options);
}

async function collect(items: AsyncIterable<FileInfo>): Promise<string[]> {
  const out: string[] = [];
  for await (const info of items) out.push(info.name);
  return out.sort();
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('s3 backend on radosgw', () => {
  it('never overwrites a content-addressed file another writer made (If-None-Match)', async () => {
    const location = freshPrefix();
    const [a, b] = [direct(location), direct(location)];
    const h = { type: 'data', name: 'ab'.repeat(32) } as const;
    await a.save(h, text('the first writer'));
    await b.save(h, text('someone else'));
    expect(new TextDecoder().decode(await a.load(h))).toBe('the first writer');
  });

  it('lets a lock be refreshed through another connection (a second server, or after a restart)', async () => {
    const location = freshPrefix();
    const [first, second] = [direct(location), direct(location)];
    const h = { type: 'locks', name: 'cd'.repeat(16) } as const;
    await first.save(h, text('{"refreshed":"10:00"}'));
    await second.save(h, text('{"refreshed":"10:05"}'));
    expect(new TextDecoder().decode(await first.load(h))).toBe('{"refreshed":"10:05"}');
  });

  it('lists across pages', async () => {
    const be = direct(freshPrefix(), { pageSize: 7 });
    const names = Array.from({ length: 23 }, (_, i) => `${i.toString(16).padStart(2, '0')}${'0'.repeat(62)}`);
    await Promise.all(names.map((name) => be.save({ type: 'data', name }, text(name))));
    await be.save({ type: 'index', name: 'f'.repeat(64) }, text('not data'));
    expect(await collect(be.list('data'))).toEqual(names.sort());
  });

  it('keeps logbooks under different prefixes apart, and lists config only at its own level', async () => {
    const top = freshPrefix();
    const [outer, inner] = [direct(top), direct(`${top}/nested`)];
    await inner.save({ type: 'config', name: 'config' }, text('{}'));
    await inner.save({ type: 'snapshots', name: 'e'.repeat(64) }, text('x'));
    expect(await collect(outer.list('config'))).toEqual([]);
    expect(await collect(outer.list('snapshots'))).toEqual([]);
    expect(await collect(inner.list('config'))).toEqual(['config']);
  });

  it('answers E_AUTH for a wrong secret, without quoting it', async () => {
    const secret = 'not-the-secret-but-close-enough';
    const be = new S3Backend(parseS3Location(freshPrefix()), {
      accessKeyId: ceph.accessKeyId,
      secretAccessKey: secret,
    });
    // A GET, whose error body names the cause; a HEAD has no body, so a refused key there is plain DENIED.
    const error = await be.load({ type: 'config', name: 'config' }).catch((e: unknown) => e);
    expect(isVmlError(error) && error.code).toBe('E_AUTH');
    expect(String((error as Error).message)).not.toContain(secret);
    expect(String((error as Error).message)).not.toContain(ceph.secretAccessKey);
  });

  it('reports a bucket that does not exist as NOT_FOUND, so the agent says "no logbook"', async () => {
    const be: Backend = await openBackend(`s3://${ceph.hostPort}/no-such-bucket`);
    const error = await be.load({ type: 'config', name: 'config' }).catch((e: unknown) => e);
    expect(isBackendError(error, 'NOT_FOUND')).toBe(true);
  });

  it('reports a service that does not answer as TRANSIENT', async () => {
    const be = new S3Backend(parseS3Location('s3://127.0.0.1:1/vml-contract'), ceph);
    const error = await be.stat({ type: 'config', name: 'config' }).catch((e: unknown) => e);
    expect(isBackendError(error, 'TRANSIENT')).toBe(true);
  });
});
