/**
 * apt-get for Debian and Ubuntu roots: exact versions as `name:arch=version`. apt has no --installroot;
 * a root other than "/" is entered with chroot, so the root needs its own apt and sources.
 */

import { commandLine, inOneThenEach, type ManagerSetup, type PackageManager } from './managers.js';
import { evr, type Package } from './package.js';
import { errorLine, runManager } from './run-tool.js';

/** `name:arch=version` (just `name=version` for architecture-independent packages). */
export function aptSpec(p: Package): string {
  return `${aptName(p)}=${evr(p)}`;
}

function aptName(p: Package): string {
  return p.arch === 'all' ? p.name : `${p.name}:${p.arch}`;
}

export function aptManager(setup: ManagerSetup): PackageManager {
  const prefix = setup.root === '/' ? ['apt-get'] : ['chroot', setup.root, 'apt-get'];
  const install = (batch: readonly Package[]) => [
    ...prefix,
    '-y',
    '--allow-downgrades',
    'install',
    ...batch.map(aptSpec),
  ];
  const remove = (batch: readonly Package[]) => [...prefix, '-y', 'remove', ...batch.map(aptName)];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
  const run = ([command, ...args]: string[]) =>
    runManager(command as string, args, { env, signal: setup.signal });
  return {
    name: 'apt-get',
    commands: (plan) => [
      ...(plan.install.length > 0 ? [commandLine(install(plan.install))] : []),
      ...(plan.remove.length > 0 ? [commandLine(remove(plan.remove))] : []),
    ],
    async apply(plan) {
      const failed = await inOneThenEach(plan.install, (b) => run(install(b)), errorLine);
      for (const [p, why] of await inOneThenEach(plan.remove, (b) => run(remove(b)), errorLine))
        failed.set(p, why);
      return failed;
    },
    hint: (p, action) => commandLine(action === 'install' ? install([p]) : remove([p])),
    close: async () => {},
  };
}
