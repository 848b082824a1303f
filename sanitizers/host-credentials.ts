import { wholeFiles } from './known-files.js';

/**
 * Host and service credentials: the host certificate and key in /etc/grid-security (and service pairs such
 * as http/httpkey.pem), and TLS private keys. Trust anchors (certificates/, vomsdir/) are not matched.
 */
export const hostCredentials = wholeFiles({
  name: 'host-credentials',
  heading: 'Remove grid host and service certificates and keys, and TLS private keys',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    'etc/grid-security/host*.pem',
    'etc/grid-security/*/*{cert,key}.pem',
    'etc/pki/tls/private/**',
    'etc/ssl/private/**',
    'etc/pki/nssdb/{key3.db,key4.db}',
  ],
  keep: (path) => /^etc\/grid-security\/(?:certificates|vomsdir)\//.test(path),
  type: (path) => (/cert\.pem$/.test(path) ? 'host-certificate' : 'host-key'),
  credential: 'long-lived',
  restoreHint: 'install the host certificate and key again (ask the CA or the site administrator)',
  examples: {
    dirty: [
      {
        path: 'etc/grid-security/hostkey.pem',
        content: '-----BEGIN PRIVATE KEY-----\nVMLFAKEHOSTKEY\n-----END PRIVATE KEY-----\n',
      },
      {
        path: 'etc/grid-security/hostcert.pem',
        content: '-----BEGIN CERTIFICATE-----\nVMLFAKEHOSTCERT\n-----END CERTIFICATE-----\n',
      },
      { path: 'etc/pki/tls/private/localhost.key', content: 'VMLFAKE TLS KEY\n' },
    ],
    clean: [
      {
        path: 'etc/grid-security/certificates/CERN-GridCA.pem',
        content: '-----BEGIN CERTIFICATE-----\nVMLFAKECA\n-----END CERTIFICATE-----\n',
      },
      {
        path: 'etc/grid-security/vomsdir/atlas/voms-atlas-auth.cern.ch.lsc',
        content: '/DC=ch/DC=cern/OU=computers/CN=atlas-auth.cern.ch\n',
      },
    ],
  },
});
