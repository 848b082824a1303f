/**
 * The key sanitizer test: real credentials (openssl, ssh-keygen, a throwaway KDC) planted with look-alike
 * decoys in a fixture root of several users (one LDAP-style user without a passwd line, a service account
 * whose home is not under /home, root) plus etc/. After the pipeline: no planted secret's distinctive bytes
 * remain anywhere, every decoy is byte-identical, and the findings are exactly the expected ones.
 * `publish` (vault branch) runs this same pipeline on the staged version.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findCredentials } from '../../../sanitizers/credentials.js';
import { runSanitizers } from '../../../sanitizers/pipeline.js';
import type { Finding } from '../../../sanitizers/sanitizer.js';
import {
  binaryArtifact,
  type GridCredentials,
  type Kdc,
  makeGridCredentials,
  makeSshKeys,
  readAllBytes,
  run,
  type SshKeys,
  startKdc,
} from '../../helpers/credentials.js';

/** A planted secret: where, its bytes, what must vanish, and the findings it must produce. */
interface Plant {
  readonly path: string;
  readonly bytes: Buffer | string;
  readonly secrets: readonly (Buffer | string)[];
  readonly findings: readonly string[]; // "sanitizer type action" for this path
}

let dir: string;
let root: string;
let kdc: Kdc;
let grid: GridCredentials;
let ssh: SshKeys;
const plants: Plant[] = [];
const decoys = new Map<string, Buffer>();

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'alice:x:1000:1000:Alice:/home/alice:/bin/bash',
  'bob:x:1001:1001:Bob:/home/bob:/bin/zsh',
  'atlasprd:x:500:500:Production:/var/lib/atlasprd:/bin/bash',
  '',
].join('\n');

async function put(path: string, bytes: Buffer | string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), bytes);
}

function plant(
  path: string,
  bytes: Buffer | string,
  findings: string[],
  secrets?: (Buffer | string)[],
): void {
  plants.push({ path, bytes, findings, secrets: secrets ?? [bytes] });
}

