/**
 * The packages step end to end with the real tools: RPMs built by rpmbuild, repositories by createrepo_c,
 * root A's database written by rpm; the built vml-agent captures A, restores into fresh roots with dnf (and
 * plain rpm), captures again, and diffs. Here dpkg roots are checked as capture plus the --dry-run plan on a
 * fixture status file; packages-apt.test.ts runs the real apt-get on a debootstrapped Debian root.
 * Takes about 10 s, most of it dnf.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildRpms,
  makeRepo,
  rpmFile,
  rpmInstall,
  rpmQueryAll,
  TEST_RPMS,
  type TestRpm,
} from '../helpers/rpms.js';
import { type AgentEvent, at, makeGuestRoot, runAgent } from './helpers/cli.js';

const ENTRY = 'alice/analysis';
const file = (name: string, version?: string) =>
  rpmFile(
    TEST_RPMS.find((p) => p.name === name && (version === undefined || p.version === version)) as TestRpm,
  );
const ROOT_A_RPMS = ['vml-hello 1.0', 'vml-lib', 'vml-tool', 'vml-epoch', 'vml-gone'].map((s) => {
  const [name, version] = s.split(' ') as [string, string | undefined];
  return file(name, version);
});

let dir: string;
let rpms: string;
let lb: string;
let rootA: string;

/** Writes recipe `name` with one packages step whose `with` is `withBlock`; returns its path. */
async function recipe(name: string, withBlock: Record<string, unknown>): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  const yaml = `version: 1\nname: ${name}\ndescription: packages test\nsteps:\n  - kind: packages\n    with: ${JSON.stringify(withBlock)}\n`;
  await writeFile(path, yaml);
  return path;
}

function repo(path: string) {
  return { id: 'local', url: path, gpgcheck: false };
}

