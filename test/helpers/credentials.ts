/**
 * Real credentials made at test time with the real tools: openssl (user certificate and encrypted keys,
 * .p12, RFC 3820 and legacy proxies), ssh-keygen (user, host and encrypted keys) and a throwaway MIT KDC on
 * 127.0.0.1 (kinit with a password into FILE: and DIR: ccaches, kadmin.local ktadd keytabs). Shared by the
 * sanitizer and vault tests; every function works in a directory the caller owns.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Runs a tool; `input` goes to its stdin. */
export async function run(
  cmd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<string> {
  if (options.input === undefined) {
    return (await execFileP(cmd, args, { env: options.env ?? process.env })).stdout;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`)),
    );
    child.stdin.end(options.input);
  });
}

/** A credential file's bytes and a run of them that occurs nowhere else: what must never be published. */
export interface Artifact {
  readonly bytes: Buffer;
  /** Distinctive bytes: key material, not headers shared with other files. */
  readonly secret: Buffer;
}

/** All bytes of every regular file under `root`, concatenated with NUL separators (links not followed). */
export async function readAllBytes(root: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  async function visit(dir: string): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) parts.push(await readFile(p), Buffer.from([0]));
    }
  }
  await visit(root);
  return Buffer.concat(parts);
}

/** The middle base64 line of a PEM private key block, or the most random run of a binary file. */
function distinctive(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  const m = /-----BEGIN [A-Z ]*PRIVATE KEY-----\n(?:[A-Za-z-]+:.*\n)*\n?([\s\S]*?)-----END/.exec(text);
  if (m) {
    const lines = (m[1] as string).split('\n').filter((l) => l.length >= 40);
    const line = lines[Math.floor(lines.length / 2)];
    if (line !== undefined) return Buffer.from(line);
  }
  return mostRandomWindow(bytes);
}

/** The 20-byte window with the most distinct byte values: key or ticket ciphertext, not a header or a name. */
function mostRandomWindow(bytes: Buffer): Buffer {
  let best = 0;
  let bestCount = -1;
  for (let i = 0; i + 20 <= bytes.length; i++) {
    const count = new Set(bytes.subarray(i, i + 20)).size;
    if (count > bestCount) {
      best = i;
      bestCount = count;
    }
  }
  return bytes.subarray(best, best + 20);
}

async function artifact(path: string, secretOf: (b: Buffer) => Buffer = distinctive): Promise<Artifact> {
  const bytes = await readFile(path);
  return { bytes, secret: secretOf(bytes) };
}

export interface GridCredentials {
  readonly passphrase: string;
  readonly caCert: Buffer;
  readonly userCert: Buffer;
  /** Encrypted PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`). */
  readonly userKey: Artifact;
  /** The same key as traditional PEM with `Proc-Type: 4,ENCRYPTED`. */
  readonly userKeyLegacy: Artifact;
  readonly p12: Artifact;
  /** RFC 3820 proxy: proxy certificate (proxyCertInfo extension), its key, the user certificate. */
  readonly rfcProxy: Artifact;
  /** Legacy (pre-RFC) proxy: subject ends in CN=proxy, no extension. */
  readonly legacyProxy: Artifact;
}

const PROXY_EXT = `[proxy]
proxyCertInfo = critical,language:id-ppl-inheritAll
keyUsage = critical,digitalSignature,keyEncipherment
basicConstraints = critical,CA:false
[legacy]
keyUsage = critical,digitalSignature,keyEncipherment
[ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
[user]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
`;

/** A CA, a user certificate for `user` with its key (encrypted two ways), a .p12 and two proxies. */
export async function makeGridCredentials(dir: string, user = 'alice'): Promise<GridCredentials> {
  await mkdir(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const pass = 'vml-test-passphrase';
  const ossl = (...args: string[]) => run('openssl', args);
  await writeFile(f('ext.cnf'), PROXY_EXT);
  const subject = `/DC=ch/DC=cern/OU=Organic Units/OU=Users/CN=${user}`;
  await ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-subj',
    '/DC=test/DC=vml/CN=VML Test CA',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:true',
  );
  await ossl(
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-aes256',
    '-pass',
    `pass:${pass}`,
    '-out',
    f('userkey.pem'),
  );
  await ossl(
    'rsa',
    '-in',
    f('userkey.pem'),
    '-passin',
    `pass:${pass}`,
    '-aes256',
    '-traditional',
    '-passout',
    `pass:${pass}`,
    '-out',
    f('userkey-legacy.pem'),
  );
  await ossl(
    'req',
    '-new',
    '-key',
    f('userkey.pem'),
    '-passin',
    `pass:${pass}`,
    '-subj',
    subject,
    '-out',
    f('user.csr'),
  );
  await ossl(
    'x509',
    '-req',
    '-in',
    f('user.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-set_serial',
    '17',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-extensions',
    'user',
    '-out',
    f('usercert.pem'),
  );
  await ossl(
    'pkcs12',
    '-export',
    '-in',
    f('usercert.pem'),
    '-inkey',
    f('userkey.pem'),
    '-passin',
    `pass:${pass}`,
    '-passout',
    `pass:${pass}`,
    '-name',
    `${user} grid`,
    '-out',
    f('usercred.p12'),
  );
  for (const [name, cn, section] of [
    ['rfc', '1234567890', 'proxy'],
    ['legacy', 'proxy', 'legacy'],
  ] as const) {
    await ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f(`${name}.key`));
    await ossl(
      'req',
      '-new',
      '-key',
      f(`${name}.key`),
      '-subj',
      `${subject}/CN=${cn}`,
      '-out',
      f(`${name}.csr`),
    );
    await ossl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('usercert.pem'),
      '-CAkey',
      f('userkey.pem'),
      '-passin',
      `pass:${pass}`,
      '-set_serial',
      cn === 'proxy' ? '99' : cn,
      '-days',
      '1',
      '-extfile',
      f('ext.cnf'),
      '-extensions',
      section,
      '-out',
      f(`${name}.pem`),
    );
    // Proxy file layout of voms-proxy-init: proxy certificate, its key (traditional, unencrypted), user certificate.
    const key = await ossl('rsa', '-in', f(`${name}.key`), '-traditional');
    const parts = [
      await readFile(f(`${name}.pem`), 'latin1'),
      key,
      await readFile(f('usercert.pem'), 'latin1'),
    ];
    await writeFile(f(`x509up_${name}`), parts.join(''));
  }
  return {
    passphrase: pass,
    caCert: await readFile(f('ca.pem')),
    userCert: await readFile(f('usercert.pem')),
    userKey: await artifact(f('userkey.pem')),
    userKeyLegacy: await artifact(f('userkey-legacy.pem')),
    p12: await artifact(f('usercred.p12')),
    rfcProxy: await artifact(f('x509up_rfc')),
    legacyProxy: await artifact(f('x509up_legacy')),
  };
}

