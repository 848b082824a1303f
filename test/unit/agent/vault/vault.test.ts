import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, openIdentity } from '../../../../agent/vault/identity.js';
import { openVault, sealVault } from '../../../../agent/vault/seal.js';
import { readTar, type VaultFile, writeTar } from '../../../../agent/vault/tar.js';

const run = promisify(execFile);
const PASSPHRASE = 'correct horse battery staple';

const longDir = `home/alice/${'deep/'.repeat(25)}`;
const FILES: VaultFile[] = [
  {
    path: 'home/alice/.globus/userkey.pem',
    mode: 0o400,
    uid: 1000,
    gid: 1000,
    user: 'alice',
    group: 'alice',
    mtime: '1700000000123456789',
    content: new TextEncoder().encode('-----BEGIN ENCRYPTED PRIVATE KEY-----\nplanted\n'),
  },
  {
    path: `${longDir}naïve .netrc`, // longer than ustar's 100 bytes, and not ASCII
    mode: 0o600,
    uid: 1001,
    gid: 100,
    mtime: '5',
    content: new Uint8Array(1025).fill(7),
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-vault-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('vault tar', () => {
  it('readTar(writeTar(files)) gives back paths, modes, ids, names, nanosecond mtimes and bytes', () => {
    expect(readTar(writeTar(FILES))).toEqual(FILES.map((f) => ({ ...f, user: f.user, group: f.group })));
  });

  it('GNU tar lists and extracts the archive with the exact long paths, modes and contents', async () => {
    const archive = join(dir, 'plain.tar');
    await writeFile(archive, writeTar(FILES));
    const { stdout } = await run('tar', ['-tvf', archive]);
    expect(stdout).toContain('-r-------- alice/alice');
    expect(stdout).toContain(`${longDir}naïve .netrc`);
    const out = join(dir, 'extracted');
    await run('mkdir', ['-p', out]);
    await run('tar', ['-xf', archive, '-C', out]);
    expect(await readFile(join(out, FILES[1]?.path as string))).toEqual(
      Buffer.from(FILES[1]?.content as Uint8Array),
    );
    expect((await stat(join(out, FILES[0]?.path as string))).mode & 0o777).toBe(0o400);
  });

  it('refuses a damaged archive', () => {
    const bytes = writeTar(FILES);
    bytes[1024 + 10] = (bytes[1024 + 10] ?? 0) ^ 0xff; // the name field of the first file header
    expect(() => readTar(bytes)).toThrow(/damaged/);
  });
});

describe('identity and sealed vault', () => {
  it('creates a 0600 identity file that opens only with its passphrase, and never replaces one', async () => {
    const path = join(dir, 'id1/identity.age');
    const made = await createIdentity(path, PASSPHRASE);
    expect(made.recipient).toMatch(/^age1[0-9a-z]+$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'id1'))).mode & 0o777).toBe(0o700);
    expect((await readFile(path)).includes(Buffer.from(made.identity))).toBe(false);
    expect(await openIdentity(path, PASSPHRASE)).toEqual(made);
    await expect(openIdentity(path, 'wrong passphrase')).rejects.toMatchObject({ code: 'E_AUTH' });
    await expect(createIdentity(path, PASSPHRASE)).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(await openIdentity(path, PASSPHRASE)).toEqual(made);
  }, 120_000); // scrypt of 256 MiB, three times: seconds each on a loaded machine

  it("seals to the recipient; Debian's age CLI opens the vault with the identity file and its passphrase", async () => {
    const path = join(dir, 'id2/identity.age');
    const { recipient, identity } = await createIdentity(path, PASSPHRASE);
    const sealed = await sealVault(FILES, recipient);
    expect(Buffer.from(sealed).includes(Buffer.from('planted'))).toBe(false);
    expect(await openVault(sealed, identity)).toEqual(FILES);
    const vault = join(dir, 'vault.age');
    const plain = join(dir, 'vault.tar');
    await writeFile(vault, sealed);
    // age asks for an identity file's passphrase on a terminal only: `script` gives it one.
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'script',
        ['-qec', `age -d -i ${path} -o ${plain} ${vault}`, '/dev/null'],
        (e) => (e ? reject(e) : resolve()),
      );
      child.stdin?.end(`${PASSPHRASE}\n`);
    });
    expect(readTar(await readFile(plain))).toEqual(FILES);
  }, 120_000);

  it('a vault sealed to another recipient does not open (E_AUTH)', async () => {
    const a = await createIdentity(join(dir, 'id3/identity.age'), PASSPHRASE);
    const b = await createIdentity(join(dir, 'id4/identity.age'), PASSPHRASE);
    await expect(openVault(await sealVault(FILES, a.recipient), b.identity)).rejects.toMatchObject({
      code: 'E_AUTH',
    });
  }, 120_000);
});
