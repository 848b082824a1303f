/**
 * The cvmfs step end to end: backup of a root with a real-looking client configuration and a "mounted"
 * repository (a directory carrying the user.revision and user.root_hash attributes the client exposes on
 * /cvmfs/REPO: a FUSE mount cannot run here), show, diff against the live root, and restore into fresh
 * roots: configuration written back, the repository probed and pinned while its revision still exists,
 * and a problem reported once the server no longer has it.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/cli.js';
import { makeClientRoot } from './client-root.js';
import {
  copyServed,
  deadPort,
  extractFixture,
  type Fixture,
  FQRN,
  type StaticServer,
  serve,
} from './fixture.js';

const SECRET = 'planted-cvmfs-token-5e1d';
const REV2_ROOT = '25ebb67d224dc711ecf1b6a907ae0c9ae2c452fc';
let fixture: Fixture;
let server: StaticServer;
let srv: string;
let squid: string;
let root: string;
let logbook: string;

const RECIPE = `version: 1
description: Home and the CernVM-FS state
steps:
  - id: home
    kind: files
    with:
      include: ["{home}/**"]
  - kind: cvmfs
    with:
      probe: true
      pin: true
`;

/** Marks /cvmfs/FQRN under `dir` as mounted at `revision` (what the client's magic xattrs say). */
function mount(dir: string, revision: number, rootHash: string): void {
  const path = join(dir, 'cvmfs', FQRN);
  execFileSync('mkdir', ['-p', path]);
  execFileSync('setfattr', ['-n', 'user.revision', '-v', String(revision), path]);
  execFileSync('setfattr', ['-n', 'user.root_hash', '-v', rootHash, path]);
}

/** A freshly installed client: packages' files and keys, no site configuration. */
async function freshRoot(): Promise<string> {
  const dir = await makeClientRoot(
    await mkdtemp(join(tmpdir(), 'vml-cvmfs-fresh-')),
    fixture,
    server.url,
    squid,
  );
  await rm(join(dir, 'etc/cvmfs/default.local'));
  await rm(join(dir, 'etc/cvmfs/config.d'), { recursive: true });
  // The restore reads the version's recipe from the root, as the backup did.
  await mkdir(join(dir, 'etc/vml/recipes'), { recursive: true });
  await writeFile(join(dir, 'etc/vml/recipes/cvmfs-env.yaml'), RECIPE);
  return dir;
}

const common = (r: string) => [
  '--root',
  r,
  '--logbook',
  `dir:${logbook}`,
  '--entry',
  'alice/cvmfs',
  '--json',
];

beforeAll(async () => {
  fixture = await extractFixture();
  srv = await copyServed(fixture);
  server = await serve(srv);
  squid = `http://127.0.0.1:${await deadPort()}`;
  root = await makeClientRoot(await mkdtemp(join(tmpdir(), 'vml-cvmfs-step-')), fixture, server.url, squid);
  await writeFile(
    join(root, 'etc/cvmfs/default.local'),
    `# Site configuration\nCVMFS_REPOSITORIES=${FQRN}\nCVMFS_HTTP_PROXY="${squid};DIRECT"\nCVMFS_QUOTA_LIMIT=20000\n`,
  );
  await writeFile(
    join(root, 'etc/cvmfs/domain.d/cern.ch.local'),
    `CVMFS_USE_GEOAPI=no\nCVMFS_AUTHZ_TOKEN=${SECRET}\n`,
  );
  await mkdir(join(root, 'home/alice'), { recursive: true });
  await writeFile(join(root, 'home/alice/analysis.C'), 'void analysis() {}\n');
  await mkdir(join(root, 'etc/vml/recipes'), { recursive: true });
  await writeFile(join(root, 'etc/vml/recipes/cvmfs-env.yaml'), RECIPE);
  mount(root, 2, REV2_ROOT);
  logbook = join(await mkdtemp(join(tmpdir(), 'vml-cvmfs-logbook-')), 'lb');
  expect((await runAgent(['init', ...common(root), '--no-config'])).code).toBe(0);
});

afterAll(async () => {
  await server?.close();
});

