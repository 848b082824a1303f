/**
 * An ATLAS user's guest root for the integration tests: test/fixtures/atlas-home as /home/alice (owned by
 * alice, uid 1000), a git checkout in the work area whose remote is a bare repository on disk, uncommitted
 * changes in it, and a stand-in for the grid for `rucio download`.
 */
import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRpms, rpmFile } from '../../helpers/rpms.js';
import { makeGuestRoot, REPO_ROOT } from '../helpers/cli.js';

export const FIXTURE_HOME = join(REPO_ROOT, 'test/fixtures/atlas-home');
export const WORK_AREA = 'home/alice/analysis/ZmumuAnalysis';
export const CHECKOUT = `${WORK_AREA}/source/MyAnalysis`;
/** Where the fixture's .asetup.save says the release lives; a test creates it to stand for CernVM-FS. */
export const RELEASE_DIR = 'cvmfs/atlas.cern.ch/repo/sw/software/24.2';

function sh(cwd: string, ...args: string[]): string {
  return execFileSync(args[0] as string, args.slice(1), {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * A guest root whose RPM database (written by rpm itself) holds one package beyond the CernVM baseline, in
 * the source root and the restore targets alike: the packages step then has facts to compare and nothing
 * to install (the packages step's own tests cover installs with dnf).
 */
export async function makeCernvmRoot(
  dir: string,
  files: Parameters<typeof makeGuestRoot>[1] = {},
): Promise<string> {
  await makeGuestRoot(dir, files);
  const lib = { name: 'vml-lib', version: '1.4.2', release: '3.el9' };
  const rpm = join(await buildRpms([lib]), rpmFile(lib));
  sh(dir, 'rpm', '--root', dir, '--dbpath', '/var/lib/rpm', '-i', '--nodeps', rpm);
  return dir;
}

/** Makes root `dir` with alice's ATLAS home; the remote of the checkout is `remote` (a bare repository). */
export async function makeAtlasRoot(dir: string, remote: string): Promise<string> {
  await makeCernvmRoot(dir, { 'etc/profile.d/lang.sh': 'export LANG=en_US.UTF-8\n' });
  await rm(join(dir, 'home/alice'), { recursive: true });
  await cp(FIXTURE_HOME, join(dir, 'home/alice'), { recursive: true });
  await rm(join(dir, 'home/alice/README.md'));
  const checkout = join(dir, CHECKOUT);
  const git = (...args: string[]) =>
    sh(checkout, 'git', '-c', 'user.name=Alice', '-c', 'user.email=alice@example.invalid', ...args);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'MyAnalysis: first version');
  sh(dir, 'git', 'init', '-q', '--bare', remote);
  git('remote', 'add', 'origin', remote);
  git('push', '-q', '-u', 'origin', 'main');
  // Uncommitted work: a changed file, a deleted one, a new one that git does not track.
  await writeFile(join(checkout, 'CMakeLists.txt'), 'atlas_subdir( MyAnalysis )\n# work in progress\n');
  git('rm', '-q', 'share/ATestRun_eljob.py');
  await writeFile(join(checkout, 'NOTES.txt'), 'try the 27 GeV cut\n');
  sh(dir, 'chown', '-R', '1000:1000', join(dir, 'home/alice'), remote);
  return dir;
}

/**
 * A stand-in for `rucio` (the grid cannot be reached from here): a script that serves `rucio download
 * --dir DIR DID…` from `grid` (a copy of the fixture's download directory), in rucio's layouts. Returns the
 * directory to put on PATH.
 */
export async function makeFakeRucio(base: string): Promise<{ bin: string; grid: string; log: string }> {
  const bin = join(base, 'bin');
  const grid = join(base, 'grid');
  const log = join(base, 'rucio.log');
  await mkdir(bin, { recursive: true });
  await cp(join(FIXTURE_HOME, 'data'), grid, { recursive: true });
  await writeFile(log, '');
  await writeFile(
    join(bin, 'rucio'),
    `#!/bin/bash
# Fake rucio for tests: serves downloads from ${grid} instead of the grid.
echo "$*" >> ${log}
[ "$1" = download ] || { echo "fake rucio: only download" >&2; exit 2; }
shift; [ "$1" = --dir ] || exit 2; dir=$2; shift 2
for did in "$@"; do
  scope=\${did%%:*}; name=\${did#*:}
  if [ -d "${grid}/$name" ]; then mkdir -p "$dir/$name" && cp "${grid}/$name"/* "$dir/$name/"
  elif [ -f "${grid}/$scope/$name" ]; then mkdir -p "$dir/$scope" && cp "${grid}/$scope/$name" "$dir/$scope/"
  else echo "Data identifier not found: $did" >&2; exit 1; fi
done
`,
  );
  await chmod(join(bin, 'rucio'), 0o755);
  await chmod(log, 0o666);
  return { bin, grid, log };
}
