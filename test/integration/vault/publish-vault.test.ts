/**
 * The credential vault and publish, end to end on the built CLI: real credentials and decoys in a guest
 * with two users and etc/ (full-root recipe), `init` (identity), `backup` (private: vault), `publish
 * --public`, then the whole logbook searched for every planted secret, and restores with and without the
 * identity. About 20 s alone (40 s on a loaded machine), most of it scrypt (the identity passphrase) and
 * key generation.
 */
import { lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentEvent, at, makeGuestRoot, runAgent } from '../helpers/cli.js';
import { type Fixture, makeFixture, saveCopy } from './fixture.js';
import { logbookContents, whereFound } from './logbook-bytes.js';

const PASSPHRASE = 'vault test passphrase';
const WITH_PASSPHRASE = { env: { VML_IDENTITY_PASSPHRASE: PASSPHRASE } };
const IDENTITY = 'home/alice/.config/vml/identity.age';

let dir: string;
let lb: string;
let fx: Fixture;
let published: AgentEvent[];
let savedIdentity: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-vault-it-'));
  lb = join(dir, 'lb');
  fx = await makeFixture(dir);
  const common = [...at(fx.root, lb), '--entry', 'alice/env', '--json'];
  const init = await runAgent(['init', ...common, '--recipe', 'full-root'], WITH_PASSPHRASE);
  expect(init.code, init.stderr).toBe(0);
  savedIdentity = join(dir, 'laptop/identity.age'); // "saved off the VM"
  await saveCopy(join(fx.root, IDENTITY), savedIdentity);
  // No passphrase in the environment: the backup must need none.
  const backup = await runAgent(['backup', ...common]);
  expect(backup.code, backup.stderr).toBe(0);
  const publish = await runAgent(['publish', ...common, '--public']);
  expect(publish.code, publish.stderr).toBe(0);
  published = publish.events;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Planted files are absent from `target`, except the redacted copies: they keep their line, lose the secret. */
async function expectOnlyRedacted(target: string): Promise<void> {
  for (const p of fx.planted) {
    const bytes = await readFile(join(target, p.path)).catch(() => undefined);
    if (p.keeps === undefined) {
      expect(bytes, p.path).toBeUndefined();
      continue;
    }
    expect(bytes?.toString(), p.path).toContain(p.keeps);
    expect(bytes?.includes(p.secret as Buffer), p.path).toBe(false);
  }
}

