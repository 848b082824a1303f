import { describe, expect, test } from 'vitest';
import { detectBinary } from '../../../sanitizers/scanner/signatures.js';
import { findTokens, isPlaceholder, looksRandom, textKind } from '../../../sanitizers/scanner/tokens.js';
import { blankExport } from '../../../sanitizers/shell-rc-secrets.js';

const values = (text: string, path: string) =>
  findTokens(text, textKind(path)).map((h) => text.slice(h.start, h.end));

describe('findTokens()', () => {
  test('configuration: any non-placeholder password value', () => {
    expect(values('password = hunter22\nuser = alice\npassword_file = /etc/pw\n', 'a/db.cfg')).toEqual([
      'hunter22',
    ]);
    expect(values('password: changeme\npassword: <password>\npassword: \u0024{DB_PW}\n', 'a/c.yaml')).toEqual(
      [],
    );
  });
  test('code: only string literals count, and identifiers named like tokens are not secrets', () => {
    expect(
      values('pw = args.password\nconnect(password="s3cr3t-Pw!")\ntokenizer = "bert-base"\n', 'a/x.py'),
    ).toEqual(['s3cr3t-Pw!']);
    expect(values('api_key = "not-random"\n', 'a/x.py')).toEqual([]);
  });
  test('prose: only random-looking values, so sentences about passwords survive', () => {
    expect(values('Set the password: use the one from the vault.\n', 'a/README.md')).toEqual([]);
    expect(values('Temporary password: Xk9#mQ2$vL7p\n', 'a/README.md')).toEqual(['Xk9#mQ2$vL7p']);
  });
  test('URLs with passwords, JWTs and cloud keys anywhere; placeholders in URLs are kept', () => {
    expect(values('url = https://alice:Tr0ub4dor3@gitlab.cern.ch/x.git\n', 'a/.git/config')).toEqual([
      'Tr0ub4dor3',
    ]);
    expect(values('see https://user:password@host/ and https://u:\u0024{PW}@h/\n', 'a/notes.md')).toEqual([]);
    expect(values('AKIAABCDEFGHIJKLMNOP\n', 'a/notes.txt')).toEqual(['AKIAABCDEFGHIJKLMNOP']);
  });
  test('placeholders and randomness', () => {
    for (const p of [
      '',
      'xxx',
      'XXXX',
      '***',
      'changeme',
      '<password>',
      '\u0024{VAR}',
      '$VAR',
      '%(pw)s',
      'your_password',
    ]) {
      expect(isPlaceholder(p), p).toBe(true);
    }
    expect(looksRandom('correct-horse-battery')).toBe(false);
    expect(looksRandom('9fJ2kLq8ZpX1')).toBe(true);
  });
});

describe('blankExport()', () => {
  test('blanks exported secrets in sh, csh and fish syntax, keeping the line', () => {
    expect(blankExport('export GITHUB_TOKEN=ghp_abc123def456')).toBe('export GITHUB_TOKEN=');
    expect(blankExport('export DB_PASSWORD="s3cret pw" # db')).toBe('export DB_PASSWORD="" # db');
    expect(blankExport('setenv RUCIO_PASSWORD hunter22')).toBe('setenv RUCIO_PASSWORD ');
    expect(blankExport('set -gx API_KEY abcdef123456')).toBe('set -gx API_KEY ');
  });
  test('keeps references and variables that are not secrets', () => {
    expect(blankExport('export TOKEN=$(cat ~/.token)')).toBeUndefined();
    expect(blankExport('export X509_USER_PROXY=/tmp/x509up_u1000')).toBeUndefined();
    expect(blankExport('export PASSWORD_STORE_DIR=~/.password-store')).toBeUndefined();
  });
});

describe('detectBinary()', () => {
  test('an ELF core dump (e_type 4) is a core dump; an ELF executable is not', () => {
    const elf = (type: number) =>
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(8).fill(0), type, 0, 0x3e, 0]);
    expect(detectBinary(elf(4), 4096)).toEqual({ type: 'core-dump' });
    expect(detectBinary(elf(2), 4096)).toBeUndefined();
  });
});
