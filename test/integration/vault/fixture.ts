/**
 * A phony guest with real credentials planted among decoys, for the vault and publish tests: grid
 * certificate, encrypted keys (PKCS#8 and Proc-Type), .p12 and proxies from openssl, SSH user and host keys
 * from ssh-keygen, Kerberos ccache and keytabs from a throwaway KDC on 127.0.0.1. Two users (alice, bob),
 * their homes and etc/.
 */
import { chown, copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type Artifact,
  binaryArtifact,
  makeGridCredentials,
  makeSshKeys,
  startKdc,
} from '../../helpers/credentials.js';
import { makeGuestRoot, writeFiles } from '../helpers/cli.js';

/** One planted credential: where, what the step must make of it, and bytes that must never leak. */
export interface Planted {
  readonly path: string;
  readonly credential: 'session' | 'long-lived';
  readonly mode: number;
  readonly uid: number;
  /** Key material: never in the logbook in plain text. Undefined for a certificate (public by nature). */
  readonly secret: Buffer | undefined;
  /** A file whose secret is a value inside it: versions hold a redacted copy that keeps this line. */
  readonly keeps?: string | undefined;
}

export interface Fixture {
  readonly root: string;
  readonly planted: readonly Planted[];
  /** Root-relative paths of look-alikes that every version must keep byte for byte. */
  readonly decoys: readonly string[];
}

const ALICE = 1000;
const BOB = 1001;

