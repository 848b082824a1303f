/**
 * The EL9 RPM, built by appliance/build-rpm.sh with the real rpmbuild, listed with `rpm -qlp`, installed
 * with the real rpm into a test root (with its own SQLite database at /var/lib/rpm and a /bin/sh, so the
 * scriptlets really run: their systemctl calls find no systemd there and are skipped, as on an image build
 * host), verified with `rpm -V`, and its units checked by `systemd-analyze verify --root`. Also shellcheck
 * on the appliance's shell scripts where it is installed. About 5 s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const UNITS = [
  'vml-backup-shutdown.service',
  'vml-login-warnings.service',
  'vml-backup.service',
  'vml-backup.timer',
];

let dir: string;
let rpmFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-rpm-'));
  const out = execFileSync(join(REPO_ROOT, 'appliance/build-rpm.sh'), [join(dir, 'rpm')], {
    encoding: 'utf8',
    env: { ...process.env, NODE: process.execPath },
  });
  rpmFile = out.trim().split('\n').at(-1) as string;
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Copies a host program and the libraries ldd names into `root`, at the same paths. */
async function copyProgram(root: string, program: string): Promise<void> {
  const libs = execFileSync('ldd', [program], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  for (const file of [program, ...libs]) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await cp(file, join(root, file), { dereference: true });
  }
}

describe('vml-agent RPM', () => {
  it('is named for EL9, needs Node 22.15 from AppStream, and holds the install layout', () => {
    expect(rpmFile).toBe(join(dir, 'rpm/vml-agent-0.1.0-1.el9.noarch.rpm'));
    const requires = execFileSync('rpm', ['-qp', '--requires', rpmFile], { encoding: 'utf8' });
    expect(requires).toContain('nodejs >= 1:22.15');
    const files = execFileSync('rpm', ['-qlp', rpmFile], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        '/usr/bin/vml-agent',
        '/usr/libexec/vml/vml-agent.mjs',
        '/usr/libexec/vml/chunk-worker.js',
        '/usr/libexec/vml/encode-worker.js',
        '/usr/libexec/vml/recipes/home.yaml',
        '/usr/lib/tmpfiles.d/vml.conf',
        '/usr/lib/systemd/system-preset/80-vml.preset',
        '/etc/profile.d/vml.sh',
        '/etc/profile.d/vml.csh',
        '/etc/vml/agent.yaml',
        ...UNITS.map((u) => `/usr/lib/systemd/system/${u}`),
      ]),
    );
    const configs = execFileSync('rpm', ['-qcp', rpmFile], { encoding: 'utf8' }).trim().split('\n');
    expect(configs.sort()).toEqual([
      '/etc/profile.d/vml.csh',
      '/etc/profile.d/vml.sh',
      '/etc/vml/agent.yaml',
    ]);
    const scripts = execFileSync('rpm', ['-qp', '--scripts', rpmFile], { encoding: 'utf8' });
    expect(scripts).toContain('systemctl --no-reload preset vml-backup-shutdown.service');
    expect(scripts).not.toMatch(/try-restart[^\n]*vml-backup-shutdown/); // a restart would run a backup
  });

  it('installs into a root with scriptlets, verifies, and its units pass systemd-analyze verify', async () => {
    const root = join(dir, 'root');
    await mkdir(join(root, 'var/tmp'), { recursive: true });
    await copyProgram(root, '/bin/sh');
    await copyProgram(root, '/bin/true');
    const rpm = (args: string[]) =>
      spawnSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', ...args], { encoding: 'utf8' });
    expect(rpm(['--initdb']).status).toBe(0);
    const install = rpm(['-i', '--nodeps', rpmFile]);
    expect(install.stderr.split('\n').filter((l) => /error|warning: %/.test(l))).toEqual([]);
    expect(install.status).toBe(0);
    expect(rpm(['-q', 'vml-agent']).stdout).toBe('vml-agent-0.1.0-1.el9.noarch\n');
    expect(rpm(['-V', '--nodeps', 'vml-agent']).stdout).toBe('');
    await writeFile(join(root, 'etc/vml/agent.yaml'), 'logbook: dir:/srv/vml\n');
    // Size and digest differ; the mtime flag (T) only when the edit fell into another second than the install.
    expect(rpm(['-V', '--nodeps', 'vml-agent']).stdout).toMatch(
      /^S\.5\.{4}[T.]\. {2}c \/etc\/vml\/agent\.yaml$/m,
    );

    // systemd-analyze resolves dependencies (sysinit.target, …) inside the root: give it systemd's units.
    // (cp -a keeps their .wants symlinks; -n keeps the package's own files.)
    execFileSync('cp', ['-an', '/lib/systemd/system/.', join(root, 'usr/lib/systemd/system/')]);
    const verify = (units: string[]) =>
      spawnSync(
        'systemd-analyze',
        ['verify', `--root=${root}`, ...units.map((u) => `/usr/lib/systemd/system/${u}`)],
        {
          encoding: 'utf8',
        },
      );
    const ok = verify(UNITS);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // It does complain about a unit with a mistake: the empty stderr above means something.
    const broken = (await readFile(join(root, 'usr/lib/systemd/system/vml-backup.service'), 'utf8')).replace(
      'Type=oneshot',
      'Type=oneshoot',
    );
    await writeFile(join(root, 'usr/lib/systemd/system/vml-broken.service'), broken);
    expect(verify(['vml-broken.service']).stderr).toContain('Failed to parse service type');
  });

  it.skipIf(spawnSync('shellcheck', ['--version']).status !== 0)('shell scripts pass shellcheck', () => {
    const scripts = ['build-rpm.sh', 'install.sh', 'customize-image.sh', 'bin/vml-agent', 'profile.d/vml.sh'];
    const r = spawnSync(
      'shellcheck',
      scripts.map((s) => join(REPO_ROOT, 'appliance', s)),
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
