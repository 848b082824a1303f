/**
 * The `packages` step: which software packages the root has installed (RPM or dpkg), recorded as name,
 * epoch, version, release and arch, optionally only the difference from a base image; restore installs
 * the recorded builds with the root's package manager and reports what it could not.
 */
import { z } from 'zod';
import { isShippedName, loadBaseline, shippedBaselineExists } from './packages/baseline.js';
import { type OsRelease, readInstalled, readOsRelease } from './packages/installed.js';
import {
  compareBuilds,
  evr,
  nevra,
  type Package,
  type PackageFormat,
  packageKey,
  sameBuild,
  sortPackages,
} from './packages/package.js';
import { restorePackages } from './packages/restore.js';
import { selector } from './packages/selection.js';
import type { FactChange, FactStep } from './step.js';

function baselineProblem(value: string): string | undefined {
  if (value === 'none') return undefined;
  if (isShippedName(value)) {
    return shippedBaselineExists(value)
      ? undefined
      : `no shipped baseline "${value}" (try "cernvm" or "none")`;
  }
  if (value.split('/').includes('..')) return 'must not contain ".." segments';
  if (!value.includes('/') && !value.includes('.'))
    return 'expected "none", a shipped baseline name or a file';
  return undefined;
}

const repoSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected letters, digits, ".", "_" or "-"' })
      .describe('Repository id, as in a .repo file'),
    url: z
      .string()
      .refine((url) => url.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//.test(url), {
        error: 'expected a URL or an absolute path',
      })
      .describe('Base URL, or the absolute path of a directory made by createrepo_c'),
    gpgcheck: z
      .boolean()
      .default(true)
      .describe('Check package signatures (off only for local test repositories)'),
  })
  .strict();

/** Zod schema of the `packages` step's `with` block. */
export const packagesStepSchema = z
  .object({
    baseline: z
      .string()
      .default('none')
      .superRefine((value, ctx) => {
        const problem = baselineProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
      })
      .describe(
        'Record only what differs from a base image: "none", a shipped list ("cernvm") or a list file in the root',
      ),
    exclude: z
      .array(z.string().min(1))
      .default([])
      .describe('Globs of package names never recorded, installed or removed, like "kernel*"'),
    remove: z.boolean().default(false).describe('Restore also removes packages installed since the version'),
    repos: z
      .array(repoSchema)
      .default([])
      .describe("Repositories used by restore besides the root's own /etc/yum.repos.d"),
    manager: z
      .enum(['auto', 'dnf', 'yum', 'rpm', 'apt-get'])
      .default('auto')
      .describe(
        'Package manager for restore; auto: dnf, else yum, else rpm (RPM roots), apt-get (dpkg roots)',
      ),
  })
  .strict();

export type PackagesWith = z.output<typeof packagesStepSchema>;
export type PackagesWithInput = z.input<typeof packagesStepSchema>;

/** What a version records. */
export interface PackagesFacts {
  readonly format: PackageFormat;
  /** The database read, relative to the root (`var/lib/rpm/rpmdb.sqlite`, `var/lib/dpkg/status`). */
  readonly database?: string | undefined;
  readonly os?: OsRelease | undefined;
  /** The baseline as the recipe named it. */
  readonly baseline: string;
  /** Packages in the database. */
  readonly installed: number;
  /** Of those, left out as part of the baseline, excluded, or signing keys. */
  readonly leftOut: number;
  /** The recorded packages, sorted by name and arch. */
  readonly packages: readonly Package[];
}

/** "1 package", "2 packages". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** How many packages `show` lists before "… and N more". */
const SHOWN = 20;

export const packagesStep: FactStep<PackagesWith, PackagesFacts, PackagesWithInput> = {
  kind: 'packages',
  heading: 'Record the installed RPM or dpkg packages and install the same builds on restore',
  phase: 'before-files',
  schema: packagesStepSchema,
  examples: [
    { baseline: 'cernvm', exclude: ['kernel*'] },
    { baseline: 'etc/vml/base-image.txt', remove: true },
    { repos: [{ id: 'offline-mirror', url: '/srv/mirror/el9', gpgcheck: false }], manager: 'dnf' },
  ],

  async capture(ctx) {
    const installed = await readInstalled(ctx.root);
    if (installed.format === 'none') {
      ctx.output.emit({
        type: 'warning',
        message: `No package database in ${ctx.root} (var/lib/rpm, usr/lib/sysimage/rpm, var/lib/dpkg/status): recorded no packages`,
      });
    }
    const keep = selector(await loadBaseline(ctx.with.baseline, ctx.root), ctx.with.exclude);
    const packages = sortPackages(installed.packages.filter(keep));
    return {
      format: installed.format,
      database: installed.database,
      os: await readOsRelease(ctx.root),
      baseline: ctx.with.baseline,
      installed: installed.packages.length,
      leftOut: installed.packages.length - packages.length,
      packages,
    };
  },

  restore: restorePackages,

  diff(before, after) {
    const old = new Map(before.packages.map((p) => [packageKey(p), p]));
    const now = new Map(after.packages.map((p) => [packageKey(p), p]));
    const changes: FactChange[] = [];
    for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
      const a = old.get(key);
      const b = now.get(key);
      if (a === undefined && b !== undefined)
        changes.push({ change: 'added', subject: `package ${nevra(b)}` });
      else if (b === undefined && a !== undefined)
        changes.push({ change: 'removed', subject: `package ${nevra(a)}` });
      else if (a !== undefined && b !== undefined && !sameBuild(a, b)) {
        const verb = compareBuilds(a, b) < 0 ? 'upgraded' : 'downgraded';
        changes.push({
          change: 'modified',
          subject: `package ${key}`,
          detail: `${verb} ${evr(a)} -> ${evr(b)}`,
        });
      }
    }
    return changes;
  },

  describe(facts) {
    if (facts.format === 'none') return ['no package database was found: no packages recorded'];
    const lines = [
      `${count(facts.packages.length, 'package')} recorded from ${facts.database ?? facts.format}${facts.os ? ` (${facts.os.id} ${facts.os.versionId})` : ''}`,
      facts.baseline === 'none'
        ? `no baseline: ${facts.leftOut} of ${facts.installed} installed packages left out (excluded or signing keys)`
        : `baseline ${facts.baseline}: ${facts.leftOut} of ${facts.installed} installed packages left out`,
      ...facts.packages.slice(0, SHOWN).map((p) => `  ${nevra(p)}`),
    ];
    if (facts.packages.length > SHOWN) lines.push(`  … and ${facts.packages.length - SHOWN} more`);
    return lines;
  },
};
