/**
 * dnf (EL8/EL9) and yum (EL7), which take the same options for what a restore needs. Exact builds are
 * named by NEVRA; dnf then installs, upgrades or downgrades to that build as needed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  commandLine,
  type ExtraRepo,
  inOneThenEach,
  type ManagerSetup,
  type PackageManager,
  type PackagePlan,
} from './managers.js';
import { nevra, type Package } from './package.js';
import { errorLine, runManager } from './run-tool.js';

/** dnf or yum working on `setup.root`. */
export async function dnfManager(tool: 'dnf' | 'yum', setup: ManagerSetup): Promise<PackageManager> {
  const work = await mkdtemp(join(tmpdir(), 'vml-dnf-'));
  const env = await privateHome(work, setup.dbDir);
  const options = await commonOptions(work, setup);
  const run = (verb: string, batch: readonly Package[]) =>
    runManager(tool, [...options.run, verb, ...batch.map(nevra)], { env, signal: setup.signal });
  const line = (verb: string, batch: readonly Package[]) =>
    commandLine([tool, ...options.shown, verb, ...batch.map(nevra)]);
  return {
    name: tool,
    commands: (plan: PackagePlan) => [
      ...(plan.install.length > 0 ? [line('install', plan.install)] : []),
      ...(plan.remove.length > 0 ? [line('remove', plan.remove)] : []),
    ],
    async apply(plan) {
      const failed = await inOneThenEach(plan.install, (b) => run('install', b), errorLine);
      for (const [p, why] of await inOneThenEach(plan.remove, (b) => run('remove', b), errorLine)) {
        failed.set(p, why);
      }
      return failed;
    },
    hint: (p, action) => {
      const root = setup.root === '/' ? '' : ` --installroot ${setup.root}`;
      return `${tool} -y${root} ${action} ${nevra(p)}`;
    },
    close: () => rm(work, { recursive: true, force: true }),
  };
}

/**
 * The options of every call, and as shown to the user: the extra repositories go into a private
 * repository directory (yum has no --repofrompath), shown as the --repofrompath a user would type.
 */
async function commonOptions(work: string, setup: ManagerSetup): Promise<{ run: string[]; shown: string[] }> {
  const options = ['-y', '--setopt=install_weak_deps=False'];
  if (setup.root !== '/') options.push('--installroot', setup.root);
  if (setup.releasever !== undefined) options.push('--releasever', setup.releasever);
  // With --installroot dnf falls back to the host's repositories when the root has none: name the
  // root's own directory so that only what the root trusts (and the recipe adds) is used.
  const reposDirs = setup.root === '/' ? [] : [join(setup.root, 'etc/yum.repos.d')];
  const shown = [...options];
  if (reposDirs.length > 0) shown.push(`--setopt=reposdir=${reposDirs.join(',')}`);
  if (setup.repos.length > 0) {
    const extra = join(work, 'repos.d');
    await mkdir(extra);
    await writeFile(join(extra, 'vml-extra.repo'), repoFile(setup.repos));
    reposDirs.push(...(setup.root === '/' ? ['/etc/yum.repos.d'] : []), extra);
    for (const r of setup.repos) {
      // A mirror URL may carry a user and password: shown without them, used with them.
      shown.push('--repofrompath', `${r.id},${r.url.replace(/\/\/[^/@]*@/, '//***@')}`);
      if (!r.gpgcheck) shown.push(`--setopt=${r.id}.gpgcheck=0`);
    }
  }
  return {
    run: reposDirs.length > 0 ? [...options, `--setopt=reposdir=${reposDirs.join(',')}`] : options,
    shown,
  };
}

/** A .repo file for the recipe's extra repositories (yum has no --repofrompath). */
export function repoFile(repos: readonly ExtraRepo[]): string {
  return repos
    .map((r) => {
      const url = r.url.startsWith('/') ? `file://${r.url}` : r.url;
      return `[${r.id}]\nname=${r.id} (added by the vml packages step)\nbaseurl=${url}\nenabled=1\ngpgcheck=${r.gpgcheck ? 1 : 0}\n`;
    })
    .join('\n');
}

/**
 * An environment whose HOME has an .rpmmacros naming the root's database directory. Debian's rpm (and so
 * dnf on a Debian test machine) keeps its database in ~/.rpmdb by default; on EL the macro says what EL's
 * default says anyway.
 */
export async function privateHome(work: string, dbDir: string): Promise<NodeJS.ProcessEnv> {
  const home = join(work, 'home');
  await mkdir(home);
  await writeFile(join(home, '.rpmmacros'), `%_dbpath /${dbDir}\n`);
  return { ...process.env, HOME: home, LC_ALL: 'C' };
}
