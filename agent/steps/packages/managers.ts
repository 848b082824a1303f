/**
 * The package managers a restore can drive, behind one interface: dnf or yum (what an EL root has), plain
 * rpm on the files of local repositories when neither is installed, apt-get for Debian and Ubuntu roots.
 */
import type { Output } from '../../../core/events.js';
import type { Package } from './package.js';
import type { ManagerResult } from './run-tool.js';

/** A repository the recipe adds to the root's own (an offline mirror, a test repository). */
export interface ExtraRepo {
  readonly id: string;
  /** A URL, or an absolute path of a directory made by createrepo_c. */
  readonly url: string;
  readonly gpgcheck: boolean;
}

/** What a manager needs to know about the root it works on. */
export interface ManagerSetup {
  readonly root: string;
  /** The RPM database directory relative to the root (`var/lib/rpm`); unused for apt. */
  readonly dbDir: string;
  readonly repos: readonly ExtraRepo[];
  /** `$releasever` for the root's repository files (`9`), when known. */
  readonly releasever: string | undefined;
  readonly output: Output;
  readonly signal?: AbortSignal | undefined;
}

/** What a restore changes: packages to install (or bring to the recorded build) and to remove. */
export interface PackagePlan {
  readonly install: readonly Package[];
  readonly remove: readonly Package[];
}

export interface PackageManager {
  /** The command, as shown in actions and hints: `dnf`, `yum`, `rpm`, `apt-get`. */
  readonly name: string;
  /** The command lines `apply` runs for `plan` in one go, for --dry-run. */
  commands(plan: PackagePlan): string[];
  /** Installs, then removes; returns why each package that failed did, by its place in the plan. */
  apply(plan: PackagePlan): Promise<Map<Package, string>>;
  /** The command that brings `p` back by hand (or removes it). */
  hint(p: Package, action: 'install' | 'remove'): string;
  /** Cleans up temporary files. */
  close(): Promise<void>;
}

/**
 * Runs `packages` in one transaction; when it fails, one at a time, in passes while any succeeds (a
 * package whose dependency comes later in the list succeeds in the next pass). Returns the failures.
 */
export async function inOneThenEach(
  packages: readonly Package[],
  run: (batch: readonly Package[]) => Promise<ManagerResult>,
  why: (result: ManagerResult) => string,
): Promise<Map<Package, string>> {
  const failures = new Map<Package, string>();
  if (packages.length === 0) return failures;
  const all = await run(packages);
  if (all.code === 0) return failures;
  let left = [...packages];
  for (;;) {
    const still: Package[] = [];
    for (const p of left) {
      const one = await run([p]);
      if (one.code === 0) failures.delete(p);
      else {
        failures.set(p, why(one));
        still.push(p);
      }
    }
    if (still.length === left.length || still.length === 0) return failures;
    left = still;
  }
}

/** A command line as one shell-readable string (arguments with spaces or quotes are quoted). */
export function commandLine(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}