describe('cvmfs step', () => {
  it('records the configuration without secret lines and the mounted revision; show prints it', async () => {
    const backup = await runAgent(['backup', ...common(root), '--recipe', 'cvmfs-env']);
    expect(backup.code, backup.stderr).toBe(0);
    const show = await runAgent(['show', 'alice/cvmfs@v1', ...common(root)]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toContain(SECRET);
    const event = show.events.find((e) => e.type === 'show') as unknown as {
      facts: Record<string, string[]>;
    };
    expect(event.facts.cvmfs).toEqual([`${FQRN}: revision 2, root ${REV2_ROOT.slice(0, 12)} (mounted)`]);
    expect(show.stdout).toContain('CVMFS_USE_GEOAPI=no');
  });

  it('diff against the live root shows changed settings and revisions', async () => {
    const edit = await runAgent(['software', 'enable', '--quota', '30000', '--root', root, '--json']);
    expect(edit.code).toBe(0);
    mount(root, 3, 'fb9c8e58177c40a7ce8c6324899eeba73730704d');
    const diff = await runAgent(['diff', 'alice/cvmfs@v1', ...common(root)]);
    expect(diff.code, diff.stderr).toBe(0);
    const facts = diff.events
      .filter((e) => e.type === 'diff-fact')
      .map((e) => [e.change, e.subject, e.detail ?? '']);
    expect(facts).toEqual([
      ['modified', 'setting CVMFS_QUOTA_LIMIT', '20000 -> 30000'],
      ['modified', 'file etc/cvmfs/default.local', ''],
      ['modified', `repository ${FQRN} revision`, '2 -> 3'],
    ]);
  });

  it('restores into a fresh root: configuration back, repository probed and pinned to revision 2', async () => {
    const fresh = await freshRoot();
    const dry = await runAgent(['restore', 'alice/cvmfs@v1', ...common(fresh), '--dry-run']);
    expect(dry.code, dry.stderr).toBe(3); // the omitted secret line is a warning already
    expect(dry.events).toContainEqual(
      expect.objectContaining({
        type: 'step-action',
        action: 'create etc/cvmfs/default.local',
        dryRun: true,
      }),
    );
    const restored = await runAgent(['restore', 'alice/cvmfs@v1', ...common(fresh)]);
    // Exit 3: the omitted secret line is reported, as it must be restored by hand.
    expect(restored.code, restored.stderr).toBe(3);
    expect(await readFile(join(fresh, 'etc/cvmfs/default.local'), 'utf8')).toContain(
      'CVMFS_QUOTA_LIMIT=20000\n',
    );
    const domain = await readFile(join(fresh, 'etc/cvmfs/domain.d/cern.ch.local'), 'utf8');
    expect(domain).toBe('CVMFS_USE_GEOAPI=no\n');
    const pinned = await readFile(join(fresh, `etc/cvmfs/config.d/${FQRN}.local`), 'utf8');
    expect(pinned).toMatch(new RegExp(`^CVMFS_SERVER_URL=".*"\\nCVMFS_ROOT_HASH=${REV2_ROOT}\\n$`, 'm'));
    expect(restored.events).toContainEqual(
      expect.objectContaining({ type: 'step-action', action: `probed ${FQRN}: revision 3` }),
    );
    const report = JSON.parse(await readFile(join(fresh, 'var/lib/vml/last-restore.json'), 'utf8'));
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'configuration', subject: 'etc/cvmfs/domain.d/cern.ch.local' }),
    ]);
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });

  it('reports a repository problem when the recorded revision is gone from the server', async () => {
    await rm(join(srv, 'cvmfs', FQRN, 'data', REV2_ROOT.slice(0, 2), `${REV2_ROOT.slice(2)}C`));
    const fresh = await freshRoot();
    const restored = await runAgent(['restore', 'alice/cvmfs@v1', ...common(fresh)]);
    expect(restored.code).toBe(3);
    const report = JSON.parse(await readFile(join(fresh, 'var/lib/vml/last-restore.json'), 'utf8'));
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        kind: 'repository',
        subject: FQRN,
        message: expect.stringMatching(/no longer on the server/),
      }),
    );
    expect(await readFile(join(fresh, `etc/cvmfs/config.d/${FQRN}.local`), 'utf8')).not.toContain(
      'CVMFS_ROOT_HASH',
    );
  });
});
