/**
 * appliance/customize-image.sh on small ext4 images made here (mkfs.ext4 -d, no boot: the e2e test boots
 * one): a raw image by loop mount, a qcow2 image through a qemu-storage-daemon FUSE export with the RPM
 * installed into the image's own RPM database, and a raw image by debugfs alone. The result is read back
 * with debugfs (no mount), and e2fsck must find the file system clean. About 5 s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const SCRIPT = join(REPO_ROOT, 'appliance/customize-image.sh');
let dir: string;
let rootfs: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-image-'));
  rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(join(rootfs, 'etc/os-release'), 'ID=almalinux\nVERSION_ID=9\n');
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  // The bundle and the RPM that the script installs.
  execFileSync(process.execPath, [join(REPO_ROOT, 'appliance/build-bundle.ts'), join(dir, 'bundle')]);
  execFileSync(join(REPO_ROOT, 'appliance/build-rpm.sh'), [join(dir, 'rpm')], {
    env: { ...process.env, NODE: process.execPath },
  });
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function image(name: string): Promise<string> {
  const raw = join(dir, `${name}.raw`);
  execFileSync('truncate', ['-s', '96M', raw]);
  execFileSync('mkfs.ext4', ['-q', '-d', rootfs, raw]);
  return raw;
}

/** `debugfs -R CMD` on an image: what is inside, read without mounting. */
const debugfs = (img: string, cmd: string) =>
  spawnSync('debugfs', ['-R', cmd, img], { encoding: 'utf8' }).stdout;

function expectBaked(img: string): void {
  expect(debugfs(img, 'ls -p /usr/libexec/vml')).toMatch(/\/100755\/0\/0\/vml-agent\.mjs\//);
  expect(debugfs(img, 'cat /usr/libexec/vml/package.json')).toContain('"type": "module"');
  expect(debugfs(img, 'stat /usr/bin/vml-agent')).toMatch(/Mode: {2}0755/);
  // Enabled as "systemctl enable" does: a symlink to the unit (debugfs shows the target, it does not follow).
  expect(
    debugfs(img, 'stat /etc/systemd/system/multi-user.target.wants/vml-backup-shutdown.service'),
  ).toContain('Fast link dest: "/usr/lib/systemd/system/vml-backup-shutdown.service"');
  expect(debugfs(img, 'cat /usr/lib/systemd/system/vml-backup-shutdown.service')).toContain(
    'ExecStop=/usr/bin/vml-agent backup --reason shutdown',
  );
  expect(debugfs(img, 'ls /etc/systemd/system/multi-user.target.wants')).toContain(
    'vml-login-warnings.service',
  );
  expect(debugfs(img, 'ls /etc/systemd/system/timers.target.wants')).not.toContain('vml-backup.timer');
  expect(spawnSync('e2fsck', ['-fn', img]).status).toBe(0);
}

// Loop devices need root (or CAP_SYS_ADMIN) and a loop driver; FUSE needs /dev/fuse.
const canMount = spawnSync('losetup', ['--find']).status === 0;
const canFuse = existsSync('/dev/fuse') && spawnSync('qemu-storage-daemon', ['--version']).status === 0;

describe('customize-image.sh', () => {
  it('--dry-run lists the payload and changes nothing', async () => {
    const img = await image('dry');
    const before = execFileSync('sha256sum', [img], { encoding: 'utf8' });
    const r = spawnSync(SCRIPT, [img, '--bundle', join(dir, 'bundle'), '--dry-run'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('/usr/libexec/vml/vml-agent.mjs\n');
    expect(execFileSync('sha256sum', [img], { encoding: 'utf8' })).toBe(before);
  });

  it.skipIf(!canMount)('bakes the bundle into a raw ext4 image by loop mount', async () => {
    const img = await image('raw');
    const config = join(dir, 'agent.yaml');
    await writeFile(config, 'logbook: dir:/mnt/vml\nentry: alice/a\n');
    const r = spawnSync(SCRIPT, [img, '--bundle', join(dir, 'bundle'), '--config', config], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectBaked(img);
    expect(debugfs(img, 'cat /etc/vml/agent.yaml')).toBe('logbook: dir:/mnt/vml\nentry: alice/a\n');
  });

  it.skipIf(!canMount || !canFuse)(
    'installs the RPM into a qcow2 image, into its own RPM database',
    async () => {
      const qcow2 = join(dir, 'el9.qcow2');
      execFileSync('qemu-img', ['convert', '-O', 'qcow2', await image('for-qcow2'), qcow2]);
      const rpm = join(dir, 'rpm/vml-agent-0.1.0-1.el9.noarch.rpm');
      const r = spawnSync(SCRIPT, [qcow2, '--rpm', rpm], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('customized');
      const back = join(dir, 'el9-back.raw');
      execFileSync('qemu-img', ['convert', '-O', 'raw', qcow2, back]);
      expectBaked(back);
      expect(debugfs(back, 'ls /var/lib/rpm')).toContain('rpmdb.sqlite');
    },
  );

  it('bakes the bundle by debugfs alone, where mounting is not allowed', async () => {
    const img = await image('debugfs');
    const r = spawnSync(SCRIPT, [img, '--bundle', join(dir, 'bundle'), '--method', 'debugfs'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expectBaked(img);
    expect(
      debugfs(img, 'stat /etc/systemd/system/multi-user.target.wants/vml-backup-shutdown.service'),
    ).toContain('Type: symlink');
  });

  it('refuses an unknown method, and a missing image, with a clear message', async () => {
    const img = await image('bad');
    const r = spawnSync(SCRIPT, [img, '--bundle', join(dir, 'bundle'), '--method', 'nbd'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('customize-image: --method must be mount or debugfs, not "nbd"\n');
    expect(spawnSync(SCRIPT, [join(dir, 'absent.raw')], { encoding: 'utf8' }).stderr).toContain('no image');
  });
});
