/**
 * Secrets of the server: password hashes (scrypt), API tokens (random, stored as SHA-256) and token scopes.
 * Nothing here logs or returns a secret except `newToken`, whose caller prints it once.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import picomatch from 'picomatch';
import { VmlError } from '../../core/errors.js';
import { ACCESS_LEVELS, type Access, type TokenScope } from './api-types.js';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

// OWASP's scrypt minimum (N=2^17, r=8, p=1): about 0.3 s and 128 MiB per hash on this machine's class of CPU.
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$<salt base64>$<key base64>`: parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `password` matches a hash made by hashPassword; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = hash.split('$');
  if (kind !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64');
  const params = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, params);
  return timingSafeEqual(actual, expected);
}

const TOKEN = /^vml_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A new token `vml_<id>_<secret>` and its SHA-256; the token is shown once and never stored. */
export function newToken(): { id: string; token: string; hash: string } {
  const id = randomBytes(6).toString('hex');
  const token = `vml_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, token, hash: hashToken(token) };
}

/** The public id of a well-formed token, or undefined. */
export function tokenId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

/**
 * SHA-256 hex. A fast hash is right here, unlike for passwords: a token carries 256 random bits, so there is
 * nothing to guess from a leaked hash.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares a presented token with a stored hash in constant time. */
export function tokenMatches(token: string, hash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

const USER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * User names are also namespace directory names and entry owners: lowercase, no dots or slashes. Starting
 * with a letter keeps them apart from the public namespace ("_public", storage.ts).
 */
export function checkUserName(name: string): string {
  if (!USER_NAME.test(name)) {
    throw new VmlError('E_USAGE', `Cannot use "${name}" as a user name`, {
      hint: 'Use 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter',
    });
  }
  return name;
}

/**
 * Parses `--scope [GLOB:]ACCESS` for a token of `user`: `append`, `alice/*:read`, `alice/higgs-*:full`.
 * The glob defaults to all the user's entries and must stay within them.
 */
export function parseScope(text: string, user: string): TokenScope {
  const at = text.lastIndexOf(':');
  const entries = at < 0 ? `${user}/*` : text.slice(0, at);
  const access = (at < 0 ? text : text.slice(at + 1)) as Access;
  if (!ACCESS_LEVELS.includes(access)) {
    throw new VmlError('E_USAGE', `Cannot use scope "${text}": the access must be read, append or full`, {
      hint: `Write the scope as ACCESS or GLOB:ACCESS, e.g. "append" or "${user}/higgs-*:read"`,
    });
  }
  if (!entries.startsWith(`${user}/`) || entries.length === user.length + 1) {
    throw new VmlError('E_USAGE', `Cannot use scope "${text}": its entries must belong to "${user}"`, {
      hint: `Start the glob with "${user}/", e.g. "${user}/*"`,
    });
  }
  return { entries, access };
}

/** Whether a scope's glob covers `entry` (`owner/name`). */
export function scopeCovers(scope: TokenScope, entry: string): boolean {
  return picomatch(scope.entries)(entry);
}
