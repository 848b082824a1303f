/**
 * `vml-agent software preload` against the real fixture repository served on 127.0.0.1: the plain tree of
 * revisions 2 and 3 matches expected.json, a re-run transfers only the changed objects, and tampered
 * catalogs, objects, manifests and whitelists are refused.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/cli.js';
import { type Expected, extractFixture, type Fixture, FQRN, type StaticServer, serve } from './fixture.js';

let fixture: Fixture;
let server: StaticServer;
let root: string;
let into: string;

beforeAll(async () => {
  fixture = await extractFixture();
  server = await serve(join(fixture.dir, 'srv'));
  // A guest root whose CernVM-FS configuration says where to fetch from and whom to trust.
  root = await mkdtemp(join(tmpdir(), 'vml-software-root-'));
  await mkdir(join(root, 'etc/cvmfs/keys/cern.ch'), { recursive: true });
  await writeFile(
    join(root, 'etc/cvmfs/default.local'),
    `CVMFS_REPOSITORIES=${FQRN}\nCVMFS_SERVER_URL="${server.url}"\nCVMFS_HTTP_PROXY=DIRECT\n`,
  );
  await writeFile(join(root, `etc/cvmfs/keys/cern.ch/${FQRN}.pub`), await readFile(fixture.publicKey));
  into = join(root, 'preloaded');
});

afterAll(async () => {
  await server?.close();
});

const preloadArgs = (extra: string[]) => [
  'software',
  'preload',
  `${FQRN}:/`,
  '--root',
  root,
  '--json',
  ...extra,
];

/** Checks that `dir` holds exactly the entries of `revision` in expected.json. */
async function expectTree(dir: string, expected: Expected, revision: string): Promise<void> {
  const entries = expected.revisions[revision]?.entries ?? {};
  const inodes = new Map<string, number>();
  for (const [path, e] of Object.entries(entries)) {
    const abs = join(dir, path);
    const st = await lstat(abs);
    expect({ path, mode: `0o${st.mode.toString(8)}` }).toEqual({ path, mode: e.mode });
    if (e.type === 'file') {
      const sha256 = createHash('sha256')
        .update(await readFile(abs))
        .digest('hex');
      expect({ path, size: st.size, sha256 }).toEqual({ path, size: e.size, sha256: e.sha256 });
      expect(Math.floor(st.mtimeMs / 1000)).toBe(e.mtime);
      if (e.hardlink_group) {
        const group = `${e.catalog}#${e.hardlink_group}`;
        const seen = inodes.get(group);
        if (seen === undefined) inodes.set(group, st.ino);
        else expect(st.ino, `${path} is hard-linked to its group`).toBe(seen);
      }
    } else if (e.type === 'symlink') {
      expect({ path, target: await readlink(abs) }).toEqual({ path, target: e.target });
    } else {
      expect(st.isDirectory()).toBe(true);
    }
  }
  // Nothing more than expected.
  const live: string[] = [];
  const walk = async (abs: string, rel: string) => {
    for (const name of await readdir(abs)) {
      live.push(`${rel}/${name}`);
      const st = await lstat(join(abs, name));
      if (st.isDirectory()) await walk(join(abs, name), `${rel}/${name}`);
    }
  };
  await walk(dir, '');
  expect(live.sort()).toEqual(Object.keys(entries).sort());
}

/** Object paths (data/xx/…) a revision needs: catalogs and file contents/chunks. */
function objectsOf(expected: Expected, revision: string): Set<string> {
  const rev = expected.revisions[revision];
  const out = new Set<string>();
  const path = (hash: string, suffix: string) => `data/${hash.slice(0, 2)}/${hash.slice(2)}${suffix}`;
  for (const c of rev?.catalogs ?? []) out.add(path(c.hash, 'C'));
  for (const e of Object.values(rev?.entries ?? {})) {
    if (e.content_hash) out.add(path(e.content_hash, ''));
    for (const c of e.chunks ?? []) out.add(path(c.hash, 'P'));
  }
  return out;
}

