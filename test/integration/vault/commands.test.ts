/**
 * init's identity and publish's options on the built CLI, on a small guest with one real SSH key
 * (ssh-keygen). About 10 s: each identity costs a scrypt of about a second.
 */
import { lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSshKeys, type SshKeys } from '../../helpers/credentials.js';
import { at, makeGuestRoot, runAgent, writeFiles } from '../helpers/cli.js';
import { logbookContents, whereFound } from './logbook-bytes.js';

const IDENTITY = 'home/alice/.config/vml/identity.age';
const pass = (p: string) => ({ env: { VML_IDENTITY_PASSPHRASE: p } });

let dir: string;
let ssh: SshKeys;
let n = 0;

/** A fresh guest with alice's SSH key, and a logbook path beside it. */
async function guest(): Promise<{ root: string; lb: string; args: string[] }> {
  const base = join(dir, `g${n++}`);
  const root = await makeGuestRoot(join(base, 'root'), {
    'home/alice/.ssh/id_ed25519': { content: ssh.user.bytes, mode: 0o600 },
    'home/alice/analysis/run.py': 'print(1)\n',
  });
  const lb = join(base, 'lb');
  return { root, lb, args: [...at(root, lb), '--entry', 'alice/env', '--json'] };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-vault-cmd-'));
  ssh = await makeSshKeys(join(dir, 'ssh'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('init and the identity', () => {
  it('without a passphrase and without a terminal it writes the config and says how to make the identity', async () => {
    const g = await guest();
    const r = await runAgent(['init', ...g.args]);
    expect(r.code, r.stderr).toBe(0);
    const info = r.events.find((e) => e.type === 'info' && String(e.message).includes('No identity created'));
    expect(info?.message).toContain('VML_IDENTITY_PASSPHRASE');
    expect(await lstat(join(g.root, IDENTITY)).catch(() => undefined)).toBeUndefined();
    expect(await readFile(join(g.root, 'etc/vml/agent.yaml'), 'utf8')).not.toContain('recipient');
  });

  it('refuses a short passphrase', async () => {
    const g = await guest();
    const r = await runAgent(['init', ...g.args], pass('short'));
    expect(r.code).toBe(2);
    expect(r.error?.message).toContain('too short');
  });

  it('a second init keeps the identity (same recipient); a wrong passphrase is exit 12', async () => {
    const g = await guest();
    const first = await runAgent(['init', ...g.args], pass('first passphrase'));
    expect(first.code, first.stderr).toBe(0);
    const summary = first.events.find((e) => e.type === 'init-summary');
    expect(summary).toMatchObject({ identityCreated: true, identity: join(g.root, IDENTITY) });
    expect(JSON.stringify(first.events)).not.toContain('AGE-SECRET-KEY');
    const again = await runAgent(['init', ...g.args], pass('first passphrase'));
    expect(again.events.find((e) => e.type === 'init-summary')).toMatchObject({
      identityCreated: false,
      recipient: summary?.recipient,
    });
    const wrong = await runAgent(['init', ...g.args], pass('another passphrase'));
    expect(wrong.code).toBe(12);
  }, 120_000); // three scrypt runs of 256 MiB each: slow on a loaded machine

  it('--no-identity: backups keep long-lived credentials out of the files and say so', async () => {
    const g = await guest();
    expect((await runAgent(['init', ...g.args, '--no-identity'])).code).toBe(0);
    expect(await lstat(join(g.root, IDENTITY)).catch(() => undefined)).toBeUndefined();
    expect(await readFile(join(g.root, 'etc/vml/agent.yaml'), 'utf8')).not.toContain('recipient');
    const backup = await runAgent(['backup', ...g.args]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.events.some((e) => e.type === 'info' && String(e.message).includes('kept out'))).toBe(true);
    expect(whereFound(await logbookContents(g.lb), ssh.user.secret)).toEqual([]);
  });
});

describe('backups after the first', () => {
  it('look again only at changed files, yet find a new credential and keep sealing the earlier one', async () => {
    const g = await guest();
    expect((await runAgent(['init', ...g.args], pass('second passphrase'))).code).toBe(0);
    expect((await runAgent(['backup', ...g.args])).code).toBe(0);
    await writeFiles(g.root, { 'home/alice/.ssh/id_rsa': { content: ssh.encrypted.bytes, mode: 0o600 } });
    expect((await runAgent(['backup', ...g.args])).code).toBe(0);
    const show = await runAgent(['show', ...g.args.filter((a) => a !== '--json'), 'alice/env@v2']);
    expect(show.stdout).toContain('2 sealed in the vault');
    expect(show.stdout).toContain('sealed    home/alice/.ssh/id_rsa (ssh-private-key)');
    expect(show.stdout).toContain('sealed    home/alice/.ssh/id_ed25519 (ssh-private-key)');
    const contents = await logbookContents(g.lb);
    expect(whereFound(contents, ssh.encrypted.secret)).toEqual([]);
    expect(whereFound(contents, ssh.user.secret)).toEqual([]);
  }, 120_000);
});

describe('publish options', () => {
  let g: { root: string; lb: string; args: string[] };
  beforeAll(async () => {
    g = await guest();
    expect((await runAgent(['init', ...g.args], pass('publish passphrase'))).code).toBe(0);
    expect((await runAgent(['backup', ...g.args])).code).toBe(0);
  });

  it('without --public it is a usage error', async () => {
    const r = await runAgent(['publish', ...g.args]);
    expect(r.code).toBe(2);
    expect(r.error?.message).toContain('--public');
  });

  it('--list-sanitizers lists them, marking the selection; an unknown name is a usage error', async () => {
    const list = await runAgent([
      'publish',
      ...g.args,
      '--list-sanitizers',
      '--sanitizers',
      'defaults,-kerberos',
    ]);
    expect(list.code).toBe(0);
    const rows = list.events.filter((e) => e.type === 'publish-sanitizer');
    expect(rows.find((e) => e.name === 'kerberos')).toMatchObject({ selected: false });
    expect(rows.find((e) => e.name === 'ssh-user-keys')).toMatchObject({ selected: true });
    const bad = await runAgent(['publish', ...g.args, '--public', '--sanitizers', 'no-such-one']);
    expect(bad.code).toBe(2);
  });

  it('--dry-run shows the findings and writes no version', async () => {
    const r = await runAgent(['publish', ...g.args, '--public', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.events.filter((e) => e.type === 'publish-finding').map((e) => e.path)).toEqual(
      expect.arrayContaining(['home/alice/.ssh/id_ed25519', IDENTITY]),
    );
    const log = await runAgent(['log', ...g.args]);
    expect(log.events.filter((e) => e.type === 'version')).toHaveLength(1);
  });

  it('publishes once; a public version cannot be published again', async () => {
    const r = await runAgent(['publish', ...g.args, '--public']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.events.find((e) => e.type === 'publish-summary')).toMatchObject({
      from: 'alice/env@v1',
      version: 'alice/env@v2',
    });
    const again = await runAgent(['publish', ...g.args, 'alice/env@v2', '--public']);
    expect(again.code).toBe(2);
    expect(again.error?.message).toContain('already public');
  });
});
