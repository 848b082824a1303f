/**
 * Reads the RPM database of a root, online or offline, without the root's own rpm: SQLite (EL9,
 * `rpmdb.sqlite`), NDB (`Packages.db`, SUSE and some EL builds) and BerkeleyDB (`Packages`, EL7/EL8 and
 * CernVM 4), with @snyk/rpm-parser. The database is only read, never opened for writing.
 */
import { copyFile, lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPackages, getPackagesNdb } from '@snyk/rpm-parser';
// Not re-exported by the package's index: the header parser the three readers above share, needed for
// blobs read through node:sqlite (see readSqliteWithWal).
import { bufferToPackageInfo } from '@snyk/rpm-parser/dist/rpm/index.js';
import type { PackageInfo } from '@snyk/rpm-parser/dist/rpm/types.js';
import { VmlError } from '../../../core/errors.js';
import { openReadOnly } from '../../software/cvmfs/sqlite.js';
import type { Package } from './package.js';

/** Directories an RPM database lives in, relative to the root; the first with a database wins. */
export const RPMDB_DIRS = ['usr/lib/sysimage/rpm', 'var/lib/rpm'] as const;

/** Database files by backend, newest backend first (a converted root may keep the old file beside). */
const BACKENDS = [
  { file: 'rpmdb.sqlite', kind: 'sqlite' },
  { file: 'Packages.db', kind: 'ndb' },
  { file: 'Packages', kind: 'bdb' },
] as const;

export type RpmBackend = (typeof BACKENDS)[number]['kind'];

/** An RPM database found under a root. */
export interface RpmDatabase {
  /** The directory, relative to the root (what rpm calls `%_dbpath`, without the leading "/"). */
  readonly dir: string;
  /** The database file, relative to the root. */
  readonly path: string;
  readonly backend: RpmBackend;
}

/** The RPM database of `root`, or undefined when it has none. */
export async function findRpmDatabase(root: string): Promise<RpmDatabase | undefined> {
  for (const dir of RPMDB_DIRS) {
    // EL9 makes var/lib/rpm a symlink to /usr/lib/sysimage/rpm: an absolute link that, in an offline
    // root, leads to the host's database. Such links are skipped; the directory they name is tried too.
    if (!(await isPlain(join(root, dir), 'dir'))) continue;
    for (const { file, kind } of BACKENDS) {
      const path = `${dir}/${file}`;
      if (await isPlain(join(root, path), 'file')) return { dir, path, backend: kind };
    }
  }
  return undefined;
}

/** Every package in `db` (gpg-pubkey entries included: they are the root's imported signing keys). */
export async function readRpmDatabase(root: string, db: RpmDatabase): Promise<Package[]> {
  const file = join(root, db.path);
  let infos: PackageInfo[];
  // node:sqlite reads every rpmdb.sqlite: it sees a write-ahead log not yet checkpointed, and it reads a
  // database with no packages (`rpm --initdb`), on which sql.js (underneath getPackagesSqlite) was seen
  // to fail with "Cannot read properties of undefined".
  if (db.backend === 'sqlite') {
    infos = await readSqliteWithWal(file);
  } else {
    const bytes = await readFile(file);
    const read = db.backend === 'ndb' ? getPackagesNdb : getPackages;
    const result = await read(bytes);
    if (result.error !== undefined) throw unreadable(db.path, result.error);
    infos = result.response;
  }
  return infos.filter((info) => info !== undefined && info.name !== undefined).map(toPackage);
}

/**
 * A live database whose write-ahead log is not yet checkpointed keeps its newest installs in
 * `rpmdb.sqlite-wal`, which a reader of the main file alone (sql.js, underneath getPackagesSqlite) misses.
 * SQLite itself merges the log; it runs on a private copy, because opening the original would create
 * `-shm` files in the guest (impossible on a read-only image) and could race with a running rpm.
 */
async function readSqliteWithWal(file: string): Promise<PackageInfo[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vml-rpmdb-'));
  try {
    const copy = join(dir, 'rpmdb.sqlite');
    await copyFile(file, copy);
    if (await nonEmpty(`${file}-wal`)) await copyFile(`${file}-wal`, `${copy}-wal`);
    let blobs: Uint8Array[];
    try {
      const db = await openReadOnly(copy, 'the RPM database');
      try {
        blobs = db
          .prepare('SELECT blob FROM Packages')
          .all()
          .map((row) => row.blob as Uint8Array);
      } finally {
        db.close();
      }
    } catch (cause) {
      throw unreadable(file, cause);
    }
    const infos: PackageInfo[] = [];
    for (const blob of blobs) {
      const info = await bufferToPackageInfo(Buffer.from(blob));
      if (info !== undefined) infos.push(info);
    }
    return infos;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function toPackage(info: PackageInfo): Package {
  return {
    name: info.name,
    epoch: info.epoch ?? 0,
    version: info.version ?? '',
    release: info.release ?? '',
    // Source-less pseudo packages (gpg-pubkey) have no arch; rpm prints them as "(none)".
    arch: info.arch ?? '(none)',
  };
}

function unreadable(path: string, cause: unknown): VmlError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new VmlError('E_IO', `Cannot read the RPM database "${path}": ${detail}`, {
    hint: 'Check that the file is a complete RPM database (rpm --rebuilddb repairs a damaged one)',
    cause,
  });
}

async function isPlain(path: string, type: 'dir' | 'file'): Promise<boolean> {
  try {
    const stat = await lstat(path);
    return type === 'dir' ? stat.isDirectory() : stat.isFile();
  } catch {
    return false;
  }
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).size > 0;
  } catch {
    return false;
  }
}
