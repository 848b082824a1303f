/**
 * Credentials for private backups: which files of a backup are credentials, found cheaply enough to run at
 * every backup. Session credentials are then only recorded; long-lived ones go to the owner's sealed vault.
 *
 * The rule: every path is matched against the known locations of the credential sanitizers (path rules,
 * no reads, except the few that confirm a format from a file's first bytes); content signatures are read
 * only for files of at most 256 KiB that are not obviously data or installed software (scanner/limits.ts).
 * Nothing is changed on disk.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { runOnTree } from './pipeline.js';
import { SANITIZERS } from './registry.js';
import type { Finding } from './sanitizer.js';
import { DiskTree, walkRegularFiles } from './tree.js';
import { readRootUsers } from './users.js';

/** Credentials under `root` at the given root-relative paths (or everywhere in scope when paths is
 *  undefined), cheaply: known locations by path, plus content signatures for small files. */
export async function findCredentials(root: string, paths: Iterable<string> | undefined): Promise<Finding[]> {
  const files = paths === undefined ? (await walkRegularFiles(root)).files : await regularFiles(root, paths);
  const findings: Finding[] = [];
  const tree = new DiskTree(root, files, {
    dryRun: true,
    // A file the backup itself can read but we cannot is not a credential we know of; the backup reports it.
    onUnreadable: () => undefined,
  });
  const sanitizers = SANITIZERS.filter((s) => s.enabledByDefault && s.credentials === true);
  await runOnTree(tree, sanitizers, {
    users: await readRootUsers(root),
    dryRun: true,
    mode: 'inventory',
    findings,
  });
  return findings.filter((f) => f.credential !== undefined);
}

async function regularFiles(root: string, paths: Iterable<string>): Promise<string[]> {
  const out: string[] = [];
  for (const raw of paths) {
    const path = raw.replace(/^\/+/, '');
    if (path === '' || path.split('/').some((p) => p === '..' || p === '.' || p === '')) continue;
    try {
      if ((await lstat(join(root, path))).isFile()) out.push(path);
    } catch {
      // Gone since the caller listed it: nothing to divert.
    }
  }
  return out;
}
