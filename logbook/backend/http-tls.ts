/**
 * Which certificates the `https:` backend trusts: Node's bundled CAs (plus NODE_EXTRA_CA_CERTS, which Node
 * reads at start), and the PEM bundle VML_CA_FILE names, e.g. a site's private CA. This is the one place
 * that changes trust: it adds the bundle to the default CA list of the thread, which fetch uses for every
 * https connection; the agent talks to one logbook per process, on its main thread (the chunk and encode
 * workers make no requests), so that list is the right scope.
 * A certificate the client still cannot verify becomes a clear E_AUTH naming the server (tlsFailure).
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { VmlError } from '../../core/errors.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Files already added, so opening several backends reads a bundle once. */
const trusted = new Set<string>();

/**
 * Adds the certificates of VML_CA_FILE (if set in `env`) to the CAs that https requests trust; returns the
 * file, or undefined when none is set. Throws VmlError E_USAGE for a file that is missing or holds no PEM
 * certificate.
 */
export function trustCaFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.VML_CA_FILE || undefined;
  if (file === undefined || trusted.has(file)) return file;
  const certificates = readCaBundle(file);
  // Node 24.5 (and late 22.x) added setDefaultCACertificates; a namespace import keeps older ones starting.
  if (typeof tls.setDefaultCACertificates !== 'function') {
    throw new VmlError('E_USAGE', `Cannot use VML_CA_FILE with Node ${process.version}`, {
      hint: `Set NODE_EXTRA_CA_CERTS="${file}" instead, or use the Node the agent ships with`,
    });
  }
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...certificates]);
  trusted.add(file);
  return file;
}

/** Every certificate of the PEM bundle `file`, each checked to parse. */
function readCaBundle(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new VmlError(
      'E_USAGE',
      `Cannot read the CA file "${file}" (VML_CA_FILE): ${(error as Error).message}`,
      {
        hint: "VML_CA_FILE must name a readable PEM file with the certificate of the CA that signed the server's certificate",
        cause: error,
      },
    );
  }
  const certificates = text.match(PEM_CERT) ?? [];
  try {
    if (certificates.length === 0) throw new Error('no "BEGIN CERTIFICATE" block');
    for (const pem of certificates) new X509Certificate(pem);
  } catch (error) {
    throw new VmlError(
      'E_USAGE',
      `Cannot use the CA file "${file}" (VML_CA_FILE): it holds no valid PEM certificate`,
      {
        hint: 'Give the CA certificate in PEM ("-----BEGIN CERTIFICATE-----"); several may follow one another',
        cause: error,
      },
    );
  }
  return certificates;
}

/** OpenSSL's verification failures, as Node reports them in `error.cause.code`. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A final VmlError for a request that failed on the server's certificate or the TLS handshake, or
 * undefined for any other failure (which stays TRANSIENT: a network that drops is worth a retry, a
 * certificate that does not verify is not).
 */
export function tlsFailure(error: unknown, location: string): VmlError | undefined {
  const cause = (error as { cause?: { code?: string; reason?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code === undefined) return undefined;
  const host = hostOf(location);
  if (UNTRUSTED.has(code)) {
    const why = cause?.reason ?? cause?.message ?? code;
    return new VmlError(
      'E_AUTH',
      `Cannot trust the certificate of the logbook server "${host}": ${why} (${code})`,
      {
        hint: /ALTNAME|EXPIRED|NOT_YET/.test(code)
          ? "The certificate does not fit this server name or date: ask the server's administrator, or use the name the certificate is for"
          : "If the server uses a private CA, set VML_CA_FILE to that CA's PEM certificate (or NODE_EXTRA_CA_CERTS); otherwise ask the server's administrator",
        cause: error,
      },
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new VmlError('E_USAGE', `The logbook server "${host}" does not speak https on this port`, {
      hint: `Use the server's https address, or "http://${host}" if it serves plain http`,
      cause: error,
    });
  }
  return undefined;
}

function hostOf(location: string): string {
  try {
    return new URL(location).host;
  } catch {
    return location;
  }
}