describe('vault and publish on real credentials', () => {
  it('init kept the identity in the owner home (0600, owner alice) and only its recipient in agent.yaml', async () => {
    const s = await lstat(join(fx.root, IDENTITY));
    expect(s.mode & 0o777).toBe(0o600);
    expect(s.uid).toBe(1000);
    const config = await readFile(join(fx.root, 'etc/vml/agent.yaml'), 'utf8');
    expect(config).toMatch(/^recipient: age1[0-9a-z]+$/m);
    expect(config).not.toContain('AGE-SECRET-KEY');
  });

  it('no planted secret appears anywhere in the logbook: stored files and every decoded blob', async () => {
    const contents = await logbookContents(lb);
    expect(contents.length).toBeGreaterThan(10);
    const secrets = fx.planted.filter((p) => p.secret !== undefined);
    expect(secrets.length).toBe(fx.planted.length - 1); // all but the certificate
    const leaks = secrets.map((p) => ({ path: p.path, in: whereFound(contents, p.secret as Buffer) }));
    expect(leaks.filter((l) => l.in.length > 0)).toEqual([]);
    // The search itself works: a decoy's bytes are found.
    const decoy = await readFile(join(fx.root, 'home/alice/analysis/run.py'));
    expect(whereFound(contents, decoy).length).toBeGreaterThan(0);
  });

  it('the findings list every planted credential with its class, and no decoy', () => {
    const findings = published.filter((e) => e.type === 'publish-finding');
    const byPath = new Map(findings.map((f) => [f.path as string, f]));
    for (const p of fx.planted) {
      expect(byPath.get(p.path), p.path).toMatchObject({ action: 'record', credential: p.credential });
    }
    expect(byPath.get(IDENTITY)).toMatchObject({ action: 'delete', kind: 'age-identity' });
    for (const d of fx.decoys) expect(byPath.has(d), d).toBe(false);
    expect([...byPath.keys()].sort()).toEqual([...fx.planted.map((p) => p.path), IDENTITY].sort());
    for (const f of findings) expect(JSON.stringify(f)).not.toMatch(/BEGIN|PRIVATE|AGE-SECRET/);
  });

  it('the public version keeps every decoy intact, and show prints its findings', async () => {
    const target = join(dir, 'public-restore');
    await makeGuestRoot(target);
    const r = await runAgent(['restore', ...at(target, lb), 'alice/env@v2', '--json']);
    expect(r.code, r.stderr).toBe(3); // warnings: the credentials are not in a public version
    for (const d of fx.decoys) {
      expect(await readFile(join(target, d)), d).toEqual(await readFile(join(fx.root, d)));
    }
    await expectOnlyRedacted(target);
    expect(await lstat(join(target, IDENTITY)).catch(() => undefined)).toBeUndefined();
    const show = await runAgent(['show', ...at(target, lb), 'alice/env@v2']);
    expect(show.stdout).toContain('public copy of alice/env@v1');
    expect(show.stdout).toContain('record     home/alice/.globus/userkey.pem');
    const manifest = JSON.parse(show.stdout.slice(show.stdout.indexOf('\n{'))) as Record<string, unknown>;
    expect(manifest.visibility).toBe('public');
    expect(manifest.attachments).toBeUndefined();
  });

  it('restore of the private version with the identity brings the long-lived credentials back byte-identical', async () => {
    const target = join(dir, 'private-restore');
    await makeGuestRoot(target);
    const r = await runAgent(
      ['restore', ...at(target, lb), 'alice/env@v1', '--identity', savedIdentity, '--json'],
      WITH_PASSPHRASE,
    );
    expect([0, 3], r.stderr).toContain(r.code);
    for (const p of fx.planted.filter((x) => x.credential === 'long-lived')) {
      expect(await readFile(join(target, p.path)), p.path).toEqual(await readFile(join(fx.root, p.path)));
      const s = await lstat(join(target, p.path));
      expect(s.mode & 0o7777, p.path).toBe(p.mode);
      expect(s.uid, p.path).toBe(p.uid);
    }
    const report = JSON.parse(await readFile(join(target, 'var/lib/vml/last-restore.json'), 'utf8'));
    const subjects = report.problems.map((p: { subject: string }) => p.subject).sort();
    expect(subjects).toEqual(
      fx.planted
        .filter((p) => p.credential === 'session')
        .map((p) => p.path)
        .sort(),
    );
  });

  it('without the identity, the restore report lists each credential with its hint', async () => {
    const target = join(dir, 'no-identity');
    await makeGuestRoot(target);
    const r = await runAgent(['restore', ...at(target, lb), 'alice/env@v1', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const report = JSON.parse(await readFile(join(target, 'var/lib/vml/last-restore.json'), 'utf8'));
    const problems = report.problems as { kind: string; subject: string; hint?: string }[];
    expect(problems.map((p) => p.subject).sort()).toEqual(fx.planted.map((p) => p.path).sort());
    for (const p of problems) {
      expect(p.kind).toBe('credential');
      expect(p.hint, p.subject).toBeTruthy();
    }
    expect(problems.find((p) => p.subject === 'home/alice/work/x509up_u1000')?.hint).toContain(
      'voms-proxy-init',
    );
    expect(problems.find((p) => p.subject === 'home/alice/.krb5/krb5cc_1000')?.hint).toContain('kinit');
    await expectOnlyRedacted(target);
    // The next login says the same: each credential with the command that makes it anew.
    const login = await runAgent(['login-warnings', '--root', target, '--json']);
    const warnings = login.events.filter((e) => e.type === 'login-warning' && e.check === 'restore');
    expect(warnings.find((w) => w.subject === 'home/alice/work/x509up_u1000')?.hint).toContain(
      'voms-proxy-init',
    );
    expect(warnings.map((w) => w.subject).sort()).toEqual(fx.planted.map((p) => p.path).sort());
  });

  it('diff of the private version against the unchanged live root shows nothing, redacted files included', async () => {
    const r = await runAgent(['diff', ...at(fx.root, lb), 'alice/env@v1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.events.filter((e) => e.type === 'diff-item' || e.type === 'diff-fact')).toEqual([]);
  });

  it('a restore never removes a live credential, nor overwrites one with its redacted copy', async () => {
    const r = await runAgent(['restore', ...at(fx.root, lb), 'alice/env@v1', '--dry-run', '--json']);
    expect([0, 3], r.stderr).toContain(r.code); // 3: the session credentials cannot come back
    const actions = r.events.filter((e) => e.type === 'restore-action');
    // The live root is the one backed up: the sealed files and the originals of the redacted ones differ
    // from the version's files, and must be left alone all the same.
    expect(actions.map((e) => `${e.action} ${e.path}`)).toEqual([]);
  });
});