/** Builds the guest under `dir/root`, the credentials being made in `dir/make`. */
export async function makeFixture(dir: string): Promise<Fixture> {
  const root = await makeGuestRoot(join(dir, 'root'));
  const make = join(dir, 'make');
  const alice = await makeGridCredentials(join(make, 'alice-grid'), 'alice');
  const bob = await makeGridCredentials(join(make, 'bob-grid'), 'bob');
  const ssh = await makeSshKeys(join(make, 'ssh'));
  const kdc = await startKdc(join(make, 'kdc'));
  try {
    await kdc.addPrincipal('alice', 'alice-kerberos-password');
    await kdc.addPrincipal('host/vm.vml.test');
    await kdc.kinit('alice', 'alice-kerberos-password', `FILE:${join(make, 'krb5cc_1000')}`);
    await kdc.keytab('alice', join(make, 'alice.keytab'));
    await kdc.keytab('host/vm.vml.test', join(make, 'krb5.keytab'));
  } finally {
    await kdc.stop();
  }
  const planted: Planted[] = [];
  const plant = async (
    path: string,
    from: string | Artifact | Buffer,
    o: { credential: 'session' | 'long-lived'; mode: number; uid: number; secret?: boolean },
  ) => {
    const bytes = typeof from === 'string' ? await readFile(from) : Buffer.isBuffer(from) ? from : from.bytes;
    await writeFiles(root, { [path]: { content: bytes, mode: o.mode } });
    const secret =
      o.secret === false
        ? undefined
        : typeof from === 'string'
          ? (await binaryArtifact(from)).secret
          : Buffer.isBuffer(from)
            ? undefined
            : from.secret;
    planted.push({ path, credential: o.credential, mode: o.mode, uid: o.uid, secret });
  };
  const a = { uid: ALICE };
  const b = { uid: BOB };
  await plant('home/alice/.globus/usercert.pem', alice.userCert, {
    ...a,
    credential: 'long-lived',
    mode: 0o644,
  });
  await plant('home/alice/.globus/userkey.pem', alice.userKey, {
    ...a,
    credential: 'long-lived',
    mode: 0o400,
  });
  await plant('home/alice/.globus/usercred.p12', alice.p12, { ...a, credential: 'long-lived', mode: 0o600 });
  await plant('home/alice/.ssh/id_ed25519', ssh.user, { ...a, credential: 'long-lived', mode: 0o600 });
  await plant('home/alice/.ssh/id_rsa', ssh.encrypted, { ...a, credential: 'long-lived', mode: 0o600 });
  await plant('home/alice/work/x509up_u1000', alice.rfcProxy, { ...a, credential: 'session', mode: 0o600 });
  await plant('home/alice/.krb5/krb5cc_1000', join(make, 'krb5cc_1000'), {
    ...a,
    credential: 'session',
    mode: 0o600,
  });
  await plant('home/alice/private/alice.keytab', join(make, 'alice.keytab'), {
    ...a,
    credential: 'long-lived',
    mode: 0o600,
  });
  await plant('home/bob/.globus/userkey.pem', bob.userKeyLegacy, {
    ...b,
    credential: 'long-lived',
    mode: 0o400,
  });
  await plant('home/bob/old-proxy.pem', bob.legacyProxy, { ...b, credential: 'session', mode: 0o600 });
  await plant('etc/ssh/ssh_host_ecdsa_key', ssh.host, { uid: 0, credential: 'long-lived', mode: 0o600 });
  await plant('etc/krb5.keytab', join(make, 'krb5.keytab'), {
    uid: 0,
    credential: 'long-lived',
    mode: 0o600,
  });

  // Secrets inside text: the file is sealed whole, and versions hold it redacted.
  const text = async (path: string, content: string, secret: string, keeps?: string) => {
    await writeFiles(root, { [path]: { content, mode: 0o600 } });
    planted.push({
      path,
      credential: 'long-lived',
      mode: 0o600,
      uid: ALICE,
      secret: Buffer.from(secret),
      keeps,
    });
  };
  await text(
    'home/alice/.netrc',
    'machine eos.cern.ch login alice password Vml9NetrcQz4Kp\n',
    'Vml9NetrcQz4Kp',
  );
  await text(
    'home/alice/proj/.git/config',
    '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://alice:Vml7GitPwXq2Rt@gitlab.cern.ch/alice/proj.git\n',
    'Vml7GitPwXq2Rt',
    '\tbare = false',
  );
  await text(
    'home/alice/.bashrc',
    'export PATH=$HOME/bin:$PATH\nexport RUCIO_PASSWORD=Vml3RucioWq8Zy\n',
    'Vml3RucioWq8Zy',
    'export PATH=$HOME/bin:$PATH',
  );

  const decoys: Record<string, string | Buffer> = {
    'home/alice/analysis/run.py': 'import ROOT\nprint("selection: pt > 25 GeV")\n',
    'home/alice/analysis/histos.root': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)),
    'home/alice/README.md': 'Ask Bob for the password of the group account; never put it in this file.\n',
    'home/alice/notes/secret-plan.txt': 'The secret plan: look at the high-mass tail first.\n',
    'home/alice/.ssh/id_ed25519.pub': ssh.userPub,
    'home/alice/.ssh/known_hosts': 'lxplus.cern.ch ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1a2b3c4d5e6f7\n',
    'home/alice/.bash_profile':
      'setupATLAS() { source $ATLAS_LOCAL_ROOT_BASE/user/atlasLocalSetup.sh; }\n[ -f ~/.bashrc ] && . ~/.bashrc\n',
    'home/bob/thesis/chapter1.tex': '\\chapter{Introduction}\nThe key result is in Section 3.\n',
    'etc/grid-security/certificates/VML-Test-CA.pem': alice.caCert,
    'etc/vomses':
      '"atlas" "voms-atlas-auth.cern.ch" "443" "/DC=ch/DC=cern/OU=computers/CN=atlas-auth.cern.ch" "atlas"\n',
    'etc/krb5.conf': '[libdefaults]\n default_realm = CERN.CH\n',
    'etc/cvmfs/default.local': 'CVMFS_REPOSITORIES=atlas.cern.ch,sft.cern.ch\nCVMFS_HTTP_PROXY=DIRECT\n',
  };
  await writeFiles(root, decoys);
  await chownTree(root, 'home/alice', ALICE);
  await chownTree(root, 'home/bob', BOB);
  return { root, planted, decoys: Object.keys(decoys) };
}

/** chown -R for a home built by root. */
async function chownTree(root: string, home: string, uid: number): Promise<void> {
  const visit = async (rel: string) => {
    await chown(join(root, rel), uid, uid);
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      if (e.isDirectory()) await visit(`${rel}/${e.name}`);
      else await chown(join(root, rel, e.name), uid, uid);
    }
  };
  await visit(home);
}

/** Copies a file to `to`, making its directory: the owner "saving the identity off the VM". */
export async function saveCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}
