/**
 * Plain rpm, for roots without dnf or yum: the exact builds are looked up as files
 * (`name-version-release.arch.rpm`) in the recipe's local repositories and installed with `rpm -U`.
 * rpm resolves no dependency, so a package whose dependency is not in the plan fails and is reported.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateHome } from './dnf.js';
import { commandLine, inOneThenEach, type ManagerSetup, type PackageManager } from './managers.js';
import type { Package } from './package.js';
import { errorLine, runManager } from './run-tool.js';

/** The file name a build has in a repository (the epoch is never part of it). */
export function rpmFileName(p: Package): string {
  return `${p.name}-${p.version}-${p.release}.${p.arch}.rpm`;
}

export async function rpmFilesManager(setup: ManagerSetup): Promise<PackageManager> {
  const work = await mkdtemp(join(tmpdir(), 'vml-rpm-'));
  const env = await privateHome(work, setup.dbDir);
  const files = await indexLocalRepos(setup.repos.map((r) => r.url));
  const base = ['--root', setup.root, '--dbpath', `/${setup.dbDir}`];
  const fileOf = (p: Package) => files.get(rpmFileName(p));
  const install = (batch: readonly Package[]) => [
    '-U',
    '--oldpackage',
    '--replacepkgs',
    ...batch.map((p) => fileOf(p) ?? rpmFileName(p)),
  ];
  const erase = (batch: readonly Package[]) => [
    '-e',
    ...batch.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}`),
  ];
  const run = (args: string[]) => runManager('rpm', [...base, ...args], { env, signal: setup.signal });
  return {
    name: 'rpm',
    commands: (plan) => [
      ...(plan.install.length > 0 ? [commandLine(['rpm', ...base, ...install(plan.install)])] : []),
      ...(plan.remove.length > 0 ? [commandLine(['rpm', ...base, ...erase(plan.remove)])] : []),
    ],
    async apply(plan) {
      const failed = new Map<Package, string>();
      const found = plan.install.filter((p) => fileOf(p) !== undefined);
      for (const p of plan.install) {
        if (fileOf(p) === undefined) failed.set(p, `${rpmFileName(p)} is in none of the local repositories`);
      }
      for (const [p, why] of await inOneThenEach(found, (b) => run(install(b)), errorLine))
        failed.set(p, why);
      for (const [p, why] of await inOneThenEach(plan.remove, (b) => run(erase(b)), errorLine))
        failed.set(p, why);
      return failed;
    },
    hint: (p, action) =>
      action === 'install'
        ? `rpm --root ${setup.root} -U ${rpmFileName(p)} (dnf would also bring its dependencies)`
        : `rpm --root ${setup.root} -e ${p.name}`,
    close: () => rm(work, { recursive: true, force: true }),
  };
}

/** Every .rpm file below the local repositories (paths or file:// URLs), by file name. */
async function indexLocalRepos(urls: readonly string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const url of urls) {
    const dir = url.startsWith('file://') ? url.slice('file://'.length) : url;
    if (!dir.startsWith('/')) continue; // a remote repository: plain rpm cannot fetch from it
    let names: string[];
    try {
      names = await readdir(dir, { recursive: true });
    } catch {
      continue;
    }
    for (const name of names) {
      const base = name.split('/').pop() as string;
      if (base.endsWith('.rpm') && !files.has(base)) files.set(base, join(dir, name));
    }
  }
  return files;
}
