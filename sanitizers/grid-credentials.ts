import { fakePem } from './samples.js';
import { defineSanitizer, removeAll } from './sanitizer.js';

const HINT = 'copy your grid certificate and key back into ~/.globus (userkey.pem mode 0400)';

/** The user's grid identity in ~/.globus: certificate, key, and PKCS#12 bundle. */
export const gridCredentials = defineSanitizer({
  name: 'grid-credentials',
  heading: 'Remove grid user certificates, keys and .p12 bundles from ~/.globus',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.globus/user*',
    '~/.globus/*.p12',
    '~/.globus/*.pfx',
    '~/.globus/*key*.pem',
    '~/.globus/*cert*.pem',
  ],
  examples: {
    dirty: [
      { path: 'home/alice/.globus/userkey.pem', content: fakePem('ENCRYPTED PRIVATE KEY', 'grid-key') },
      { path: 'root/.globus/usercert.pem', content: fakePem('CERTIFICATE', 'grid-cert') },
      { path: 'home/alice/.globus/usercred.p12', content: 'VML-FAKE-P12-BYTES' },
    ],
    clean: [
      { path: 'home/alice/.globus/certificates/CERN-Root-2.pem', content: fakePem('CERTIFICATE', 'ca') },
    ],
  },
  async sanitize(ctx) {
    await removeAll(ctx, (path) => ({
      type: /\.(p12|pfx)$/.test(path) ? 'grid-p12' : /cert/.test(path) ? 'grid-user-cert' : 'grid-user-key',
      credential: 'long-lived',
      restoreHint: HINT,
    }));
  },
});