describe('software preload', () => {
  it('writes revision 2 from the root configuration, then only what revision 3 changed', async () => {
    server.reset();
    const first = await runAgent(preloadArgs(['--into', into, '--revision', '2']));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = first.events.find((e) => e.type === 'software-preload');
    expect(summary).toMatchObject({ repository: FQRN, revision: 2, files: 19, symlinks: 5 });
    await expectTree(join(into, FQRN), fixture.expected, '2');
    if (existsSync('/usr/bin/getfattr')) {
      const dump = execFileSync(
        'getfattr',
        [
          '-d',
          '--absolute-names',
          join(into, FQRN, 'lcg/releases/ROOT/6.32.02/x86_64-el9-gcc13-opt/tutorials'),
        ],
        { encoding: 'utf8' },
      );
      expect(dump).toContain('user.lcg.tutorials="yes"');
    }

    server.reset();
    const second = await runAgent(preloadArgs(['--into', into]));
    expect(second.code).toBe(0);
    await expectTree(join(into, FQRN), fixture.expected, '3');
    // Transferred: the signed files, and exactly the objects revision 3 has and revision 2 had not.
    const before = objectsOf(fixture.expected, '2');
    const changed = [...objectsOf(fixture.expected, '3')].filter((o) => !before.has(o));
    // The certificate is cached from the first run; objects already on disk are copied, not fetched.
    const fetched = server.requests.filter((r) => r.startsWith('data/'));
    expect(fetched.sort()).toEqual(changed.sort());
    expect(server.requests.filter((r) => !r.startsWith('data/')).sort()).toEqual([
      '.cvmfspublished',
      '.cvmfswhitelist',
    ]);
    const again = second.events.find((e) => e.type === 'software-preload');
    expect(again).toMatchObject({ revision: 3, removed: 1, requests: server.requests.length });

    // A third run has nothing to fetch but the signed files.
    server.reset();
    const third = await runAgent(preloadArgs(['--into', into]));
    expect(third.code).toBe(0);
    expect(server.requests.sort()).toEqual(['.cvmfspublished', '.cvmfswhitelist']);
    expect(third.events.find((e) => e.type === 'software-preload')).toMatchObject({ filesWritten: 0 });
  });

  it('preloads one nested subtree with --server and --public-key, and --dry-run writes nothing', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'vml-software-into-'));
    const flags = ['--into', dest, '--server', server.url, '--public-key', fixture.publicKey];
    const dry = await runAgent([
      'software',
      'preload',
      `${FQRN}:/lcg/releases/ROOT/6.32.04`,
      '--json',
      '--dry-run',
      ...flags,
    ]);
    expect(dry.code).toBe(0);
    expect(dry.events.find((e) => e.type === 'software-preload')).toMatchObject({ dryRun: true, files: 4 });
    expect(existsSync(join(dest, FQRN))).toBe(false);
    const real = await runAgent([
      'software',
      'preload',
      `/cvmfs/${FQRN}/lcg/releases/ROOT/6.32.04`,
      '--json',
      ...flags,
    ]);
    expect(real.code).toBe(0);
    const sub = join(dest, FQRN, 'lcg/releases/ROOT/6.32.04/x86_64-el9-gcc13-opt/bin/thisroot.sh');
    expect((await readFile(sub, 'utf8')).length).toBe(211);
    expect(existsSync(join(dest, FQRN, 'lcg/releases/ROOT/6.32.02'))).toBe(false);
  });

  it('lists the configured repository with its revision', async () => {
    const result = await runAgent(['software', 'list', '--root', root, '--json']);
    expect(result.code).toBe(0);
    expect(result.events).toContainEqual(
      expect.objectContaining({ type: 'software-repository', repository: FQRN, ok: true, revision: 3 }),
    );
  });
});
