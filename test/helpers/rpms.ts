/**
 * Real RPMs for the packages step's tests, built with rpmbuild from tiny spec files, a repository made
 * with createrepo_c, and roots whose RPM database rpm itself writes. Built RPMs are cached in the system's
 * temp directory under a hash of the specs, so each test file (and the next run) reuses them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One test package. */
export interface TestRpm {
  readonly name: string;
  readonly version: string;
  readonly release?: string;
  readonly epoch?: number;
  readonly requires?: readonly string[];
}

/** The packages every test uses: two builds of one, a dependency, an epoch. */
export const TEST_RPMS: readonly TestRpm[] = [
  { name: 'vml-hello', version: '1.0' },
  { name: 'vml-hello', version: '2.0' },
  { name: 'vml-lib', version: '1.4.2', release: '3.el9' },
  { name: 'vml-tool', version: '0.9', requires: ['vml-lib'] },
  { name: 'vml-epoch', version: '1.0', epoch: 2 },
  { name: 'vml-gone', version: '1.0' },
  { name: 'vml-extra', version: '5.1' },
];

/** The file name rpmbuild gives a test package. */
export function rpmFile(p: TestRpm): string {
  return `${p.name}-${p.version}-${p.release ?? '1'}.noarch.rpm`;
}

function spec(p: TestRpm): string {
  return [
    `Name: ${p.name}`,
    `Version: ${p.version}`,
    `Release: ${p.release ?? '1'}`,
    ...(p.epoch === undefined ? [] : [`Epoch: ${p.epoch}`]),
    `Summary: VML test package ${p.name}`,
    'License: MIT',
    'BuildArch: noarch',
    ...(p.requires ?? []).map((r) => `Requires: ${r}`),
    '%description',
    `Test package ${p.name} for the VML packages step.`,
    '%install',
    `mkdir -p %{buildroot}/usr/share/${p.name}`,
    `echo ${p.version} > %{buildroot}/usr/share/${p.name}/version`,
    `echo ${p.name} > %{buildroot}/usr/share/${p.name}/README`,
    '%files',
    `/usr/share/${p.name}/version`,
    `/usr/share/${p.name}/README`,
    '',
  ].join('\n');
}

/** A HOME whose .rpmmacros puts rpm's database where EL has it (Debian's rpm defaults to ~/.rpmdb). */
export async function rpmHome(dir: string): Promise<string> {
  const home = join(dir, 'rpm-home');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, '.rpmmacros'), `%_topdir ${join(dir, 'rpmbuild')}\n%_dbpath /var/lib/rpm\n`);
  return home;
}

/** Builds `rpms` (once per content) and returns the directory holding the .rpm files. */
export async function buildRpms(rpms: readonly TestRpm[] = TEST_RPMS): Promise<string> {
  const specs = rpms.map(spec);
  const hash = createHash('sha256').update(specs.join('\0')).digest('hex').slice(0, 16);
  const cached = join(tmpdir(), `vml-test-rpms-${hash}`);
  if (existsSync(cached)) return cached;
  const work = await mkdtemp(join(tmpdir(), 'vml-rpmbuild-'));
  try {
    const home = await rpmHome(work);
    for (const [i, text] of specs.entries()) {
      const file = join(work, `p${i}.spec`);
      await writeFile(file, text);
      execFileSync('rpmbuild', ['-bb', '--quiet', file], {
        env: { ...process.env, HOME: home },
        stdio: 'pipe',
      });
    }
    const out = join(work, 'out');
    await mkdir(out);
    for (const name of await readdir(join(work, 'rpmbuild/RPMS/noarch'))) {
      await rename(join(work, 'rpmbuild/RPMS/noarch', name), join(out, name));
    }
    // Another test file may have built the same set meanwhile: the first rename wins, both are equal.
    await rename(out, cached).catch(() => undefined);
    return cached;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A createrepo_c repository in `dir` with the given files of `rpmDir`. */
export async function makeRepo(dir: string, rpmDir: string, files: readonly string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const f of files) await cp(join(rpmDir, f), join(dir, f));
  execFileSync('createrepo_c', ['--quiet', dir], { stdio: 'pipe' });
  return dir;
}

let queryHome: Promise<string> | undefined;

/** A HOME for rpm --root calls, made once per test file. */
function sharedHome(): Promise<string> {
  queryHome ??= mkdtemp(join(tmpdir(), 'vml-rpm-home-')).then(rpmHome);
  return queryHome;
}

/** Installs `files` of `rpmDir` into `root` with rpm, which writes a genuine SQLite database there. */
export async function rpmInstall(root: string, rpmDir: string, files: readonly string[]): Promise<void> {
  execFileSync(
    'rpm',
    ['--root', root, '--dbpath', '/var/lib/rpm', '-i', ...files.map((f) => join(rpmDir, f))],
    {
      env: { ...process.env, HOME: await sharedHome() },
      stdio: 'pipe',
    },
  );
}

/** `rpm -qa` of `root` as "name epoch version release arch" lines, sorted: the reference for the step. */
export async function rpmQueryAll(root: string): Promise<string[]> {
  const format = '%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH}\\n';
  const out = execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-qa', '--qf', format], {
    env: { ...process.env, HOME: await sharedHome() },
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}
