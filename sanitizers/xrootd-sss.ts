import { defineSanitizer } from './sanitizer.js';

const SSS_LINE = /^\d+ u:\S+ g:\S+ n:\S+ N:\d+ c:\d+ e:\d+ (?:f:\S* )?k:[0-9a-fA-F]+/m;

/** EOS and XRootD simple shared secret (sss) keytabs: text files of key lines, whatever their name. */
export const xrootdSss = defineSanitizer({
  name: 'xrootd-sss',
  heading: 'Remove EOS and XRootD sss keytabs',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    'etc/xrootd/**',
    'etc/eos*.keytab',
    'etc/eos/**',
    '~/.xrd/**',
    '~/.eos/**',
    '**/*.keytab',
    '**/*sss*',
  ],
  examples: {
    dirty: [
      {
        path: 'etc/eos.keytab',
        content:
          '0 u:daemon g:daemon n:eos-test N:6940987654321 c:1700000000 e:0 f:0 k:766d6c66616b65737373\n',
      },
    ],
    clean: [{ path: 'etc/xrootd/client.conf', content: 'ConnectionWindow 30\nRequestTimeout 600\n' }],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      const head = await tree.head(path, 4096);
      if (head === undefined || !SSS_LINE.test(head.toString('latin1'))) continue;
      await tree.remove(path);
      report.removed(path, {
        type: 'xrootd-sss-keytab',
        credential: 'long-lived',
        restoreHint: 'ask the service manager for the sss keytab',
      });
    }
  },
});
