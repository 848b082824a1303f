/**
 * The signature chain of a repository: master key → whitelist → certificate fingerprint → manifest
 * signature. Loads the master keys and the blacklist from files; verifies with node:crypto.
 */
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VmlError } from '../../../core/errors.js';
import type { Manifest } from './manifest.js';
import type { MasterKey, Whitelist } from './whitelist.js';

/** Reads PEM public keys from files (`CVMFS_PUBLIC_KEY`, --public-key) and `*.pub` in directories. */
export async function loadMasterKeys(
  files: readonly string[],
  dirs: readonly string[],
): Promise<MasterKey[]> {
  const paths = [...files];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) if (name.endsWith('.pub')) paths.push(join(dir, name));
  }
  const keys: MasterKey[] = [];
  for (const path of paths) {
    let pem: Buffer;
    try {
      pem = await readFile(path);
    } catch (cause) {
      throw new VmlError('E_CONFIG_INVALID', `Cannot read the public key "${path}"`, {
        hint: 'Check CVMFS_PUBLIC_KEY, CVMFS_KEYS_DIR or --public-key',
        cause,
      });
    }
    try {
      keys.push({ source: path, key: createPublicKey(pem) });
    } catch (cause) {
      throw new VmlError('E_CONFIG_INVALID', `The file "${path}" is not a PEM public key`, {
        hint: 'A CernVM-FS master key file starts with "-----BEGIN PUBLIC KEY-----"',
        cause,
      });
    }
  }
  return keys;
}

/** Fingerprints ("AB:CD:…") listed in a CernVM-FS blacklist file; missing file = none. */
export async function loadBlacklist(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.trim().toUpperCase())
    .filter((l) => /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/.test(l));
}

/**
 * Checks that `certificatePem` is on the whitelist and not blacklisted, and that it signed the manifest
 * (RSA with SHA-1 over the manifest's hex hash line). Throws E_CORRUPT naming what failed.
 */
export function verifyManifestSignature(
  manifest: Manifest,
  certificatePem: Uint8Array,
  whitelist: Whitelist,
  blacklist: readonly string[] = [],
): void {
  const what = `the manifest (.cvmfspublished) of "${manifest.fqrn}"`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certificatePem));
  } catch (cause) {
    throw new VmlError('E_CORRUPT', `Cannot read the certificate of "${manifest.fqrn}"`, { cause });
  }
  const fingerprint = cert.fingerprint.toUpperCase();
  if (blacklist.includes(fingerprint)) {
    throw new VmlError('E_CORRUPT', `Refusing ${what}: its certificate ${fingerprint} is on the blacklist`, {
      hint: 'The repository key was revoked; contact the repository maintainers',
    });
  }
  if (!whitelist.fingerprints.includes(fingerprint)) {
    throw new VmlError(
      'E_CORRUPT',
      `Refusing ${what}: its certificate ${fingerprint} is not on the repository's whitelist`,
      { hint: 'The manifest was signed by a certificate the repository owners did not approve' },
    );
  }
  const ok = verify(
    'sha1',
    Buffer.from(manifest.letter.hashLine, 'latin1'),
    cert.publicKey,
    manifest.letter.signature,
  );
  if (!ok) {
    throw new VmlError(
      'E_CORRUPT',
      `Refusing ${what}: its signature does not verify with the repository certificate`,
      {
        hint: 'The manifest was modified or damaged; try another server',
      },
    );
  }
}
