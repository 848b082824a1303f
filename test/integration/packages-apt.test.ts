/**
 * The packages step on a real Debian root with a real apt-get: a bookworm minbase made by debootstrap (from
 * Debian's mirror, cached as a tar under ~/.cache/vml-test, about 45 s the first time), root A = base + `less`
 * installed by apt-get, root B = base. The built vml-agent captures A, restores into B (apt-get in a chroot
 * of B installs less at the recorded version), captures B: the same facts, and `diff` shows no package change.
 * About 10 s once the base is cached.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, runAgent } from './helpers/cli.js';

const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vml-test');
const BASE_TAR = join(CACHE, 'debian-bookworm-minbase.tar');

let dir: string;
let lb: string;
let recipe: string;

/** The cached base root as a tar, made by debootstrap when missing (written aside, then moved into place, so
 * a crashed build never leaves a half tar that a later run would trust). */
function debianBase(): string {
  if (existsSync(BASE_TAR)) return BASE_TAR;
  execFileSync('mkdir', ['-p', CACHE]);
  const build = `${BASE_TAR}.build-${process.pid}`;
  execFileSync('rm', ['-rf', build]);
  execFileSync('debootstrap', ['--variant=minbase', 'bookworm', build], { stdio: 'pipe', timeout: 600_000 });
  execFileSync('tar', ['-C', build, '-cf', `${build}.tar`, '.']);
  execFileSync('mv', [`${build}.tar`, BASE_TAR]);
  execFileSync('rm', ['-rf', build]);
  return BASE_TAR;
}

async function unpackBase(root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  execFileSync('tar', ['-C', root, '-xf', debianBase()]);
}

/** The installed version of `name` in a root's dpkg status, or undefined. */
async function dpkgVersion(root: string, name: string): Promise<string | undefined> {
  const status = await readFile(join(root, 'var/lib/dpkg/status'), 'utf8');
  const paragraph = status.split('\n\n').find((p) => p.startsWith(`Package: ${name}\n`));
  if (paragraph === undefined || !/^Status: install ok installed$/m.test(paragraph)) return undefined;
  return /^Version: (.*)$/m.exec(paragraph)?.[1];
}

async function packagesFacts(version: string, root: string): Promise<unknown> {
  const r = await runAgent(['show', version, ...at(root, lb), '--json']);
  expect(r.code, r.stderr).toBe(0);
  const manifest = r.events.find((e) => e.type === 'show')?.manifest as {
    steps: Record<string, { facts: { packages: unknown[] } }>;
  };
  return manifest.steps.packages?.facts.packages;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-apt-'));
  lb = join(dir, 'lb');
  recipe = join(dir, 'pk-apt.yaml');
  await writeFile(
    recipe,
    'version: 1\nname: pk-apt\ndescription: packages of a Debian root\nsteps:\n  - kind: packages\n',
  );
  const init = await runAgent(['init', '--logbook', `dir:${lb}`, '--entry', 'alice/laptop', '--no-config']);
  expect(init.code, init.stderr).toBe(0);
}, 900_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('packages step with a real apt-get', () => {
  it('restores a package added on root A into root B at the recorded version, and then they agree', async () => {
    const rootA = join(dir, 'a');
    const rootB = join(dir, 'b');
    await unpackBase(rootA);
    await unpackBase(rootB);
    execFileSync('chroot', [rootA, 'apt-get', 'install', '-y', '--no-install-recommends', 'less'], {
      stdio: 'pipe',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const lessVersion = await dpkgVersion(rootA, 'less');
    expect(lessVersion).toBeDefined();
    expect(await dpkgVersion(rootB, 'less')).toBeUndefined();

    const backupA = await runAgent([
      'backup',
      ...at(rootA, lb),
      '--entry',
      'alice/laptop',
      '--recipe',
      recipe,
    ]);
    expect(backupA.code, backupA.stderr).toBe(0);
    const restore = await runAgent(
      ['restore', 'alice/laptop@v1', ...at(rootB, lb), '--recipe', recipe, '--json'],
      { timeoutMs: 300_000, env: { DEBIAN_FRONTEND: 'noninteractive' } },
    );
    expect(restore.code, restore.stderr).toBe(0);
    const actions = restore.events.filter((e) => e.type === 'step-action').map((e) => e.action as string);
    expect(actions, JSON.stringify(actions)).toContain(
      `run: chroot ${rootB} apt-get -y --allow-downgrades install 'less:amd64=${lessVersion}'`,
    );
    expect(await dpkgVersion(rootB, 'less')).toBe(lessVersion);
    expect(existsSync(join(rootB, 'usr/bin/less'))).toBe(true);

    const backupB = await runAgent([
      'backup',
      ...at(rootB, lb),
      '--entry',
      'alice/laptop',
      '--recipe',
      recipe,
    ]);
    expect(backupB.code, backupB.stderr).toBe(0);
    expect(await packagesFacts('alice/laptop@v2', rootB)).toEqual(
      await packagesFacts('alice/laptop@v1', rootA),
    );
    const diff = await runAgent(['diff', 'alice/laptop@v1', 'alice/laptop@v2', ...at(rootB, lb), '--json']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.events.filter((e) => e.type === 'diff-fact')).toEqual([]);
  }, 900_000);
});
