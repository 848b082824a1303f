import { basename } from 'node:path';
import { fakeCcache, fakeKeytab } from './samples.js';
import { defineSanitizer } from './sanitizer.js';
import { sniffKerberos } from './scanner/kerberos.js';

/** Where tickets live when they are not files: told, since they cannot be copied anyway. */
const NOT_FILES = /^\s*default_ccache_name\s*=\s*(KEYRING|KCM):/m;

/**
 * Kerberos: FILE ccaches (by the usual names; the content-signatures scanner finds them anywhere by magic),
 * DIR ccache collections, the sssd KCM database, keytabs, and a record when krb5.conf keeps tickets in the
 * kernel keyring or KCM. krb5.conf itself stays.
 */
export const kerberos = defineSanitizer({
  name: 'kerberos',
  heading: 'Remove Kerberos ticket caches (FILE, DIR, KCM) and keytabs',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    'tmp/krb5cc*',
    'tmp/krb5cc*/**',
    'var/tmp/krb5cc*',
    'run/user/*/krb5cc*',
    'run/user/*/krb5cc*/**',
    'var/lib/sss/secrets/**',
    'var/lib/kcm/**',
    '**/*.keytab',
    'etc/krb5.keytab',
    'etc/krb5.conf',
    'etc/krb5.conf.d/*',
  ],
  examples: {
    dirty: [
      {
        path: 'tmp/krb5cc_1000',
        content: fakeCcache('alice', 'CERN.CH', 'file'),
        secrets: ['VML-FAKE-TICKET-file'],
      },
      {
        path: 'tmp/krb5cc_1000_dir/tkt',
        content: fakeCcache('alice', 'CERN.CH', 'dir'),
        secrets: ['VML-FAKE-TICKET-dir'],
      },
      { path: 'tmp/krb5cc_1000_dir/primary', content: 'tkt\n' },
      {
        path: 'etc/krb5.keytab',
        content: fakeKeytab('host', 'CERN.CH', 'host'),
        secrets: ['VML-FAKE-KEY-host'],
      },
      { path: 'var/lib/sss/secrets/secrets.ldb', content: 'VML-FAKE-KCM-DATABASE' },
    ],
    clean: [
      {
        path: 'etc/krb5.conf',
        content:
          '[libdefaults]\n default_realm = CERN.CH\n[realms]\n CERN.CH = {\n  kdc = cerndc.cern.ch\n }\n',
      },
    ],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      if (path === 'etc/krb5.conf' || path.startsWith('etc/krb5.conf.d/')) {
        const text = (await tree.read(path))?.toString('utf8') ?? '';
        const where = NOT_FILES.exec(text)?.[1];
        if (where !== undefined) {
          report.recorded(path, {
            type: where === 'KCM' ? 'kerberos-kcm' : 'kerberos-keyring',
            credential: 'session',
            restoreHint: 'kinit',
          });
        }
        continue;
      }
      const head = await tree.head(path, 1024);
      if (head === undefined) continue;
      const krb = sniffKerberos(head);
      if (path.endsWith('.keytab') || path === 'etc/krb5.keytab') {
        // Only real keytabs: xrootd's sss keytabs are text, and the xrootd-sss sanitizer handles them.
        if (krb?.kind !== 'keytab') continue;
        await tree.remove(path);
        report.removed(path, {
          type: 'kerberos-keytab',
          credential: 'long-lived',
          restoreHint: 'ktutil, or ask for a new keytab',
        });
        continue;
      }
      const kcm = path.startsWith('var/lib/sss/') || path.startsWith('var/lib/kcm/');
      await tree.remove(path);
      report.removed(path, {
        type: kcm
          ? 'kerberos-kcm-cache'
          : basename(path) === 'primary'
            ? 'kerberos-ccache-dir'
            : 'kerberos-ccache',
        credential: 'session',
        restoreHint: krb?.principal ? `kinit ${krb.principal}` : 'kinit',
      });
    }
  },
});
