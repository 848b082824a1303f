/**
 * External files are read from CVMFS_EXTERNAL_URL + path and verified like any object. The fixture has
 * none (its publisher was not set up for them), so these tests serve external data over real HTTP from
 * a local server and give readExternal() the catalog fields it would find.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExternal } from '../../../../agent/software/cvmfs/external.js';
import { parseHash } from '../../../../agent/software/cvmfs/hash.js';
import { HttpFetcher } from '../../../../agent/software/cvmfs/http.js';

const DATA = Buffer.from('external payload: /store/data/run1.root\n'.repeat(100));
const sha1 = (b: Uint8Array) => parseHash(createHash('sha1').update(b).digest('hex'), 'test');
let url = '';
const server = createServer((req, res) => {
  if (req.url === '/ext/store/run1.root') res.end(DATA);
  else if (req.url === '/ext/store/bad.root') res.end(Buffer.from('not the data'));
  else res.writeHead(404).end();
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ext`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const fetcher = () => new HttpFetcher({ servers: [url], fqrn: 'ext.cern.ch', rounds: 1 });

describe('readExternal()', () => {
  it('returns the bytes when they match the catalog hash and size', async () => {
    const entry = {
      path: '/store/run1.root',
      size: DATA.length,
      hash: sha1(DATA),
      chunks: undefined,
      compressed: false,
    };
    expect((await readExternal(fetcher(), entry, 'the file')).equals(DATA)).toBe(true);
  });

  it('checks each chunk of a chunked external file over its range', async () => {
    const half = DATA.length / 2;
    const chunks = [
      { offset: 0, size: half, hash: sha1(DATA.subarray(0, half)) },
      { offset: half, size: half, hash: sha1(DATA.subarray(half)) },
    ];
    const entry = { path: '/store/run1.root', size: DATA.length, hash: undefined, chunks, compressed: false };
    expect((await readExternal(fetcher(), entry, 'the file')).length).toBe(DATA.length);
    const wrong = [chunks[0], { ...chunks[1], hash: sha1(Buffer.from('x')) }] as typeof chunks;
    await expect(readExternal(fetcher(), { ...entry, chunks: wrong }, 'the file')).rejects.toThrow(
      /do not match the chunk hash/,
    );
  });

  it('refuses bytes that do not match the hash', async () => {
    const entry = {
      path: '/store/bad.root',
      size: DATA.length,
      hash: sha1(DATA),
      chunks: undefined,
      compressed: false,
    };
    await expect(readExternal(fetcher(), entry, 'the file')).rejects.toMatchObject({ code: 'E_CORRUPT' });
  });
});
