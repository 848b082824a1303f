/**
 * Network mounts check: file systems of a network type that /etc/fstab mounts at boot (not `noauto`) but
 * that are not mounted now, as the root's /proc/self/mounts shows (a test tree brings its own).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Warning, WarningContext } from './warning.js';

const NETWORK_TYPES = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  '9p',
  'virtiofs',
  'vboxsf',
  'fuse.vmhgfs-fuse',
  'fuse.sshfs',
  'fuse.eosxd',
  'fuse.s3fs',
  'davfs',
  'glusterfs',
  'ceph',
  'afs',
]);

export async function mountWarnings(ctx: WarningContext): Promise<Warning[]> {
  const fstab = await readFile(join(ctx.root, 'etc/fstab'), 'utf8').catch(() => '');
  const mounted = new Set(
    (await readFile(join(ctx.root, 'proc/self/mounts'), 'utf8').catch(() => ''))
      .split('\n')
      .map((line) => unescapeMount(line.split(/\s+/)[1] ?? '')),
  );
  const warnings: Warning[] = [];
  for (const line of fstab.split('\n')) {
    const [spec, dir, type, options = ''] = line.trim().split(/\s+/);
    if (!spec || spec.startsWith('#') || !dir || !type) continue;
    if (!NETWORK_TYPES.has(type) || options.split(',').includes('noauto')) continue;
    const point = unescapeMount(dir);
    if (mounted.has(point)) continue;
    warnings.push({
      check: 'mounts',
      subject: point,
      message: `Network file system ${point} (${type}) is not mounted`,
      hint: `sudo mount ${point}`,
    });
  }
  return warnings;
}

// fstab and /proc/mounts write a space in a path as \040 (and tab, newline, backslash likewise).
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
