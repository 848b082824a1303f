/**
 * `software enable|disable` on a root with a real-looking CernVM-FS client configuration: only the
 * variables asked for change in default.local (comments, order, quoting, mode kept), --dry-run prints
 * the same diff as `diff -u` and writes nothing, and the enabled repositories are probed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/cli.js';
import { makeClientRoot, siteLocal } from './client-root.js';
import { deadPort, extractFixture, FQRN, type StaticServer, serve } from './fixture.js';

let server: StaticServer;
let root: string;
let squid: string;
const local = () => join(root, 'etc/cvmfs/default.local');

beforeAll(async () => {
  const fixture = await extractFixture();
  server = await serve(join(fixture.dir, 'srv'));
  squid = `http://127.0.0.1:${await deadPort()}`;
  root = await makeClientRoot(await mkdtemp(join(tmpdir(), 'vml-enable-')), fixture, server.url, squid);
});

afterAll(async () => {
  await server?.close();
});

/** Hunks of `diff -u a b` (the real tool), without the two header lines. */
function realDiff(a: string, b: string): string[] {
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  execFileSync('sh', ['-c', `cat > "${dir}/a"`], { input: a });
  execFileSync('sh', ['-c', `cat > "${dir}/b"`], { input: b });
  try {
    execFileSync('diff', ['-u', `${dir}/a`, `${dir}/b`], { encoding: 'utf8' });
    return [];
  } catch (error) {
    return String((error as { stdout: string }).stdout)
      .trimEnd()
      .split('\n')
      .slice(2);
  }
}

const agent = (...args: string[]) => runAgent(['software', ...args, '--root', root, '--json']);

describe('software enable and disable', () => {
  it('--dry-run prints the diff diff -u would print and changes nothing', async () => {
    const before = await readFile(local(), 'utf8');
    const dry = await agent('enable', FQRN, '--dry-run');
    expect(dry.code).toBe(0);
    expect(await readFile(local(), 'utf8')).toBe(before);
    const change = dry.events.find((e) => e.type === 'software-config');
    expect(change).toMatchObject({ dryRun: true, changed: true, enabled: [FQRN] });
    // The real edit, then the real diff tool, must agree with the dry run's diff.
    const real = await agent('enable', FQRN);
    expect(real.code).toBe(0);
    const after = await readFile(local(), 'utf8');
    expect(change?.diff).toEqual(realDiff(before, after));
  });

  it('changes only CVMFS_REPOSITORIES, keeps comments, order and mode, and probes the repository', async () => {
    const text = await readFile(local(), 'utf8');
    expect(text).toBe(
      siteLocal(squid).replace(
        'CVMFS_REPOSITORIES=atlas.cern.ch,atlas-condb,sft.cern.ch   #',
        `CVMFS_REPOSITORIES=atlas.cern.ch,atlas-condb,sft.cern.ch,${FQRN}   #`,
      ),
    );
    expect((await stat(local())).mode & 0o777).toBe(0o640);
    const again = await agent('enable', FQRN);
    expect(again.code).toBe(0);
    expect(again.events).toContainEqual(expect.objectContaining({ type: 'software-config', changed: false }));
    // Probed through the configured chain: the dead squid first, then DIRECT.
    expect(again.events).toContainEqual(
      expect.objectContaining({ type: 'software-repository', repository: FQRN, ok: true, revision: 3 }),
    );
  });

  it('disables by short or full name, keeping the others in order', async () => {
    const result = await agent('disable', 'atlas-condb.cern.ch', 'sft');
    expect(result.code).toBe(0);
    expect(result.events).toContainEqual(
      expect.objectContaining({ type: 'software-config', disabled: ['atlas-condb', 'sft.cern.ch'] }),
    );
    expect(await readFile(local(), 'utf8')).toContain(
      `CVMFS_REPOSITORIES=atlas.cern.ch,${FQRN}   # what autofs mounts\n`,
    );
  });

  it('sets --proxy and --quota in place, and warns (exit 3) about a repository that does not probe', async () => {
    const result = await agent(
      'enable',
      'missing.cern.ch',
      '--proxy',
      `${squid}|${squid};DIRECT`,
      '--quota',
      '30GB',
    );
    expect(result.code).toBe(3);
    const text = await readFile(local(), 'utf8');
    expect(text).toContain(`\nCVMFS_HTTP_PROXY="${squid}|${squid};DIRECT"\n`);
    expect(text).toContain('\n# 20 GB of cache\nCVMFS_QUOTA_LIMIT=30720\n');
    expect(text).toContain(`CVMFS_REPOSITORIES=atlas.cern.ch,${FQRN},missing.cern.ch   #`);
    expect(result.events).toContainEqual(
      expect.objectContaining({ type: 'software-repository', repository: 'missing.cern.ch', ok: false }),
    );
    expect(
      result.events.some(
        (e) => e.type === 'warning' && /missing\.cern\.ch.*does not probe/.test(String(e.message)),
      ),
    ).toBe(true);
  });

  it('refuses a malformed proxy chain and an invalid quota (exit 2) without touching the file', async () => {
    const before = await readFile(local(), 'utf8');
    const proxy = await agent('enable', FQRN, '--proxy', 'https://squid:3128');
    expect(proxy.code).toBe(2);
    expect(proxy.error?.message).toMatch(/Invalid --proxy/);
    const quota = await agent('enable', FQRN, '--quota', 'lots');
    expect(quota.code).toBe(2);
    expect(await readFile(local(), 'utf8')).toBe(before);
  });
});
