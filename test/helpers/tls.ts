/**
 * A private CA and a server certificate made with the real openssl at test time: the CA signs a certificate
 * for 127.0.0.1 (subjectAltName IP:127.0.0.1), as a site's own CA would for its logbook server. Also a
 * second, unrelated key, for "key does not match" tests.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './credentials.js';

export interface TestCertificates {
  /** The CA's certificate (PEM): what VML_CA_FILE names. */
  readonly caFile: string;
  /** The server certificate (PEM), signed by the CA, for IP 127.0.0.1. */
  readonly certFile: string;
  /** Its private key (PEM, unencrypted, mode 0600). */
  readonly keyFile: string;
  /** Another private key (PEM, mode 0600) that belongs to no certificate here. */
  readonly otherKeyFile: string;
}

/** Makes the CA, the server certificate and the keys in `dir` (about 0.3 s with EC keys). */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const otherKeyFile = join(dir, 'other.key');
  const ext = join(dir, 'server.ext');
  const ecKey = (out: string) =>
    run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);
  await ecKey(caKey);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=VML Test CA',
  ]);
  await ecKey(keyFile);
  await run('openssl', ['req', '-new', '-key', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  await ecKey(otherKeyFile);
  for (const key of [caKey, keyFile, otherKeyFile]) await chmod(key, 0o600);
  return { caFile, certFile, keyFile, otherKeyFile };
}
