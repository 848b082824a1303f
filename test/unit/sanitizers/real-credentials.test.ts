/** The content scanner on real artifacts made by openssl, ssh-keygen and a throwaway KDC. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sniffDer } from '../../../sanitizers/scanner/der.js';
import { sniffKerberos } from '../../../sanitizers/scanner/kerberos.js';
import { detectBinary, detectText } from '../../../sanitizers/scanner/signatures.js';
import {
  binaryArtifact,
  type GridCredentials,
  type Kdc,
  makeGridCredentials,
  makeSshKeys,
  run,
  type SshKeys,
  startKdc,
} from '../../helpers/credentials.js';

let dir: string;
let grid: GridCredentials;
let ssh: SshKeys;
let kdc: Kdc;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-creds-'));
  [grid, ssh, kdc] = await Promise.all([
    makeGridCredentials(join(dir, 'grid')),
    makeSshKeys(join(dir, 'ssh')),
    startKdc(join(dir, 'kdc')),
  ]);
  await kdc.addPrincipal('alice', 'alice-pw');
  await kdc.addPrincipal('host/vm.vml.test');
});
afterAll(async () => {
  await kdc?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('openssl artifacts', () => {
  test('an RFC 3820 proxy is a proxy, by its proxyCertInfo extension', () => {
    expect(detectText(grid.rfcProxy.bytes.toString('latin1'))).toMatchObject({
      type: 'x509-proxy',
      credential: 'session',
    });
  });
  test('a legacy proxy is a proxy, by its CN=proxy subject', () => {
    expect(detectText(grid.legacyProxy.bytes.toString('latin1'))).toMatchObject({ type: 'x509-proxy' });
  });
  test('encrypted PKCS#8 and Proc-Type keys are private keys, removed whole', () => {
    for (const key of [grid.userKey, grid.userKeyLegacy]) {
      expect(detectText(key.bytes.toString('latin1'))).toEqual({
        type: 'private-key',
        credential: 'long-lived',
      });
    }
    expect(grid.userKeyLegacy.bytes.toString()).toContain('Proc-Type: 4,ENCRYPTED');
  });
  test('a .p12 is recognised by its DER structure; a certificate is not a key', () => {
    expect(sniffDer(grid.p12.bytes)).toBe('pkcs12');
    expect(detectBinary(grid.p12.bytes, grid.p12.bytes.length)?.type).toBe('pkcs12');
    expect(detectText(grid.userCert.toString('latin1'))).toBeUndefined();
    expect(detectText(grid.caCert.toString('latin1'))).toBeUndefined();
  });
});

describe('openssl DER keys', () => {
  test('PKCS#8 DER keys, plain and encrypted, are recognised by structure', async () => {
    const key = join(dir, 'grid/userkey.pem');
    const pass = `pass:${grid.passphrase}`;
    await run('openssl', [
      'pkcs8',
      '-topk8',
      '-nocrypt',
      '-in',
      key,
      '-passin',
      pass,
      '-outform',
      'DER',
      '-out',
      join(dir, 'k.der'),
    ]);
    await run('openssl', [
      'pkcs8',
      '-topk8',
      '-v2',
      'aes256',
      '-in',
      key,
      '-passin',
      pass,
      '-passout',
      pass,
      '-outform',
      'DER',
      '-out',
      join(dir, 'k-enc.der'),
    ]);
    await run('openssl', [
      'rsa',
      '-in',
      key,
      '-passin',
      pass,
      '-traditional',
      '-outform',
      'DER',
      '-out',
      join(dir, 'k-rsa.der'),
    ]);
    expect(sniffDer(await readFile(join(dir, 'k.der')))).toBe('pkcs8-private-key');
    expect(sniffDer(await readFile(join(dir, 'k-enc.der')))).toBe('pkcs8-encrypted-private-key');
    expect(sniffDer(await readFile(join(dir, 'k-rsa.der')))).toBe('rsa-private-key');
    await run('openssl', [
      'x509',
      '-in',
      join(dir, 'grid/usercert.pem'),
      '-outform',
      'DER',
      '-out',
      join(dir, 'c.der'),
    ]);
    expect(sniffDer(await readFile(join(dir, 'c.der')))).toBeUndefined();
  });
});

describe('ssh-keygen artifacts', () => {
  test('user, encrypted and host keys are SSH private keys; public keys are not', () => {
    for (const key of [ssh.user, ssh.encrypted, ssh.host]) {
      expect(detectText(key.bytes.toString('latin1'))?.type).toBe('ssh-private-key');
    }
    expect(detectText(ssh.userPub.toString('latin1'))).toBeUndefined();
  });
});

describe('KDC artifacts', () => {
  test('FILE and DIR ccaches carry the magic and the principal', async () => {
    await kdc.kinit('alice', 'alice-pw', `FILE:${join(dir, 'cc')}`);
    await kdc.kinit('alice', 'alice-pw', `DIR:${join(dir, 'ccdir')}`);
    for (const path of [join(dir, 'cc'), join(dir, 'ccdir', 'tkt')]) {
      const cc = await binaryArtifact(path);
      expect(sniffKerberos(cc.bytes)).toEqual({ kind: 'ccache', principal: 'alice@VML.TEST' });
      expect(detectBinary(cc.bytes, cc.bytes.length)).toMatchObject({ restoreHint: 'kinit alice@VML.TEST' });
    }
  });
  test('keytabs carry the keytab magic and their first principal', async () => {
    await kdc.keytab('host/vm.vml.test', join(dir, 'krb5.keytab'));
    const kt = await binaryArtifact(join(dir, 'krb5.keytab'));
    expect(sniffKerberos(kt.bytes)).toEqual({ kind: 'keytab', principal: 'host/vm.vml.test@VML.TEST' });
  });
});