async function backup(root: string, entry: string, recipePath: string): Promise<AgentEvent> {
  const r = await runAgent(['backup', ...at(root, lb), '--entry', entry, '--recipe', recipePath, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return r.events.find((e) => e.type === 'backup-summary') as AgentEvent;
}

/** `restore VERSION` onto `root` with the (file) recipe the version was made with. */
function restore(version: string, root: string, recipeName: string, ...flags: string[]) {
  const args = [
    'restore',
    version,
    ...at(root, lb),
    '--recipe',
    join(dir, `${recipeName}.yaml`),
    '--json',
    ...flags,
  ];
  return runAgent(args, { timeoutMs: 120_000 });
}

async function facts(version: string): Promise<{ packages: unknown[]; [key: string]: unknown }> {
  const r = await runAgent(['show', version, ...at(rootA, lb), '--json']);
  expect(r.code, r.stderr).toBe(0);
  const manifest = r.events.find((e) => e.type === 'show')?.manifest as {
    steps: Record<string, { facts: { packages: unknown[] } }>;
  };
  return manifest.steps.packages?.facts as { packages: unknown[] };
}

function actions(events: readonly AgentEvent[]): string[] {
  return events.filter((e) => e.type === 'step-action').map((e) => String(e.action));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-packages-'));
  rpms = await buildRpms();
  lb = join(dir, 'logbook');
  rootA = await makeGuestRoot(join(dir, 'a'), { 'etc/os-release': 'ID="almalinux"\nVERSION_ID="9.4"\n' });
  await rpmInstall(rootA, rpms, ROOT_A_RPMS);
  await makeRepo(join(dir, 'repo-full'), rpms, TEST_RPMS.map(rpmFile));
  await makeRepo(
    join(dir, 'repo-partial'),
    rpms,
    TEST_RPMS.map(rpmFile).filter((f) => !f.startsWith('vml-gone')),
  );
  const init = await runAgent(['init', ...at(rootA, lb), '--no-config']);
  expect(init.code, init.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('packages step on RPM roots', () => {
  it('backup records what rpm -qa lists, and show describes it', async () => {
    const started = Date.now();
    await backup(rootA, ENTRY, await recipe('pk-full', { repos: [repo(join(dir, 'repo-full'))] }));
    const seconds = (Date.now() - started) / 1000;
    const recorded = (await facts(`${ENTRY}@v1`)).packages as {
      name: string;
      epoch: number;
      version: string;
      release: string;
      arch: string;
    }[];
    expect(recorded.map((p) => `${p.name} ${p.epoch} ${p.version} ${p.release} ${p.arch}`)).toEqual(
      await rpmQueryAll(rootA),
    );
    const show = await runAgent(['show', `${ENTRY}@v1`, ...at(rootA, lb)]);
    expect(show.stdout).toContain('5 packages recorded from var/lib/rpm/rpmdb.sqlite (almalinux 9.4)');
    expect(show.stdout).toContain('vml-epoch-2:1.0-1.noarch');
    console.info(`packages: backup of a 5-package root took ${seconds.toFixed(2)} s (whole CLI run)`);
  });

  it('restore --dry-run prints the dnf plan and installs nothing', async () => {
    const rootB = join(dir, 'b-dry');
    const r = await restore(`${ENTRY}@v1`, rootB, 'pk-full', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const lines = actions(r.events);
    expect(lines).toContain('install vml-tool-0.9-1.noarch');
    expect(lines).toContain('install vml-epoch-2:1.0-1.noarch');
    expect(lines.find((l) => l.startsWith('run: dnf -y'))).toMatch(
      /--installroot \S+b-dry .*install vml-epoch-2:1\.0-1\.noarch/,
    );
    expect(existsSync(join(rootB, 'var/lib/rpm'))).toBe(false);
  });

  it('restore into a fresh root installs the same builds with dnf; a capture of it has the same facts and diff finds nothing', async () => {
    const rootB = await makeGuestRoot(join(dir, 'b'));
    const r = await restore(`${ENTRY}@v1`, rootB, 'pk-full');
    expect(r.code, r.stderr).toBe(0);
    expect(await rpmQueryAll(rootB)).toEqual(await rpmQueryAll(rootA));
    expect(await readFile(join(rootB, 'usr/share/vml-tool/version'), 'utf8')).toBe('0.9\n');
    await backup(rootB, 'alice/copy', join(dir, 'pk-full.yaml'));
    const a = await facts(`${ENTRY}@v1`);
    const b = await facts('alice/copy@v1');
    expect(b.packages).toEqual(a.packages);
    const diff = await runAgent([
      'diff',
      `${ENTRY}@v1`,
      ...at(rootB, lb),
      '--recipe',
      join(dir, 'pk-full.yaml'),
      '--json',
    ]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.events.filter((e) => e.type === 'diff-fact')).toEqual([]);
    const again = await restore(`${ENTRY}@v1`, rootB, 'pk-full');
    expect(actions(again.events)).toEqual(['all 5 recorded packages are installed']);
  });

  it('diff names added and upgraded packages; restore with remove: true downgrades and removes them', async () => {
    const rootB = join(dir, 'b');
    await rpmInstall(rootB, rpms, [file('vml-extra')]);
    execFileSync(
      'rpm',
      ['--root', rootB, '--dbpath', '/var/lib/rpm', '-U', join(rpms, file('vml-hello', '2.0'))],
      {
        env: { ...process.env, HOME: join(dir, 'no-home') },
      },
    );
    const diff = await runAgent([
      'diff',
      `${ENTRY}@v1`,
      ...at(rootB, lb),
      '--recipe',
      join(dir, 'pk-full.yaml'),
      '--json',
    ]);
    expect(
      diff.events.filter((e) => e.type === 'diff-fact').map((e) => [e.change, e.subject, e.detail]),
    ).toEqual([
      ['added', 'package vml-extra-5.1-1.noarch', undefined],
      ['modified', 'package vml-hello.noarch', 'upgraded 1.0-1 -> 2.0-1'],
    ]);
    const v = await backup(
      rootA,
      ENTRY,
      await recipe('pk-remove', { remove: true, repos: [repo(join(dir, 'repo-full'))] }),
    );
    const r = await restore(`${ENTRY}@v${v.seq}`, rootB, 'pk-remove');
    expect(r.code, r.stderr).toBe(0);
    expect(actions(r.events)).toEqual(
      expect.arrayContaining([
        'downgrade vml-hello.noarch 2.0-1 -> 1.0-1',
        'remove vml-extra-5.1-1.noarch (added since the version)',
      ]),
    );
    expect(await rpmQueryAll(rootB)).toEqual(await rpmQueryAll(rootA));
  });

  it('a package missing from the repositories goes into the restore report, the others are installed, exit 3', async () => {
    const v = await backup(
      rootA,
      ENTRY,
      await recipe('pk-partial', { repos: [repo(join(dir, 'repo-partial'))] }),
    );
    const rootC = await makeGuestRoot(join(dir, 'c'));
    const r = await restore(`${ENTRY}@v${v.seq}`, rootC, 'pk-partial');
    expect(r.code, r.stderr).toBe(3);
    const warnings = r.events.filter((e) => e.type === 'warning').map((e) => String(e.message));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Cannot install vml-gone-1\.0-1\.noarch: .*vml-gone.*\(dnf -y --installroot \S+ install vml-gone-1\.0-1\.noarch\)$/,
      ),
    ]);
    const report = JSON.parse(await readFile(join(rootC, 'var/lib/vml/last-restore.json'), 'utf8')) as {
      problems: unknown[];
    };
    expect(report.problems).toEqual([
      expect.objectContaining({
        step: 'packages',
        kind: 'package',
        subject: 'vml-gone-1.0-1.noarch',
        hint: expect.stringContaining('dnf'),
      }),
    ]);
    expect(await rpmQueryAll(rootC)).toEqual(
      (await rpmQueryAll(rootA)).filter((l) => !l.startsWith('vml-gone ')),
    );
  });

  it('without dnf (manager: rpm) installs the exact files of a local repository with rpm', async () => {
    const v = await backup(
      rootA,
      ENTRY,
      await recipe('pk-rpm', { manager: 'rpm', repos: [repo(join(dir, 'repo-full'))] }),
    );
    const rootD = await makeGuestRoot(join(dir, 'd'));
    const r = await restore(`${ENTRY}@v${v.seq}`, rootD, 'pk-rpm');
    expect(r.code, r.stderr).toBe(0);
    expect(actions(r.events).find((l) => l.startsWith('run: rpm'))).toContain(' -U --oldpackage');
    expect(await rpmQueryAll(rootD)).toEqual(await rpmQueryAll(rootA));
  });

  it('a baseline file and exclude globs leave packages out of the facts', async () => {
    await writeFile(
      join(rootA, 'etc/vml-baseline.txt'),
      '# base image\nvml-lib\nvml-epoch-2:1.0-1.noarch\nvml-hello-9.9-1.noarch\n',
    );
    const v = await backup(
      rootA,
      ENTRY,
      await recipe('pk-baseline', { baseline: 'etc/vml-baseline.txt', exclude: ['vml-t*'] }),
    );
    const recorded = await facts(`${ENTRY}@v${v.seq}`);
    expect(recorded).toMatchObject({ baseline: 'etc/vml-baseline.txt', installed: 5, leftOut: 3 });
    expect(recorded.packages.map((p) => (p as { name: string }).name)).toEqual(['vml-gone', 'vml-hello']);
    // A root without the baseline file can still get the packages (the list matters only for removal).
    const r = await restore(`${ENTRY}@v${v.seq}`, join(dir, 'no-baseline'), 'pk-baseline', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(actions(r.events).slice(0, 2)).toEqual([
      'install vml-gone-1.0-1.noarch',
      'install vml-hello-1.0-1.noarch',
    ]);
  });

  it('an unknown shipped baseline is a recipe error with its location', async () => {
    const r = await runAgent([
      'backup',
      ...at(rootA, lb),
      '--entry',
      ENTRY,
      '--recipe',
      await recipe('pk-bad', { baseline: 'nosuch' }),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pk-bad\.yaml.*steps\[0\]\.with\.baseline.*no shipped baseline "nosuch"/s);
  });
});

describe('packages step on a Debian root', () => {
  it('records the installed packages of dpkg status and plans apt-get for a restore', async () => {
    const fixture = await readFile(new URL('../fixtures/dpkg/status', import.meta.url), 'utf8');
    const debian = await makeGuestRoot(join(dir, 'debian'), { 'var/lib/dpkg/status': fixture });
    await backup(debian, 'alice/laptop', await recipe('pk-deb', {}));
    const recorded = await facts('alice/laptop@v1');
    expect(recorded).toMatchObject({ format: 'dpkg', database: 'var/lib/dpkg/status', installed: 4 });
    // The target has only bash: the plan installs the other three at their recorded versions.
    const target = join(dir, 'debian-target');
    await mkdir(join(target, 'var/lib/dpkg'), { recursive: true });
    await writeFile(join(target, 'var/lib/dpkg/status'), `${fixture.split('\n\n')[0]}\n`);
    const r = await restore('alice/laptop@v1', target, 'pk-deb', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(actions(r.events)).toEqual([
      'install adduser-3.134.all',
      'install attr-1:2.5.1-4.amd64',
      'install tzdata-2025b-0+deb12u2.all',
      `run: chroot ${target} apt-get -y --allow-downgrades install adduser=3.134 attr:amd64=1:2.5.1-4 tzdata=2025b-0+deb12u2`,
    ]);
  });

  it('refuses to guess RPM names for Debian packages: one problem in the report', async () => {
    const rootE = join(dir, 'e');
    await rpmInstall(rootE, rpms, [file('vml-lib')]);
    const r = await restore('alice/laptop@v1', rootE, 'pk-deb');
    expect(r.code).toBe(3);
    expect(r.events.filter((e) => e.type === 'warning').map((e) => e.message)).toEqual([
      expect.stringContaining('recorded 4 dpkg packages, but this root uses rpm'),
    ]);
  });
});
