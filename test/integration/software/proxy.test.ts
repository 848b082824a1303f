/**
 * HTTP proxies: the fixture repository is read through a real forward proxy (node:http, in the test) named
 * by CVMFS_HTTP_PROXY or --proxy, after a dead proxy that comes first; a chain of dead proxies fails.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/cli.js';
import {
  deadPort,
  extractFixture,
  type ForwardProxy,
  FQRN,
  forwardProxy,
  type StaticServer,
  serve,
} from './fixture.js';

let server: StaticServer;
let proxy: ForwardProxy;
let dead: string;
let root: string;

beforeAll(async () => {
  const fixture = await extractFixture();
  server = await serve(join(fixture.dir, 'srv'));
  proxy = await forwardProxy();
  dead = `http://127.0.0.1:${await deadPort()}`;
  root = await mkdtemp(join(tmpdir(), 'vml-proxy-root-'));
  await mkdir(join(root, 'etc/cvmfs/keys/cern.ch'), { recursive: true });
  await writeFile(join(root, `etc/cvmfs/keys/cern.ch/${FQRN}.pub`), await readFile(fixture.publicKey));
  // The dead proxy's group comes first, as a site squid that is down would.
  await writeFile(
    join(root, 'etc/cvmfs/default.local'),
    `CVMFS_REPOSITORIES=${FQRN}\nCVMFS_SERVER_URL="${server.url}"\nCVMFS_HTTP_PROXY="${dead};${proxy.url}"\n`,
  );
});

afterAll(async () => {
  await server?.close();
  await proxy?.close();
});

describe('HTTP proxies', () => {
  it('fails over from a dead proxy to a working one and sends every request through it', async () => {
    server.reset();
    proxy.requests.length = 0;
    const into = join(root, 'through-proxy');
    const result = await runAgent([
      'software',
      'preload',
      `${FQRN}:/lcg/releases/ROOT/6.32.04`,
      '--root',
      root,
      '--into',
      into,
      '--json',
      '--verbose',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Proxy ${dead} failed`);
    // Every request the server saw came through the proxy (nothing went DIRECT), with the absolute URL.
    expect(server.requests.length).toBeGreaterThan(3);
    expect(proxy.requests.map((u) => u.replace(/^.*\/cvmfs\/[^/]+\//, '')).sort()).toEqual(
      [...server.requests].sort(),
    );
    const summary = result.events.find((e) => e.type === 'software-preload');
    expect(summary).toMatchObject({ files: 4 });
    const file = join(into, FQRN, 'lcg/releases/ROOT/6.32.04/x86_64-el9-gcc13-opt/bin/thisroot.sh');
    expect((await readFile(file, 'utf8')).length).toBe(211);
  });

  it('balances within a "|" group (dead|live works whichever comes first)', async () => {
    for (let i = 0; i < 3; i++) {
      proxy.requests.length = 0;
      const result = await runAgent([
        'software',
        'list',
        '--root',
        root,
        '--json',
        '--proxy',
        `${dead}|${proxy.url}`,
      ]);
      expect(result.code).toBe(0);
      expect(result.events).toContainEqual(
        expect.objectContaining({ type: 'software-repository', ok: true, revision: 3 }),
      );
      expect(proxy.requests.length).toBeGreaterThan(0);
    }
  });

  it('fails clearly when every proxy is dead, and never bypasses them', async () => {
    server.reset();
    const result = await runAgent([
      'software',
      'preload',
      `${FQRN}:/`,
      '--root',
      root,
      '--into',
      join(root, 'never'),
      '--json',
      '--proxy',
      `${dead}|${dead.replace(/:(\d+)$/, ':1')}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.error?.message).toMatch(/every proxy failed/);
    expect(server.requests).toEqual([]);
  });
});
