/**
 * Network mounts: fstab lines, systemd mount units and autofs maps that mount NFS, CIFS, SSHFS, WebDAV, EOS
 * and the like are removed, with the credential files their options name. CernVM-FS stays: its fstab and
 * autofs lines (/cvmfs, auto.cvmfs) and its configuration are what makes the environment work elsewhere.
 */
import { basename } from 'node:path';
import { defineSanitizer, type SanitizeContext } from './sanitizer.js';

const NETWORK_TYPES =
  /^(?:nfs4?|cifs|smb3?|smbfs|sshfs|fuse\.sshfs|davfs|fuse\.davfs2?|ceph|fuse\.ceph|glusterfs|eosxd|fuse\.eosxd|fuse\.eos|s3fs|fuse\.s3fs|fuse\.rclone|lustre|beegfs|gpfs|afs)$/;
const NETWORK_SOURCE = /^(?:\/\/|[\w.-]+:\/|[\w.-]+@[\w.-]+:|eos|https?:\/\/)/;
const CVMFS = /cvmfs/;
const CRED_OPTION = /(?:^|,)(?:credentials|cred|passwd_file|passfile|secretfile|IdentityFile)=([^,\s]+)/g;
const HINT = 'mount it again by hand; the line or unit was removed from the published copy';

function isNetwork(source: string, type: string): boolean {
  if (CVMFS.test(source) || CVMFS.test(type)) return false;
  return NETWORK_TYPES.test(type) || NETWORK_SOURCE.test(source);
}

/** Removes the credential files named in mount options, if they are in the tree. */
async function removeCredentialFiles(ctx: SanitizeContext, options: string, from: string): Promise<void> {
  for (const m of options.matchAll(CRED_OPTION)) {
    const path = (m[1] as string).replace(/^\/+/, '');
    if (!ctx.tree.exists(path)) continue;
    await ctx.tree.remove(path);
    ctx.report.removed(path, {
      type: 'mount-credentials',
      credential: 'long-lived',
      restoreHint: `named by ${from}`,
    });
  }
}

async function editLines(
  ctx: SanitizeContext,
  path: string,
  drop: (line: string) => string | undefined,
): Promise<void> {
  const text = (await ctx.tree.read(path))?.toString('latin1');
  if (text === undefined) return;
  const kept: string[] = [];
  const options: string[] = [];
  for (const line of text.split('\n')) {
    const opts = /^\s*#/.test(line) || line.trim() === '' ? undefined : drop(line);
    if (opts === undefined) kept.push(line);
    else options.push(opts);
  }
  if (options.length === 0) return;
  await ctx.tree.write(path, Buffer.from(kept.join('\n'), 'latin1'));
  ctx.report.strippedLines(path, { type: 'network-mount', count: options.length, restoreHint: HINT });
  for (const o of options) await removeCredentialFiles(ctx, o, path);
}

export const networkMounts = defineSanitizer({
  name: 'network-mounts',
  heading: 'Remove network mounts and their credential files, keeping CernVM-FS',
  enabledByDefault: true,
  order: 50,
  credentials: true,
  paths: [
    'etc/fstab',
    'etc/systemd/system/*.mount',
    'etc/systemd/system/*.automount',
    'etc/auto.master',
    'etc/auto.master.d/*',
    'etc/auto.*',
    'etc/davfs2/secrets',
    '~/.davfs2/secrets',
    '~/.smbcredentials',
    '~/.cifs*',
    'etc/samba/*cred*',
  ],
  examples: {
    dirty: [
      {
        path: 'etc/fstab',
        content:
          'UUID=1 / ext4 defaults 0 1\n//cernbox.cern.ch/alice /mnt/box cifs credentials=/etc/samba/alice.cred 0 0\n',
        context: { 'etc/samba/alice.cred': 'username=alice\npassword=VmlFakeCifsPw\n' },
        secrets: ['//cernbox.cern.ch/alice', 'VmlFakeCifsPw'],
      },
      {
        path: 'etc/auto.master',
        content: '/cvmfs /etc/auto.cvmfs\n/eos /etc/auto.eos --timeout=60\n',
        secrets: ['/eos /etc/auto.eos'],
      },
      {
        path: 'etc/systemd/system/mnt-data.mount',
        content: '[Mount]\nWhat=nas.example.org:/export/alice\nWhere=/mnt/data\nType=nfs\n',
      },
    ],
    clean: [
      { path: 'etc/auto.master', content: '+dir:/etc/auto.master.d\n/cvmfs /etc/auto.cvmfs\n' },
      { path: 'etc/auto.cvmfs', content: '#!/bin/sh\nexec /usr/libexec/cvmfs/auto.cvmfs "$@"\n' },
      {
        path: 'etc/fstab',
        content:
          'UUID=1 / ext4 defaults 0 1\natlas.cern.ch /cvmfs/atlas.cern.ch cvmfs defaults,_netdev,nodev 0 0\n',
      },
    ],
  },
  async sanitize(ctx) {
    const { files, tree, report } = ctx;
    for (const path of files) {
      if (!tree.exists(path)) continue;
      const name = basename(path);
      if (path === 'etc/fstab') {
        await editLines(ctx, path, (line) => {
          const [source = '', , type = '', options = ''] = line.trim().split(/\s+/);
          return isNetwork(source, type) ? options : undefined;
        });
      } else if (path.endsWith('.mount') || path.endsWith('.automount')) {
        const unit = (await tree.read(path))?.toString('latin1') ?? '';
        const what = /^What=(.*)$/m.exec(unit)?.[1] ?? '';
        const type = /^Type=(.*)$/m.exec(unit)?.[1] ?? '';
        const mountUnit = path.replace(/\.automount$/, '.mount');
        const mount = path.endsWith('.automount')
          ? ((await tree.read(mountUnit))?.toString('latin1') ?? '')
          : unit;
        const net = isNetwork(
          /^What=(.*)$/m.exec(mount)?.[1] ?? what,
          /^Type=(.*)$/m.exec(mount)?.[1] ?? type,
        );
        if (!net) continue;
        await removeCredentialFiles(ctx, /^Options=(.*)$/m.exec(unit)?.[1] ?? '', path);
        await tree.remove(path);
        report.removed(path, { type: 'network-mount-unit', restoreHint: HINT });
      } else if (path === 'etc/auto.master' || path.startsWith('etc/auto.master.d/')) {
        await editLines(ctx, path, (line) =>
          line.trim().startsWith('+') || CVMFS.test(line) ? undefined : line,
        );
      } else if (name.startsWith('auto.')) {
        if (CVMFS.test(name)) continue;
        const text = (await tree.read(path))?.toString('latin1') ?? '';
        await removeCredentialFiles(ctx, text.replace(/\s+/g, ','), path);
        await tree.remove(path);
        report.removed(path, { type: 'autofs-map', restoreHint: HINT });
      } else {
        await tree.remove(path);
        report.removed(path, { type: 'mount-credentials', credential: 'long-lived', restoreHint: HINT });
      }
    }
  },
});
