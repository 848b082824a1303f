/**
 * The RPM database reader on databases the real rpm writes (SQLite, from Debian's rpm 4.18), a BerkeleyDB
 * `Packages` made with db5.3_load from the same headers (Debian's rpm cannot write BerkeleyDB any more),
 * and a SQLite database whose newest install is still only in its write-ahead log.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPackagesSqlite } from '@snyk/rpm-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInstalled } from '../../../../../agent/steps/packages/installed.js';
import { type Package, sortPackages } from '../../../../../agent/steps/packages/package.js';
import { findRpmDatabase } from '../../../../../agent/steps/packages/rpmdb.js';
import { buildRpms, rpmFile, rpmInstall, rpmQueryAll, TEST_RPMS } from '../../../../helpers/rpms.js';

const asLine = (p: Package) => `${p.name} ${p.epoch} ${p.version} ${p.release} ${p.arch}`;
const installedFiles = TEST_RPMS.filter((p) => p.name !== 'vml-hello' || p.version === '1.0')
  .filter((p) => p.name !== 'vml-extra')
  .map(rpmFile);

let dir: string;
let rpms: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-rpmdb-test-'));
  rpms = await buildRpms();
  root = join(dir, 'root');
  await rpmInstall(root, rpms, installedFiles);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readInstalled() on an RPM root', () => {
  it('finds the SQLite database rpm wrote and reads what rpm -qa lists', async () => {
    expect(await findRpmDatabase(root)).toEqual({
      dir: 'var/lib/rpm',
      path: 'var/lib/rpm/rpmdb.sqlite',
      backend: 'sqlite',
    });
    const installed = await readInstalled(root);
    expect(installed.format).toBe('rpm');
    expect(installed.packages.map(asLine).sort()).toEqual(await rpmQueryAll(root));
    expect(installed.packages.find((p) => p.name === 'vml-epoch')?.epoch).toBe(2);
    expect(installed.packages.find((p) => p.name === 'vml-lib')?.release).toBe('3.el9');
  });

  it('reads a BerkeleyDB Packages file (EL7, EL8, CernVM 4)', async () => {
    const bdbRoot = join(dir, 'bdb');
    await mkdir(join(bdbRoot, 'var/lib/rpm'), { recursive: true });
    const text = join(dir, 'bdb.txt');
    await writeFile(text, await headersAsDbLoadText(join(root, 'var/lib/rpm/rpmdb.sqlite')));
    execFileSync('db5.3_load', ['-t', 'hash', '-T', '-f', text, join(bdbRoot, 'var/lib/rpm/Packages')]);
    const installed = await readInstalled(bdbRoot);
    expect(installed.backend).toBe('bdb');
    expect(installed.packages.map(asLine).sort()).toEqual(await rpmQueryAll(root));
  });

  it('prefers usr/lib/sysimage/rpm and ignores an absolute var/lib/rpm symlink that leads out of the root', async () => {
    const el9 = join(dir, 'el9');
    await rpmInstall(join(dir, 'host-like'), rpms, [rpmFile(TEST_RPMS[1] as (typeof TEST_RPMS)[number])]);
    await mkdir(join(el9, 'var/lib'), { recursive: true });
    // In an offline image this link would name the host's /usr/lib/sysimage/rpm: point it at another root.
    await symlink(join(dir, 'host-like/var/lib/rpm'), join(el9, 'var/lib/rpm'));
    expect(await findRpmDatabase(el9)).toBeUndefined();
    await mkdir(join(el9, 'usr/lib/sysimage'), { recursive: true });
    execFileSync('cp', ['-a', join(root, 'var/lib/rpm'), join(el9, 'usr/lib/sysimage/rpm')]);
    expect((await findRpmDatabase(el9))?.path).toBe('usr/lib/sysimage/rpm/rpmdb.sqlite');
  });

  it('sees an install that is only in the write-ahead log, which the main file alone misses', async () => {
    const walRoot = join(dir, 'wal');
    await rpmInstall(walRoot, rpms, [rpmFile(TEST_RPMS[0] as (typeof TEST_RPMS)[number])]);
    const extraRoot = join(dir, 'extra');
    await rpmInstall(extraRoot, rpms, [
      rpmFile(TEST_RPMS.find((p) => p.name === 'vml-extra') as (typeof TEST_RPMS)[number]),
    ]);
    const db = join(walRoot, 'var/lib/rpm/rpmdb.sqlite');
    const blob = (await headerBlobs(join(extraRoot, 'var/lib/rpm/rpmdb.sqlite')))[0] as Uint8Array;
    // A writer that dies before its checkpoint, as rpm does when the machine is switched off mid-install.
    const child = spawnSync(
      process.execPath,
      [
        '--no-warnings',
        '-e',
        `const { DatabaseSync } = require('node:sqlite');
         const db = new DatabaseSync(process.argv[1]);
         db.exec('PRAGMA wal_autocheckpoint=0');
         db.prepare('INSERT INTO Packages (blob) VALUES (?)').run(Buffer.from(process.argv[2], 'hex'));
         process.kill(process.pid, 'SIGKILL');`,
        db,
        Buffer.from(blob).toString('hex'),
      ],
      { encoding: 'utf8' },
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect((await stat(`${db}-wal`)).size).toBeGreaterThan(0);
    const mainFileOnly = await getPackagesSqlite(await readFile(db));
    expect(mainFileOnly.response.map((p) => p.name)).toEqual(['vml-hello']);
    const names = sortPackages((await readInstalled(walRoot)).packages).map((p) => p.name);
    expect(names).toEqual(['vml-extra', 'vml-hello']);
    // Read from a private copy: the guest's database and log are left as they were.
    expect((await stat(`${db}-wal`)).size).toBeGreaterThan(0);
  });
});

describe('readInstalled() on other roots', () => {
  it('reads a dpkg root and reports none for a root without a database', async () => {
    const debian = join(dir, 'debian');
    await mkdir(join(debian, 'var/lib/dpkg'), { recursive: true });
    const fixture = new URL('../../../../fixtures/dpkg/status', import.meta.url);
    await writeFile(join(debian, 'var/lib/dpkg/status'), await readFile(fixture));
    const installed = await readInstalled(debian);
    expect(installed).toMatchObject({ format: 'dpkg', database: 'var/lib/dpkg/status' });
    expect(installed.packages.map((p) => p.name)).toEqual(['bash', 'attr', 'tzdata', 'adduser']);
    expect(await readInstalled(join(dir, 'empty'))).toEqual({ format: 'none', packages: [] });
  });
});

async function headerBlobs(file: string): Promise<Uint8Array[]> {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db
      .prepare('SELECT blob FROM Packages ORDER BY hnum')
      .all()
      .map((row) => row.blob as Uint8Array);
  } finally {
    db.close();
  }
}

/** db_load -T input: key and value lines alternate, bytes as \xx; keys are header numbers, as rpm's. */
async function headersAsDbLoadText(file: string): Promise<string> {
  const hex = (bytes: Uint8Array) => [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  return (await headerBlobs(file))
    .map((blob, i) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(i + 1);
      return `${hex(key)}\n${hex(blob)}\n`;
    })
    .join('');
}
