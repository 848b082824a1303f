/**
 * `.cvmfswhitelist`: which repository certificates may sign manifests, until when. Its signature is a raw
 * RSA (PKCS#1 v1.5, no digest info) encryption of its hex hash line by one of the repository's master keys.
 */
import { constants, type KeyObject, publicDecrypt, timingSafeEqual } from 'node:crypto';
import { VmlError } from '../../../core/errors.js';
import { openLetter } from './letter.js';

export interface Whitelist {
  readonly fqrn: string;
  /** When it was signed (as written, YYYYMMDDhhmmss UTC). */
  readonly created: string;
  /** End of validity. CernVM-FS compares on the hour; the minutes and seconds are ignored. */
  readonly expires: Date;
  /** SHA-1 fingerprints of the allowed certificates, "AB:CD:…" upper case. */
  readonly fingerprints: readonly string[];
}

/** A master public key and where it came from (for messages). */
export interface MasterKey {
  readonly source: string;
  readonly key: KeyObject;
}

export interface WhitelistOptions {
  readonly keys: readonly MasterKey[];
  /** "Now", for tests; default the clock. */
  readonly now?: Date;
}

/**
 * Checks the whitelist's hash, its signature by one of `keys`, its repository name and its expiry, and
 * returns it. Throws E_CORRUPT with the reason, never returns an unverified whitelist.
 */
export function verifyWhitelist(data: Uint8Array, fqrn: string, options: WhitelistOptions): Whitelist {
  const what = `the whitelist (.cvmfswhitelist) of "${fqrn}"`;
  const letter = openLetter(data, what);
  const expected = Buffer.from(letter.hashLine, 'latin1');
  const signedBy = options.keys.find((k) => {
    try {
      const plain = publicDecrypt({ key: k.key, padding: constants.RSA_PKCS1_PADDING }, letter.signature);
      return plain.length === expected.length && timingSafeEqual(plain, expected);
    } catch {
      return false;
    }
  });
  if (options.keys.length === 0) {
    throw new VmlError('E_CONFIG_INVALID', `No master public key to verify ${what}`, {
      hint: 'Install the repository key under /etc/cvmfs/keys, set CVMFS_PUBLIC_KEY, or pass --public-key FILE',
    });
  }
  if (!signedBy) {
    throw new VmlError(
      'E_CORRUPT',
      `Refusing ${what}: its signature does not verify with the master key ${options.keys.map((k) => `"${k.source}"`).join(', ')}`,
      { hint: 'The whitelist was re-signed by someone else, or the wrong public key is configured' },
    );
  }
  const [created, expiry, name, ...rest] = letter.lines;
  if (!created || !/^\d{14}$/.test(created) || !expiry || !/^E\d{14}$/.test(expiry)) {
    throw new VmlError('E_CORRUPT', `Cannot read ${what}: invalid creation or expiry time`);
  }
  if (name !== `N${fqrn}`) {
    throw new VmlError('E_CORRUPT', `Refusing ${what}: it is for repository "${(name ?? '').slice(1)}"`, {
      hint: 'The server URL points to another repository; check CVMFS_SERVER_URL or --server',
    });
  }
  const e = expiry.slice(1);
  const expires = new Date(
    Date.UTC(Number(e.slice(0, 4)), Number(e.slice(4, 6)) - 1, Number(e.slice(6, 8)), Number(e.slice(8, 10))),
  );
  const now = options.now ?? new Date();
  if (!(now.getTime() < expires.getTime())) {
    throw new VmlError('E_CORRUPT', `Refusing ${what}: it expired on ${expires.toISOString()}`, {
      hint: 'The repository maintainers must re-sign the whitelist; check the machine clock if that looks wrong',
    });
  }
  if (rest.some((l) => l === 'Vpkcs7' || l === 'Wcachain')) {
    throw new VmlError(
      'E_CORRUPT',
      `Cannot verify ${what}: PKCS#7 and CA-chain whitelists are not supported`,
    );
  }
  const fingerprints = rest
    .map((l) => (l.split('#')[0] ?? '').trim().toUpperCase())
    .filter((l) => /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/.test(l));
  return { fqrn, created, expires, fingerprints };
}
