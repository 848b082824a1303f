import { fakePem } from './samples.js';
import { defineSanitizer, removeAll } from './sanitizer.js';

/** As virt-sysprep's ssh-hostkeys: both halves go, so the clone makes a fresh, matching pair at boot. */
export const sshHostKeys = defineSanitizer({
  name: 'ssh-host-keys',
  heading: 'Remove the SSH host keys, so that each copy makes its own',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['etc/ssh/ssh_host_*key', 'etc/ssh/ssh_host_*key.pub'],
  examples: {
    dirty: [{ path: 'etc/ssh/ssh_host_ed25519_key', content: fakePem('OPENSSH PRIVATE KEY', 'host-key') }],
    clean: [
      {
        path: 'etc/ssh/sshd_config',
        content: 'HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\n',
      },
    ],
  },
  async sanitize(ctx) {
    await removeAll(ctx, (path) =>
      path.endsWith('.pub')
        ? { type: 'ssh-host-public-key', restoreHint: 'ssh-keygen -A' }
        : { type: 'ssh-host-key', credential: 'long-lived', restoreHint: 'ssh-keygen -A' },
    );
  },
});