export interface SshKeys {
  readonly user: Artifact;
  readonly userPub: Buffer;
  /** Protected with a passphrase. */
  readonly encrypted: Artifact;
  readonly host: Artifact;
  readonly hostPub: Buffer;
}

/** ssh-keygen keys: an ed25519 user key, an encrypted RSA key, an ECDSA host key. */
export async function makeSshKeys(dir: string): Promise<SshKeys> {
  await mkdir(dir, { recursive: true });
  const gen = (name: string, type: string, pass: string) =>
    run('ssh-keygen', ['-q', '-t', type, '-N', pass, '-C', `vml-test-${name}`, '-f', join(dir, name)]);
  await gen('id_ed25519', 'ed25519', '');
  await gen('id_rsa', 'rsa', 'vml-test-passphrase');
  await gen('ssh_host_ecdsa_key', 'ecdsa', '');
  return {
    user: await artifact(join(dir, 'id_ed25519')),
    userPub: await readFile(join(dir, 'id_ed25519.pub')),
    encrypted: await artifact(join(dir, 'id_rsa')),
    host: await artifact(join(dir, 'ssh_host_ecdsa_key')),
    hostPub: await readFile(join(dir, 'ssh_host_ecdsa_key.pub')),
  };
}

/** A throwaway KDC on 127.0.0.1 for realm VML.TEST. */
export interface Kdc {
  readonly realm: string;
  /** Environment (KRB5_CONFIG) under which the Kerberos tools talk to this KDC. */
  readonly env: NodeJS.ProcessEnv;
  addPrincipal(name: string, password?: string): Promise<void>;
  /** kinit with the password into `ccache` ("FILE:/path" or "DIR:/path"). */
  kinit(name: string, password: string, ccache: string): Promise<void>;
  /** Writes the principal's keys to a keytab (kadmin.local ktadd; keeps the password with -norandkey). */
  keytab(name: string, path: string): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Creates a KDC database under `dir` and starts krb5kdc on a free loopback port (about 0.1 s). */
export async function startKdc(dir: string): Promise<Kdc> {
  await mkdir(dir, { recursive: true });
  const realm = 'VML.TEST';
  const port = await freePort();
  const krb5Conf = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  await writeFile(
    krb5Conf,
    `[libdefaults]\n default_realm = ${realm}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n[realms]\n ${realm} = {\n  kdc = 127.0.0.1:${port}\n }\n`,
  );
  await writeFile(
    kdcConf,
    `[kdcdefaults]\n kdc_listen = 127.0.0.1:${port}\n kdc_tcp_listen = 127.0.0.1:${port}\n[realms]\n ${realm} = {\n  database_name = ${join(dir, 'principal')}\n  key_stash_file = ${join(dir, 'stash')}\n  acl_file = ${join(dir, 'kadm5.acl')}\n }\n[logging]\n kdc = FILE:${join(dir, 'kdc.log')}\n`,
  );
  const env = { ...process.env, KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf };
  await run('kdb5_util', ['create', '-s', '-r', realm, '-P', 'vml-test-master'], { env });
  const kdc: ChildProcess = spawn('krb5kdc', ['-n', '-r', realm], { env, stdio: 'ignore' });
  const admin = (query: string) => run('kadmin.local', ['-r', realm, '-q', query], { env });
  // The KDC is up once it answers; kinit retries below cover the short start-up.
  return {
    realm,
    env,
    async addPrincipal(name, password) {
      await admin(password === undefined ? `addprinc -randkey ${name}` : `addprinc -pw ${password} ${name}`);
    },
    async kinit(name, password, ccache) {
      for (let attempt = 0; ; attempt++) {
        try {
          await run('kinit', [`${name}@${realm}`], {
            env: { ...env, KRB5CCNAME: ccache },
            input: `${password}\n`,
          });
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async keytab(name, path) {
      await admin(`ktadd -k ${path} -norandkey ${name}`);
    },
    async stop() {
      if (kdc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        kdc.once('exit', () => resolve());
        kdc.kill('SIGTERM');
      });
    },
  };
}

/** A Kerberos ccache or keytab (or any binary credential) as an Artifact. */
export async function binaryArtifact(path: string): Promise<Artifact> {
  return artifact(path, mostRandomWindow);
}