function decoy(path: string, bytes: Buffer | string): void {
  decoys.set(path, Buffer.from(bytes));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-planted-'));
  root = join(dir, 'root');
  [grid, ssh, kdc] = await Promise.all([
    makeGridCredentials(join(dir, 'grid')),
    makeSshKeys(join(dir, 'ssh')),
    startKdc(join(dir, 'kdc')),
  ]);
  await kdc.addPrincipal('alice', 'alice-kdc-pw');
  await kdc.addPrincipal('bob', 'bob-kdc-pw');
  await kdc.addPrincipal('host/vm.vml.test');
  await kdc.kinit('alice', 'alice-kdc-pw', `FILE:${join(dir, 'cc-alice')}`);
  await kdc.kinit('bob', 'bob-kdc-pw', `DIR:${join(dir, 'ccdir-bob')}`);
  await kdc.kinit('alice', 'alice-kdc-pw', `FILE:${join(dir, 'cc-stray')}`);
  await kdc.keytab('host/vm.vml.test', join(dir, 'krb5.keytab'));
  await kdc.keytab('bob', join(dir, 'bob.keytab'));
  const cc = await binaryArtifact(join(dir, 'cc-alice'));
  const ccDir = await binaryArtifact(join(dir, 'ccdir-bob/tkt'));
  const ccStray = await binaryArtifact(join(dir, 'cc-stray'));
  const hostKeytab = await binaryArtifact(join(dir, 'krb5.keytab'));
  const bobKeytab = await binaryArtifact(join(dir, 'bob.keytab'));

  // Grid
  // A certificate is public (the CA bundle decoy below holds the same one): removed as identity, not checked as a secret.
  plant('home/alice/.globus/usercert.pem', grid.userCert, ['grid-credentials grid-user-cert delete'], []);
  plant(
    'home/alice/.globus/userkey.pem',
    grid.userKey.bytes,
    ['grid-credentials grid-user-key delete'],
    [grid.userKey.secret],
  );
  plant(
    'home/alice/.globus/usercred.p12',
    grid.p12.bytes,
    ['grid-credentials grid-p12 delete'],
    [grid.p12.secret],
  );
  plant(
    'home/bob/.globus/userkey.pem',
    grid.userKeyLegacy.bytes,
    ['grid-credentials grid-user-key delete'],
    [grid.userKeyLegacy.secret],
  );
  plant('tmp/x509up_u1000', grid.rfcProxy.bytes, ['voms-proxies voms-proxy delete'], [grid.rfcProxy.secret]);
  plant(
    'home/alice/analysis/old/proxy.pem',
    grid.legacyProxy.bytes,
    ['content-signatures x509-proxy delete'],
    [grid.legacyProxy.secret],
  );
  plant(
    'var/lib/atlasprd/jobs/x509_delegated',
    grid.rfcProxy.bytes,
    ['content-signatures x509-proxy delete'],
    [grid.rfcProxy.secret],
  );
  plant(
    'home/carol/certs/mycert.p12',
    grid.p12.bytes,
    ['content-signatures pkcs12 delete'],
    [grid.p12.secret],
  );
  // SSH
  plant(
    'home/alice/.ssh/id_ed25519',
    ssh.user.bytes,
    ['ssh-user-keys ssh-private-key delete'],
    [ssh.user.secret],
  );
  plant(
    'home/alice/.ssh/id_rsa',
    ssh.encrypted.bytes,
    ['ssh-user-keys ssh-private-key delete'],
    [ssh.encrypted.secret],
  );
  plant(
    'home/carol/.ssh/lxplus-key',
    ssh.user.bytes,
    ['ssh-user-keys ssh-private-key delete'],
    [ssh.user.secret],
  );
  plant(
    'var/lib/atlasprd/.ssh/id_ed25519',
    ssh.user.bytes,
    ['ssh-user-keys ssh-private-key delete'],
    [ssh.user.secret],
  );
  plant(
    'etc/ssh/ssh_host_ecdsa_key',
    ssh.host.bytes,
    ['ssh-host-keys ssh-host-key delete'],
    [ssh.host.secret],
  );
  plant('etc/ssh/ssh_host_ecdsa_key.pub', ssh.hostPub, ['ssh-host-keys ssh-host-public-key delete']);
  plant('root/.ssh/authorized_keys', ssh.userPub, ['ssh-user-keys ssh-authorized-keys delete'], []);
  plant(
    'home/bob/notes/deploy-key.txt',
    `deploy with this:\n${ssh.user.bytes}\nthanks\n`,
    ['content-signatures ssh-private-key redact'],
    [ssh.user.secret],
  );
  // Kerberos
  plant('tmp/krb5cc_1000', cc.bytes, ['kerberos kerberos-ccache delete'], [cc.secret]);
  plant('tmp/krb5cc_1001_dir/tkt', ccDir.bytes, ['kerberos kerberos-ccache delete'], [ccDir.secret]);
  plant('tmp/krb5cc_1001_dir/primary', 'tkt\n', ['kerberos kerberos-ccache-dir delete'], []);
  plant(
    'home/alice/backup/old-ticket',
    ccStray.bytes,
    ['content-signatures kerberos-ccache delete'],
    [ccStray.secret],
  );
  plant('etc/krb5.keytab', hostKeytab.bytes, ['kerberos kerberos-keytab delete'], [hostKeytab.secret]);
  plant(
    'home/bob/private/bob.keytab',
    bobKeytab.bytes,
    ['kerberos kerberos-keytab delete'],
    [bobKeytab.secret],
  );
  // Values in text files, and system state
  plant(
    'home/alice/.bashrc',
    'export PATH=$HOME/bin:$PATH\nexport GITLAB_TOKEN=glpat-VmlPlantedGitlab0001\n',
    ['shell-rc-secrets exported-secret redact'],
    ['VmlPlantedGitlab0001'],
  );
  plant(
    'home/alice/ana/.git/config',
    '[remote "origin"]\n\turl = https://alice:VmlPlantedGitPw2@gitlab.cern.ch/a/ana.git\n',
    ['git-credentials git-remote-password redact'],
    ['VmlPlantedGitPw2'],
  );
  plant('home/bob/.netrc', 'machine eosuser.cern.ch login bob password VmlPlantedNetrc3\n', [
    'netrc netrc delete',
  ]);
  plant(
    'home/bob/ana/db.yaml',
    'db:\n  host: dbod.cern.ch\n  password: VmlPlantedYamlPw4\n',
    ['text-secrets password-assignment redact'],
    ['VmlPlantedYamlPw4'],
  );
  plant(
    'home/carol/run.py',
    'TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2bWxwbGFudGVkIn0.VmlPlantedJwtSig5"\n',
    ['text-secrets jwt redact'],
    ['VmlPlantedJwtSig5'],
  );
  plant('root/.bash_history', 'mysql -pVmlPlantedHistory6\n', ['shell-history shell-history delete']);
  plant(
    'etc/shadow',
    'root:$6$salt$VmlPlantedShadow7:19000:0:99999:7:::\nalice:!!:19000::::::\n',
    ['system-secrets password-hash redact'],
    ['VmlPlantedShadow7'],
  );
  plant('etc/samba/alice.cred', 'username=alice\npassword=VmlPlantedCifs8\n', [
    'network-mounts mount-credentials delete',
  ]);
  plant(
    'etc/fstab',
    'UUID=abc / ext4 defaults 0 1\n//cernbox.cern.ch/alice /mnt/box cifs credentials=/etc/samba/alice.cred 0 0\natlas.cern.ch /cvmfs/atlas.cern.ch cvmfs defaults 0 0\n',
    ['network-mounts network-mount strip-line'],
    ['//cernbox.cern.ch/alice'],
  );
  plant(
    'etc/auto.master',
    '+dir:/etc/auto.master.d\n/cvmfs /etc/auto.cvmfs\n/eos /etc/auto.eos\n',
    ['network-mounts network-mount strip-line'],
    ['/etc/auto.eos'],
  );
  plant('etc/auto.eos', 'user -fstype=eosx :eosuser.cern.ch\n', ['network-mounts autofs-map delete']);
  plant('etc/machine-id', 'f00dfeed0000000000000000000c0ffe\n', ['machine-identity machine-id redact']);
  // Archives: a tar.gz with a copy of ~/.globus and a zip go; a tar.gz of code stays.
  await mkdir(join(dir, 'tar/globus-backup/.globus'), { recursive: true });
  await writeFile(join(dir, 'tar/globus-backup/.globus/userkey.pem'), grid.userKey.bytes);
  await run('tar', ['-czf', join(dir, 'globus.tgz'), '-C', join(dir, 'tar'), 'globus-backup']);
  await mkdir(join(dir, 'code/ana'), { recursive: true });
  await writeFile(join(dir, 'code/ana/fit.C'), 'void fit() { /* password handling lives in db.cfg */ }\n');
  await run('tar', ['-czf', join(dir, 'code.tgz'), '-C', join(dir, 'code'), 'ana']);
  plant('home/alice/old/globus.tgz', await readFile(join(dir, 'globus.tgz')), [
    'compressed-files private-key delete',
  ]);
  plant('home/bob/keys.zip', Buffer.from('PK\u0003\u0004VmlPlantedZip10', 'latin1'), [
    'compressed-files unclassifiable delete',
  ]);
  decoy('home/alice/analysis-code.tgz', await readFile(join(dir, 'code.tgz')));
  plant('var/log/secure', 'sshd: Accepted password for alice VmlPlantedLog9\n', ['logs log delete']);

  // Decoys: what must survive byte for byte.
  decoy('etc/passwd', PASSWD);
  decoy('etc/grid-security/certificates/VMLTestCA.pem', grid.caCert);
  decoy(
    'etc/grid-security/certificates/VMLTestCA.signing_policy',
    "access_id_CA X509 '/DC=test/DC=vml/CN=VML Test CA'\n",
  );
  decoy('etc/pki/tls/certs/ca-bundle.crt', Buffer.concat([grid.caCert, grid.userCert]));
  decoy(
    'etc/vomses',
    '"atlas" "voms-atlas-auth.cern.ch" "443" "/DC=ch/DC=cern/OU=computers/CN=atlas-auth.cern.ch" "atlas"\n',
  );
  decoy(
    'etc/grid-security/vomsdir/atlas/voms-atlas-auth.cern.ch.lsc',
    '/DC=ch/DC=cern/OU=computers/CN=atlas-auth.cern.ch\n/DC=ch/DC=cern/CN=CERN Grid Certification Authority\n',
  );
  decoy(
    'etc/krb5.conf',
    '[libdefaults]\n default_realm = CERN.CH\n[realms]\n CERN.CH = {\n  kdc = cerndc.cern.ch\n }\n',
  );
  decoy(
    'etc/cvmfs/default.local',
    'CVMFS_REPOSITORIES=atlas.cern.ch,atlas-condb.cern.ch,sft.cern.ch\nCVMFS_HTTP_PROXY=DIRECT\n',
  );
  decoy(
    'etc/cvmfs/keys/cern.ch/cern-it1.cern.ch.pub',
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvmlmZmFrZXB1YmxpY2tleQ==\n-----END PUBLIC KEY-----\n',
  );
  decoy('etc/auto.cvmfs', '#!/bin/sh\nexec /usr/libexec/cvmfs/auto.cvmfs "$@"\n');
  decoy('etc/ssh/sshd_config', 'PasswordAuthentication no\nHostKey /etc/ssh/ssh_host_ecdsa_key\n');
  decoy('home/alice/.globus/certificates/VMLTestCA.pem', grid.caCert);
  decoy('home/alice/.ssh/id_ed25519.pub', ssh.userPub);
  decoy(
    'home/alice/.ssh/config',
    'Host lxplus\n  User alice\n  IdentityFile ~/.ssh/id_ed25519\n  GSSAPIAuthentication yes\n',
  );
  decoy('home/alice/.ssh/known_hosts', 'lxplus.cern.ch ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVMLknownhost\n');
  decoy(
    'home/alice/analysis/README.md',
    '# Analysis\nThe database password is in the team vault; set `password = <password>` in db.yaml.\nA grid proxy (voms-proxy-init) and a Kerberos token (kinit) are needed. Never commit your userkey.pem.\n',
  );
  decoy(
    'home/alice/analysis/run.py',
    'import os\npassword = os.environ["DB_PASSWORD"]\ntokenizer = "bert-base"\nn_tokens = 512\n',
  );
  decoy(
    'home/alice/analysis/fit.C',
    'void fit() { TFile f("root://eosatlas.cern.ch//eos/atlas/x.root"); }\n',
  );
  decoy('home/alice/analysis/events.root', randomBytes(1 << 20));
  decoy('home/alice/analysis/hist.csv', 'bin,count\n1,10\n2,20\n');
  decoy('home/alice/passwords.txt', 'Notes on password policy: change it every year.\n');
  decoy('home/alice/secrets.py', 'def secrets_of_the_universe():\n    return 42\n');
  decoy('home/bob/token_counter.py', 'def count_tokens(text):\n    return len(text.split())\n');
  decoy(
    'home/bob/userkey.pem.md',
    'How to make userkey.pem: openssl pkcs12 -nocerts -in usercred.p12 -out userkey.pem\n',
  );
  decoy(
    'home/bob/.zshrc',
    'export RUCIO_ACCOUNT=bob\nexport X509_USER_PROXY=/tmp/x509up_u1001\nexport ATLAS_LOCAL_ROOT_BASE=/cvmfs/atlas.cern.ch/repo/ATLASLocalRootBase\n',
  );
  decoy('home/carol/thesis/chapter1.tex', 'The trigger uses a secret sauce: a token-based fit.\n');
  decoy('root/.bashrc', 'alias ll="ls -l"\n');

  for (const p of plants) await put(p.path, p.bytes);
  for (const [path, bytes] of decoys) await put(path, bytes);
}, 120_000);

