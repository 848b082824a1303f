/**
 * What a root has installed, from whichever database it keeps: RPM first (an EL root, even one where
 * dpkg tools happen to be installed), else dpkg; and which system it is, from its os-release.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DPKG_STATUS, readDpkgStatus } from './dpkg.js';
import type { Package, PackageFormat } from './package.js';
import { findRpmDatabase, type RpmBackend, readRpmDatabase } from './rpmdb.js';

export interface Installed {
  readonly format: PackageFormat;
  /** The file read, relative to the root. */
  readonly database?: string | undefined;
  readonly backend?: RpmBackend | 'dpkg-status' | undefined;
  /** The RPM database directory relative to the root (`var/lib/rpm`). */
  readonly dbDir?: string | undefined;
  readonly packages: readonly Package[];
}

/** The installed packages of `root`; format `none` when it has no package database. */
export async function readInstalled(root: string): Promise<Installed> {
  const rpmdb = await findRpmDatabase(root);
  if (rpmdb !== undefined) {
    const packages = await readRpmDatabase(root, rpmdb);
    return { format: 'rpm', database: rpmdb.path, backend: rpmdb.backend, dbDir: rpmdb.dir, packages };
  }
  const dpkg = await readDpkgStatus(root);
  if (dpkg !== undefined)
    return { format: 'dpkg', database: DPKG_STATUS, backend: 'dpkg-status', packages: dpkg };
  return { format: 'none', packages: [] };
}

/** `ID` and `VERSION_ID` of the root's os-release (`almalinux`, `9.4`), when it has one. */
export interface OsRelease {
  readonly id: string;
  readonly versionId: string;
}

export async function readOsRelease(root: string): Promise<OsRelease | undefined> {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    let text: string;
    try {
      text = await readFile(join(root, path), 'utf8');
    } catch {
      continue;
    }
    const value = (key: string) => new RegExp(`^${key}=("?)(.*)\\1$`, 'm').exec(text)?.[2]?.trim() ?? '';
    return { id: value('ID'), versionId: value('VERSION_ID') };
  }
  return undefined;
}
