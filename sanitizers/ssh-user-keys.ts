import { basename } from 'node:path';
import { fakePem } from './samples.js';
import { defineSanitizer } from './sanitizer.js';
import { findArmouredKeys } from './scanner/pem.js';

const KEEP = new Set(['config', 'known_hosts', 'known_hosts.old', 'environment', 'rc']);
const HINT = 'copy your SSH private key back into ~/.ssh (mode 0600)';

/**
 * Private keys in ~/.ssh (by content, or by the id_* name when the content is unreadable as a key), and
 * authorized_keys, which would let the owner log into every copy. Public keys, config and known_hosts stay.
 */
export const sshUserKeys = defineSanitizer({
  name: 'ssh-user-keys',
  heading: 'Remove SSH user private keys and authorized_keys',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.ssh/**'],
  examples: {
    dirty: [
      { path: 'home/alice/.ssh/id_ed25519', content: fakePem('OPENSSH PRIVATE KEY', 'user-key') },
      { path: 'home/alice/.ssh/lxplus', content: fakePem('RSA PRIVATE KEY', 'user-key-2') },
      {
        path: 'root/.ssh/authorized_keys',
        content: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVMLFAKEAUTH alice@lxplus\n',
      },
    ],
    clean: [
      {
        path: 'home/alice/.ssh/id_ed25519.pub',
        content: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVMLFAKEPUB alice\n',
      },
      {
        path: 'home/alice/.ssh/config',
        content: 'Host lxplus\n  User alice\n  IdentityFile ~/.ssh/id_ed25519\n',
      },
    ],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      const name = basename(path);
      if (name === 'authorized_keys' || name === 'authorized_keys2') {
        await tree.remove(path);
        report.removed(path, { type: 'ssh-authorized-keys' });
        continue;
      }
      if (KEEP.has(name) || name.endsWith('.pub')) continue;
      const bytes = await tree.read(path);
      if (bytes === undefined) continue;
      if (findArmouredKeys(bytes.toString('latin1')) !== undefined || /^id_/.test(name)) {
        await tree.remove(path);
        report.removed(path, { type: 'ssh-private-key', credential: 'long-lived', restoreHint: HINT });
      }
    }
  },
});
