/**
 * Tampered repositories are refused, with exit code 1 and a message naming what failed: a modified
 * catalog, a modified data object, a modified manifest (with and without a recomputed hash line), an
 * expired whitelist, a whitelist re-signed by another key, a certificate missing from the whitelist.
 */
import { constants, createHash, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/cli.js';
import { copyServed, extractFixture, type Fixture, FQRN, type StaticServer, serve } from './fixture.js';

let fixture: Fixture;
let server: StaticServer;

beforeAll(async () => {
  fixture = await extractFixture();
  server = await serve(join(fixture.dir, 'srv'));
});

afterAll(async () => {
  await server?.close();
});

const repoDir = (srv: string) => join(srv, 'cvmfs', FQRN);

/** Serves a tampered copy, runs a preload of everything into a fresh directory, returns the result. */
async function preloadTampered(
  tamper: (repo: string) => Promise<void>,
  publicKey = fixture.publicKey,
): Promise<{ code: number | null; message: string; into: string }> {
  const srv = await copyServed(fixture);
  await tamper(repoDir(srv));
  server.root = srv;
  const into = await mkdtemp(join(tmpdir(), 'vml-tamper-into-'));
  const result = await runAgent([
    'software',
    'preload',
    `${FQRN}:/`,
    '--into',
    into,
    '--server',
    server.url,
    '--public-key',
    publicKey,
    '--json',
  ]);
  return { code: result.code, message: String(result.error?.message ?? result.stderr), into };
}

async function flipByte(path: string, offset: number): Promise<void> {
  const data = await readFile(path);
  const at = Math.min(offset, data.length - 1);
  data[at] = (data[at] as number) ^ 0xff;
  await writeFile(path, data);
}

/** A whitelist for the fixture, signed (raw RSA PKCS#1 over the hash line) with `privateKey`. */
function whitelist(options: {
  expires: string;
  fingerprint: string;
  privateKey: import('node:crypto').KeyObject;
}) {
  const text = `20261122040217\nE${options.expires}\nN${FQRN}\n${options.fingerprint}\n`;
  const hash = createHash('sha1').update(text).digest('hex');
  const signature = privateEncrypt(
    { key: options.privateKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(hash),
  );
  return Buffer.concat([Buffer.from(`${text}--\n${hash}\n`), signature]);
}

const FINGERPRINT = 'EC:CB:8F:C3:36:44:61:7F:BE:7D:52:E6:7D:28:4D:56:E2:84:9C:2E';
const ROOT_CATALOG = 'data/fb/9c8e58177c40a7ce8c6324899eeba73730704dC';
const SETUP_SH = 'data/26/8e11f61956b77a8c246d46a93aa134908cf189';

describe('software preload refuses tampered data', () => {
  it('a modified catalog object', async () => {
    const r = await preloadTampered((repo) => flipByte(join(repo, ROOT_CATALOG), 100));
    expect(r.code).toBe(1);
    expect(r.message).toContain(ROOT_CATALOG);
    expect(r.message).toMatch(/does not match its hash/);
    expect(existsSync(join(r.into, FQRN, 'lcg'))).toBe(false);
  });

  it('a modified data object', async () => {
    const r = await preloadTampered((repo) => flipByte(join(repo, SETUP_SH), 20));
    expect(r.code).toBe(1);
    expect(r.message).toContain(SETUP_SH);
    expect(r.message).toContain('/lcg/contrib/gcc/13/setup.sh');
    expect(r.message).toMatch(/does not match its hash/);
    expect(existsSync(join(r.into, FQRN, 'lcg/contrib/gcc/13/setup.sh'))).toBe(false);
  });

  it('a modified manifest', async () => {
    const r = await preloadTampered(async (repo) => {
      const path = join(repo, '.cvmfspublished');
      const data = await readFile(path, 'latin1');
      await writeFile(path, data.replace('\nS3\n', '\nS4\n'), 'latin1');
    });
    expect(r.code).toBe(1);
    expect(r.message).toMatch(/manifest \(\.cvmfspublished\) of "sft-fixture\.cern\.ch".*signed hash/);
  });

  it('a modified manifest with a recomputed hash line', async () => {
    const r = await preloadTampered(async (repo) => {
      const path = join(repo, '.cvmfspublished');
      const data = await readFile(path);
      const sep = data.indexOf('\n--\n');
      const text = data
        .subarray(0, sep + 1)
        .toString('latin1')
        .replace('\nS3\n', '\nS4\n');
      const hash = createHash('sha1').update(text, 'latin1').digest('hex');
      const signature = data.subarray(data.indexOf('\n', sep + 4) + 1);
      await writeFile(path, Buffer.concat([Buffer.from(`${text}--\n${hash}\n`, 'latin1'), signature]));
    });
    expect(r.code).toBe(1);
    expect(r.message).toMatch(/manifest.*signature does not verify with the repository certificate/);
  });

  it('an expired whitelist, and a whitelist re-signed by another key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = await mkdtemp(join(tmpdir(), 'vml-tamper-key-'));
    const ourKey = join(dir, 'other.pub');
    await writeFile(ourKey, publicKey.export({ type: 'spki', format: 'pem' }));

    // Signed by a key the client trusts, but expired.
    const expired = await preloadTampered(
      (repo) =>
        writeFile(
          join(repo, '.cvmfswhitelist'),
          whitelist({ expires: '20200101000000', fingerprint: FINGERPRINT, privateKey }),
        ),
      ourKey,
    );
    expect(expired.code).toBe(1);
    expect(expired.message).toMatch(/whitelist.*expired on 2020-01-01/);

    // Valid dates, but not signed by the repository's master key.
    const resigned = await preloadTampered((repo) =>
      writeFile(
        join(repo, '.cvmfswhitelist'),
        whitelist({ expires: '20991231000000', fingerprint: FINGERPRINT, privateKey }),
      ),
    );
    expect(resigned.code).toBe(1);
    expect(resigned.message).toMatch(/whitelist.*signature does not verify with the master key/);

    // Trusted and valid, but the repository certificate is not on it.
    const other = await preloadTampered(
      (repo) =>
        writeFile(
          join(repo, '.cvmfswhitelist'),
          whitelist({
            expires: '20991231000000',
            fingerprint: FINGERPRINT.replace('EC:', '00:'),
            privateKey,
          }),
        ),
      ourKey,
    );
    expect(other.code).toBe(1);
    expect(other.message).toMatch(/certificate EC:CB:.* is not on the repository's whitelist/);
  });
});
