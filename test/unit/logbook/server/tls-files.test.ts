/**
 * readTlsFiles on real openssl files (test/helpers/tls.ts): a matching pair is accepted; a key others can
 * read, a key of another certificate, DER instead of PEM, an encrypted key and a missing file are refused
 * with messages that name the files and never hold key material.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVmlError, type VmlError } from '../../../../core/errors.js';
import { readTlsFiles } from '../../../../logbook/server/tls-files.js';
import { run } from '../../../helpers/credentials.js';
import { makeTestCertificates, type TestCertificates } from '../../../helpers/tls.js';

let T: string;
let certs: TestCertificates;
/** A base64 line of each private key: must never appear in a message. */
let keyLines: string[];

function errorOf(certFile: string, keyFile: string): VmlError {
  try {
    readTlsFiles(certFile, keyFile);
  } catch (error) {
    if (isVmlError(error)) {
      const text = `${error.message} ${error.hint}`;
      for (const line of keyLines) expect(text).not.toContain(line);
      return error;
    }
    throw error;
  }
  throw new Error('expected a VmlError');
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-tls-files-'));
  certs = await makeTestCertificates(T);
  keyLines = [];
  for (const key of [certs.keyFile, certs.otherKeyFile]) {
    const lines = (await readFile(key, 'utf8'))
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-'));
    keyLines.push(...lines);
  }
  expect(keyLines.length).toBeGreaterThan(1);
}, 30_000);

afterAll(async () => {
  if (T) await rm(T, { recursive: true, force: true });
});

describe('readTlsFiles', () => {
  it('accepts a certificate with its own 0600 key and tells when it expires', () => {
    const tls = readTlsFiles(certs.certFile, certs.keyFile);
    expect(tls.cert).toContain('BEGIN CERTIFICATE');
    expect(tls.key).toContain('PRIVATE KEY');
    const days = (Date.parse(tls.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(1);
    expect(days).toBeLessThan(3);
  });

  it('refuses a key file the group or others can read (E_PERMISSION), naming file and mode', async () => {
    await chmod(certs.keyFile, 0o640);
    try {
      const error = errorOf(certs.certFile, certs.keyFile);
      expect(error.code).toBe('E_PERMISSION');
      expect(error.message).toContain(certs.keyFile);
      expect(error.message).toContain('0640');
      expect(error.hint).toContain('chmod 600');
    } finally {
      await chmod(certs.keyFile, 0o600);
    }
  });

  it('refuses a key that belongs to another certificate, naming both files', () => {
    const error = errorOf(certs.certFile, certs.otherKeyFile);
    expect(error.code).toBe('E_USAGE');
    expect(error.message).toContain(certs.otherKeyFile);
    expect(error.message).toContain(certs.certFile);
    expect(error.message).toContain('does not belong');
  });

  it('refuses DER files, an encrypted key and a missing file, naming each', async () => {
    const der = join(T, 'server.der');
    await run('openssl', ['x509', '-in', certs.certFile, '-outform', 'der', '-out', der]);
    const derError = errorOf(der, certs.keyFile);
    expect(derError.code).toBe('E_USAGE');
    expect(derError.message).toContain(`"${der}" (--tls-cert)`);
    expect(derError.message).toContain('not PEM');

    const derKey = join(T, 'server.key.der');
    await run('openssl', ['pkey', '-in', certs.keyFile, '-outform', 'der', '-out', derKey]);
    await chmod(derKey, 0o600);
    expect(errorOf(certs.certFile, derKey).message).toContain(
      `"${derKey}" (--tls-key) as a private key: it is not PEM`,
    );

    const encrypted = join(T, 'encrypted.key');
    await run('openssl', [
      'pkey',
      '-in',
      certs.keyFile,
      '-aes256',
      '-passout',
      'pass:vml-test',
      '-out',
      encrypted,
    ]);
    await chmod(encrypted, 0o600);
    const encryptedError = errorOf(certs.certFile, encrypted);
    expect(encryptedError.message).toContain('the key is encrypted');

    const missing = join(T, 'missing.pem');
    const missingError = errorOf(missing, certs.keyFile);
    expect(missingError.code).toBe('E_USAGE');
    expect(missingError.message).toContain(`"${missing}" (--tls-cert)`);
    expect(errorOf(certs.certFile, missing).message).toContain(`"${missing}" (--tls-key)`);

    const garbage = join(T, 'garbage.key');
    await writeFile(garbage, '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n', {
      mode: 0o600,
    });
    expect(errorOf(certs.certFile, garbage).message).toContain(`"${garbage}" (--tls-key) as a private key`);
  });
});
