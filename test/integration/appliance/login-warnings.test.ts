/**
 * `vml-agent login-warnings` on a phony guest: the restore report, a grid proxy made by openssl (expired and
 * valid), real `klist -s` against the owner's (absent) ticket cache, fstab network mounts against the root's
 * own proc/self/mounts, CernVM-FS repositories under the root's /cvmfs; then the file written with --write
 * and printed by the profile.d hooks, in interactive bash and tcsh login shells only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGuestRoot, REPO_ROOT, runAgent } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-warnings-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A self-signed "proxy" (certificate then key, as voms-proxy-init writes it) valid between two dates. */
async function proxy(start: string, end: string): Promise<string> {
  const ca = await mkdtemp(join(dir, 'ca-'));
  await writeFile(join(ca, 'index.txt'), '');
  await writeFile(join(ca, 'serial'), '01\n');
  await writeFile(
    join(ca, 'ca.cnf'),
    `[ca]\ndefault_ca=d\n[d]\ndatabase=${ca}/index.txt\nnew_certs_dir=${ca}\nserial=${ca}/serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n`,
  );
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: ca, stdio: 'pipe' });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'key.pem']);
  run(['req', '-new', '-key', 'key.pem', '-subj', '/CN=alice', '-out', 'req.pem']);
  run(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'key.pem',
      '-in',
      'req.pem',
    ].concat(['-out', 'cert.pem', '-startdate', start, '-enddate', end]),
  );
  return (await readFile(join(ca, 'cert.pem'), 'utf8')) + (await readFile(join(ca, 'key.pem'), 'utf8'));
}

const REPORT = {
  format: 1,
  version: 'alice/higgs@v7',
  time: '2026-01-01T00:00:00Z',
  problems: [
    {
      step: 'credentials',
      kind: 'credential',
      subject: 'home/alice/.globus/userkey.pem',
      message: 'the grid certificate was stripped from this public version',
      hint: 'voms-proxy-init -voms atlas',
    },
  ],
};

let root: string;
beforeAll(async () => {
  root = await makeGuestRoot(join(dir, 'root'), {
    'etc/vml/agent.yaml': 'entry: alice/higgs\n',
    'etc/krb5.conf': '[libdefaults]\n default_realm = CERN.CH\n',
    'etc/fstab':
      '/dev/vda / ext4 defaults 0 1\nfs:/eos /eos nfs4 defaults 0 0\nfs:/x /x nfs noauto 0 0\n' +
      'share /mnt/my\\040data 9p trans=virtio,_netdev 0 0\n',
    'proc/self/mounts': '/dev/vda / ext4 rw 0 0\nshare /mnt/my\\040data 9p rw 0 0\n',
    'etc/cvmfs/default.local': 'CVMFS_REPOSITORIES=atlas,sft.cern.ch\n',
    'cvmfs/atlas.cern.ch/repo/README': 'x',
    'home/alice/.globus/usercert.pem': 'not read',
    'tmp/x509up_u1000': await proxy('20200101000000Z', '20200102000000Z'),
  });
});

const warnings = async (r: string) =>
  (await runAgent(['login-warnings', '--root', r, '--json'])).events.filter(
    (e) => e.type === 'login-warning',
  );