afterAll(async () => {
  await kdc?.stop();
  await rm(dir, { recursive: true, force: true });
});

const line = (f: Finding) => `${f.path}: ${f.sanitizer} ${f.type} ${f.action}`;

test('private backups: findCredentials finds every planted credential file, changes nothing', async () => {
  const found = await findCredentials(root, undefined);
  const paths = new Set(found.map((f) => f.path));
  for (const p of plants.filter((p) =>
    p.findings.some(
      (f) =>
        !/shell-history|logs|machine|system-secrets|text-secrets|ssh-authorized|host-public|network-mount |autofs-map|compressed-files/.test(
          f,
        ),
    ),
  )) {
    expect(paths, p.path).toContain(p.path);
  }
  for (const path of decoys.keys()) expect(paths).not.toContain(path);
  expect(found.every((f) => f.credential !== undefined)).toBe(true);
  for (const [path, bytes] of decoys) expect(await readFile(join(root, path))).toEqual(bytes);
  expect(await readFile(join(root, 'home/alice/.globus/userkey.pem'))).toEqual(grid.userKey.bytes);
});

test('publish: every planted secret is gone, every decoy is intact, the findings are exactly the expected', async () => {
  const started = performance.now();
  const { findings } = await runSanitizers(root, { dryRun: false });
  const seconds = (performance.now() - started) / 1000;

  const expected = plants.flatMap((p) => p.findings.map((f) => `${p.path}: ${f}`)).sort();
  expect(findings.map(line).sort()).toEqual(expected);

  const remaining = await readAllBytes(root);
  let removed = 0;
  let secretCount = 0;
  for (const p of plants) {
    for (const secret of p.secrets) {
      secretCount++;
      const gone = !remaining.includes(Buffer.from(secret));
      expect(gone, `${p.path} still holds its secret`).toBe(true);
      if (gone) removed++;
      const text = Buffer.from(secret).toString('latin1');
      for (const f of findings) expect(JSON.stringify(f)).not.toContain(text);
    }
  }
  let kept = 0;
  for (const [path, bytes] of decoys) {
    const now = await readFile(join(root, path)).catch(() => undefined);
    expect(now, path).toEqual(bytes);
    if (now?.equals(bytes)) kept++;
  }
  // What was edited, not removed, keeps its harmless lines.
  expect(await readFile(join(root, 'etc/fstab'), 'utf8')).toBe(
    'UUID=abc / ext4 defaults 0 1\natlas.cern.ch /cvmfs/atlas.cern.ch cvmfs defaults 0 0\n',
  );
  expect(await readFile(join(root, 'etc/auto.master'), 'utf8')).toBe(
    '+dir:/etc/auto.master.d\n/cvmfs /etc/auto.cvmfs\n',
  );
  expect(await readFile(join(root, 'home/alice/.bashrc'), 'utf8')).toBe(
    'export PATH=$HOME/bin:$PATH\nexport GITLAB_TOKEN=\n',
  );
  expect(await readFile(join(root, 'etc/shadow'), 'utf8')).toBe(
    'root:!*:19000:0:99999:7:::\nalice:!!:19000::::::\n',
  );
  expect(await readFile(join(root, 'home/bob/notes/deploy-key.txt'), 'utf8')).toBe(
    'deploy with this:\n[private key removed by VML]\n\nthanks\n',
  );
  expect(findings.find((f) => f.path === 'tmp/krb5cc_1000')?.restoreHint).toBe('kinit alice@VML.TEST');

  console.log(
    `planted secrets removed: ${removed}/${secretCount} (${plants.length} files); decoys kept: ${kept}/${decoys.size}; ` +
      `pipeline: ${seconds.toFixed(2)} s on ${plants.length + decoys.size} files`,
  );
});
