import { wholeFiles } from './known-files.js';

/** Core dumps where the system keeps them; ELF cores elsewhere are found by content-signatures. */
export const coreDumps = wholeFiles({
  name: 'core-dumps',
  heading: 'Remove core dumps',
  enabledByDefault: true,
  order: 100,
  paths: ['var/lib/systemd/coredump/**', 'var/crash/**', 'var/lib/apport/coredump/**'],
  type: 'core-dump',
  examples: {
    dirty: [{ path: 'var/lib/systemd/coredump/core.root.1000.zst', content: 'VMLFAKE compressed core' }],
    clean: [{ path: 'home/alice/analysis/core/fit.C', content: 'void fit() {}\n' }],
  },
});