describe('login-warnings', () => {
  it('lists the live problems of the entry owner, with the command that fixes each', async () => {
    const found = await warnings(root);
    expect(found.map((w) => [w.check, w.subject, w.message, w.hint])).toEqual([
      [
        'proxy',
        '/tmp/x509up_u1000',
        'The grid proxy expired at 2020-01-02 00:00 UTC',
        'voms-proxy-init -voms atlas',
      ],
      ['kerberos', undefined, 'No valid Kerberos ticket for alice', 'kinit alice@CERN.CH'],
      ['mounts', '/eos', 'Network file system /eos (nfs4) is not mounted', 'sudo mount /eos'],
      [
        'cvmfs',
        'sft.cern.ch',
        'CernVM-FS repository sft.cern.ch is not available',
        'cvmfs_config probe sft.cern.ch',
      ],
    ]);
  });

  it('puts the restore report first and does not repeat the proxy it already names', async () => {
    await mkdir(join(root, 'var/lib/vml'), { recursive: true });
    await writeFile(join(root, 'var/lib/vml/last-restore.json'), JSON.stringify(REPORT));
    const found = await warnings(root);
    expect(found[0]).toMatchObject({
      check: 'restore',
      subject: 'home/alice/.globus/userkey.pem',
      message: 'Not restored from alice/higgs@v7: the grid certificate was stripped from this public version',
      hint: 'voms-proxy-init -voms atlas',
    });
    expect(found.map((w) => w.check)).toEqual(['restore', 'kerberos', 'mounts', 'cvmfs']);
    await rm(join(root, 'var/lib/vml/last-restore.json'));
  });

  it('says nothing about a valid proxy, or Kerberos without a realm, or skipped checks', async () => {
    const other = await makeGuestRoot(join(dir, 'root-ok'), {
      'etc/vml/agent.yaml': 'entry: alice/higgs\nlogin_warnings:\n  skip: [mounts]\n',
      'etc/fstab': 'fs:/eos /eos nfs4 defaults 0 0\n',
      'tmp/x509up_u1000': await proxy('20200101000000Z', '20991231000000Z'),
    });
    const r = await runAgent(['login-warnings', '--root', other]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('No login warnings\n');
  });

  it('--write writes the text the login shells print, and removes it when all is well', async () => {
    const r = await runAgent(['login-warnings', '--root', root, '--write', '--json']);
    expect(r.events.at(-1)).toMatchObject({ type: 'login-warnings-written', count: 4 });
    const text = await readFile(join(root, 'run/vml/login-warnings'), 'utf8');
    expect(text).toMatch(/^VML: 4 warnings \(as of .* UTC; "vml-agent login-warnings" checks again\)\n/);
    expect(text).toContain('  * No valid Kerberos ticket for alice\n      run: kinit alice@CERN.CH\n');
    const ok = await makeGuestRoot(join(dir, 'root-clean'), { 'run/vml/login-warnings': 'stale\n' });
    await runAgent(['login-warnings', '--root', ok, '--write']);
    await expect(readFile(join(ok, 'run/vml/login-warnings'))).rejects.toThrow(/ENOENT/);
  });
});

const HOOK_SH = join(REPO_ROOT, 'appliance/profile.d/vml.sh');
const HOOK_CSH = join(REPO_ROOT, 'appliance/profile.d/vml.csh');

describe('profile.d hooks', () => {
  let file: string;
  beforeAll(async () => {
    file = join(dir, 'login-warnings');
    await writeFile(file, 'VML: 1 warning\n  * No grid proxy\n      run: voms-proxy-init -voms atlas');
  });
  const env = () => ({ ...process.env, VML_LOGIN_WARNINGS: file, HOME: dir });

  it('bash and dash print the file in interactive shells, exactly (even without a final newline)', () => {
    for (const shell of ['bash', 'sh']) {
      const r = spawnSync(shell, ['-ic', `. ${HOOK_SH}`], { env: env(), encoding: 'utf8' });
      expect(r.stdout).toBe('VML: 1 warning\n  * No grid proxy\n      run: voms-proxy-init -voms atlas\n');
    }
  });

  it('non-interactive shells print nothing', () => {
    for (const shell of ['bash', 'sh']) {
      const r = spawnSync(shell, ['-c', `. ${HOOK_SH}`], { env: env(), encoding: 'utf8' });
      expect(r.stdout).toBe('');
    }
  });

  it('prints nothing and leaves no variables behind when there is no file', () => {
    const r = spawnSync('bash', ['-ic', `. ${HOOK_SH}; set | grep -c '^vml_' || true`], {
      env: { ...env(), VML_LOGIN_WARNINGS: join(dir, 'absent') },
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('0\n');
  });

  it.skipIf(spawnSync('tcsh', ['-c', 'exit']).status !== 0)('tcsh prints it when interactive only', () => {
    // Commands on stdin with -i: an interactive shell ($prompt set) without a terminal.
    const interactive = spawnSync('tcsh', ['-f', '-i'], {
      env: env(),
      input: `source ${HOOK_CSH}\n`,
      encoding: 'utf8',
    });
    expect(interactive.stdout).toContain('VML: 1 warning\n  * No grid proxy\n');
    const batch = spawnSync('tcsh', ['-f', '-c', `source ${HOOK_CSH}`], { env: env(), encoding: 'utf8' });
    expect(batch.stdout).toBe('');
  });
});
