import { defineSanitizer } from './sanitizer.js';

/** AFS tokens live in the kernel, not in files: a configured AFS client is recorded so the owner is told. */
export const afsTokens = defineSanitizer({
  name: 'afs-tokens',
  heading: 'Record AFS use: tokens live in the kernel and are never copied',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['etc/openafs/ThisCell', 'usr/vice/etc/ThisCell'],
  examples: {
    dirty: [{ path: 'etc/openafs/ThisCell', content: 'cern.ch\n', secrets: [] }],
    clean: [
      { path: 'etc/openafs/CellServDB', content: '>cern.ch  #European Laboratory for Particle Physics\n' },
    ],
  },
  async sanitize({ files, report }) {
    for (const path of files) {
      report.recorded(path, { type: 'afs-tokens', credential: 'session', restoreHint: 'kinit && aklog' });
    }
  },
});
