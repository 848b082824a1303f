/**
 * The server's own certificate and key (`vml logbook serve --tls-cert FILE --tls-key FILE`), read and
 * checked before the server listens, so a mistake is one clear message at start and not a TLS alert at every
 * client. The key file must be private to its owner, as the agent's token file is (http-token.ts): whoever
 * reads it can impersonate the server. Messages name files, never their content.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { VmlError } from '../../core/errors.js';

/** PEM text Fastify's `https` option takes. */
export interface TlsFiles {
  /** The server certificate, then any intermediate certificates, as in the file. */
  readonly cert: string;
  readonly key: string;
  /** The leaf certificate's expiry (ISO 8601), for the start message. */
  readonly validTo: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads and checks `certFile` (PEM, leaf first) and `keyFile` (PEM, unencrypted, mode 0600 or stricter);
 * throws VmlError E_USAGE for a missing, unreadable or non-PEM file, E_PERMISSION for a key others can
 * read, and E_USAGE when the key does not belong to the certificate.
 */
export function readTlsFiles(certFile: string, keyFile: string): TlsFiles {
  const cert = readText(certFile, '--tls-cert');
  const leafPem = cert.match(PEM_CERT)?.[0];
  let leaf: X509Certificate;
  try {
    if (leafPem === undefined) throw new Error('no "BEGIN CERTIFICATE" block');
    leaf = new X509Certificate(leafPem);
  } catch (error) {
    throw new VmlError('E_USAGE', `Cannot use "${certFile}" (--tls-cert) as a certificate: it is not PEM`, {
      hint: 'Give the server certificate in PEM ("-----BEGIN CERTIFICATE-----"), intermediates after it; convert DER with "openssl x509 -inform der -in FILE -out FILE.pem"',
      cause: error,
    });
  }
  checkPrivate(keyFile);
  const key = readText(keyFile, '--tls-key');
  const privateKey = parseKey(key, keyFile);
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new VmlError(
      'E_USAGE',
      `The key "${keyFile}" (--tls-key) does not belong to the certificate "${certFile}" (--tls-cert)`,
      {
        hint: `Compare "openssl x509 -noout -pubkey -in ${certFile}" with "openssl pkey -pubout -in ${keyFile}": they must be the same`,
      },
    );
  }
  return { cert, key, validTo: new Date(leaf.validTo).toISOString() };
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new VmlError('E_USAGE', `Cannot read "${file}" (${flag}): ${(error as Error).message}`, {
      hint: `${flag} must name a readable PEM file`,
      cause: error,
    });
  }
}

// Unlike the certificate, the key must not be readable by the group or others.
function checkPrivate(keyFile: string): void {
  let mode: number;
  try {
    mode = statSync(keyFile).mode;
  } catch (error) {
    throw new VmlError('E_USAGE', `Cannot read "${keyFile}" (--tls-key): ${(error as Error).message}`, {
      hint: '--tls-key must name a readable PEM file, private to its owner (mode 0600)',
      cause: error,
    });
  }
  if ((mode & 0o077) !== 0) {
    const shown = (mode & 0o777).toString(8).padStart(4, '0');
    throw new VmlError(
      'E_PERMISSION',
      `Refusing the key file "${keyFile}" (--tls-key): its mode is ${shown}, so others can read the server's private key`,
      {
        hint: `Make it private to its owner: chmod 600 "${keyFile}" (and consider a new key and certificate)`,
      },
    );
  }
}

// OpenSSL's own message is dropped on purpose: the code of the failure is enough, and nothing of the key
// may reach a message.
function parseKey(key: string, keyFile: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new VmlError('E_USAGE', `Cannot use "${keyFile}" (--tls-key) as a private key: it is not PEM`, {
      hint: 'Give the private key in PEM ("-----BEGIN PRIVATE KEY-----"); convert with "openssl pkey -in FILE -out FILE.pem"',
    });
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key)) {
    throw new VmlError('E_USAGE', `Cannot use "${keyFile}" (--tls-key): the key is encrypted`, {
      hint: `The server starts unattended, so its key has no passphrase: "openssl pkey -in ${keyFile} -out NEW" writes it unencrypted (then chmod 600 NEW)`,
    });
  }
  try {
    return createPrivateKey(key);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    throw new VmlError('E_USAGE', `Cannot use "${keyFile}" (--tls-key) as a private key: ${code}`, {
      hint: 'Give an unencrypted RSA, EC or Ed25519 private key in PEM',
    });
  }
}
