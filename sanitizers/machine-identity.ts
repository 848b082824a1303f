import { defineSanitizer } from './sanitizer.js';

/** Per-machine identity and randomness: machine-id (emptied, so systemd makes a new one), random seeds. */
export const machineIdentity = defineSanitizer({
  name: 'machine-identity',
  heading: 'Empty the machine ID and remove random seeds',
  enabledByDefault: true,
  order: 100,
  paths: [
    'etc/machine-id',
    'var/lib/dbus/machine-id',
    'var/lib/systemd/random-seed',
    'var/lib/random-seed',
    'var/lib/systemd/credential.secret',
  ],
  examples: {
    dirty: [
      { path: 'etc/machine-id', content: 'f00dfeedvmlfake0000000000000001\n' },
      { path: 'var/lib/systemd/random-seed', content: 'VMLFAKERANDOMSEED' },
    ],
    clean: [{ path: 'etc/hostname', content: 'alice-cernvm\n' }],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      if (path === 'etc/machine-id') {
        // An empty file (not a missing one) is what images ship: systemd fills it at the first boot.
        if ((await tree.size(path)) === 0) continue;
        await tree.write(path, '');
        report.redacted(path, { type: 'machine-id', count: 1 });
        continue;
      }
      await tree.remove(path);
      report.removed(path, { type: path.includes('machine-id') ? 'machine-id' : 'random-seed' });
    }
  },
});
