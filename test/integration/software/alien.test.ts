/**
 * `preload --alien-cache DIR`: the objects of a revision land in the client's alien-cache layout
 * (DIR/xx/rest-of-hash, inflated, as cvmfs_preload writes them), a re-run after a new revision fetches
 * only the new objects; and a manifest older than one seen before is refused (rollback).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/cli.js';
import { type Expected, extractFixture, type Fixture, FQRN, type StaticServer, serve } from './fixture.js';

let fixture: Fixture;
let server: StaticServer;
let root: string;

beforeAll(async () => {
  fixture = await extractFixture();
  server = await serve(join(fixture.dir, 'srv'));
  root = await mkdtemp(join(tmpdir(), 'vml-alien-root-'));
  await mkdir(join(root, 'etc/cvmfs/keys/cern.ch'), { recursive: true });
  await writeFile(join(root, 'etc/cvmfs/default.local'), `CVMFS_SERVER_URL="${server.url}"\n`);
  await writeFile(join(root, `etc/cvmfs/keys/cern.ch/${FQRN}.pub`), await readFile(fixture.publicKey));
});

afterAll(async () => {
  await server?.close();
});

const inAlien = (dir: string, hash: string) => join(dir, hash.slice(0, 2), hash.slice(2));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Object hashes (catalogs, files, chunks) of a revision. */
function hashesOf(expected: Expected, revision: string): Set<string> {
  const rev = expected.revisions[revision];
  const out = new Set<string>((rev?.catalogs ?? []).map((c) => c.hash));
  for (const e of Object.values(rev?.entries ?? {})) {
    if (e.content_hash) out.add(e.content_hash);
    for (const c of e.chunks ?? []) out.add(c.hash);
  }
  return out;
}

describe('preload --alien-cache', () => {
  it('writes every object of revision 2 inflated in the alien layout, then only what revision 3 added', async () => {
    const alien = join(root, 'alien');
    const args = ['software', 'preload', `${FQRN}:/`, '--root', root, '--alien-cache', alien, '--json'];
    server.reset();
    const first = await runAgent([...args, '--revision', '2']);
    expect(first.code).toBe(0);
    expect(existsSync(join(alien, 'txn'))).toBe(true);
    expect(existsSync(join(root, 'var/lib/vml/software', FQRN))).toBe(false); // no plain tree
    const entries = fixture.expected.revisions['2']?.entries ?? {};
    for (const [path, e] of Object.entries(entries)) {
      if (e.type !== 'file') continue;
      // Whole files and chunks are stored inflated: the file's bytes are the objects' bytes in order.
      const parts = e.chunks
        ? await Promise.all(e.chunks.map((c) => readFile(inAlien(alien, c.hash))))
        : [await readFile(inAlien(alien, e.content_hash as string))];
      const bytes = Buffer.concat(parts);
      expect({ path, size: bytes.length, sha256: sha256(bytes) }).toEqual({
        path,
        size: e.size,
        sha256: e.sha256,
      });
    }
    for (const c of fixture.expected.revisions['2']?.catalogs ?? []) {
      const head = (await readFile(inAlien(alien, c.hash))).subarray(0, 16).toString('latin1');
      expect(head).toBe('SQLite format 3\0');
    }
    expect(first.events.find((e) => e.type === 'software-preload')).toMatchObject({
      alienObjects: expect.any(Number),
      filesWritten: 0,
    });

    server.reset();
    const second = await runAgent(args);
    expect(second.code).toBe(0);
    const before = hashesOf(fixture.expected, '2');
    const added = [...hashesOf(fixture.expected, '3')].filter((h) => !before.has(h));
    const fetched = server.requests
      .filter((r) => r.startsWith('data/'))
      .map((r) => r.slice(5, 46).replace('/', ''));
    expect(fetched.sort()).toEqual(added.sort());
    for (const h of added) expect(existsSync(inAlien(alien, h))).toBe(true);
  });

  it('refuses a manifest whose revision is lower than one seen before', async () => {
    const into = join(root, 'rollback');
    await mkdir(join(into, '.vml-preload'), { recursive: true });
    // As if revision 7 had been seen: the server's signed revision 3 is then a replayed, older manifest.
    await writeFile(join(into, '.vml-preload/revisions.json'), JSON.stringify({ [FQRN]: 7 }));
    const result = await runAgent([
      'software',
      'preload',
      `${FQRN}:/`,
      '--root',
      root,
      '--into',
      into,
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(result.error?.message).toMatch(/it is revision 3, but revision 7 was seen before/);
    expect(existsSync(join(into, FQRN))).toBe(false);
    // A fresh tree records the revision it saw.
    const fresh = join(root, 'fresh');
    const ok = await runAgent([
      'software',
      'preload',
      `${FQRN}:/lcg/releases/ROOT/6.32.04`,
      '--root',
      root,
      '--into',
      fresh,
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(await readFile(join(fresh, '.vml-preload/revisions.json'), 'utf8'))).toEqual({
      [FQRN]: 3,
    });
  });
});
