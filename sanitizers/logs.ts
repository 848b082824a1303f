import { wholeFiles } from './known-files.js';

/** System logs, the journal and X session errors: user names, host names, and sometimes tokens. */
export const logs = wholeFiles({
  name: 'logs',
  heading: 'Remove system logs and the journal',
  enabledByDefault: true,
  order: 300,
  paths: [
    'var/log/**',
    'var/spool/abrt/**',
    '~/.xsession-errors*',
    '~/.local/share/xorg/*.log',
    'var/spool/mail/**',
    'var/mail/**',
  ],
  type: (path) => (path.includes('mail/') ? 'mail-spool' : 'log'),
  examples: {
    dirty: [
      { path: 'var/log/secure', content: 'Accepted password for alice from 10.0.0.1 port 22 VMLFAKELOG\n' },
    ],
    clean: [{ path: 'home/alice/analysis/fit.log', content: 'chi2/ndf = 1.03\n' }],
  },
});
