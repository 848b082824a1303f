import { fakePem } from './samples.js';
import { defineSanitizer, removeAll } from './sanitizer.js';

/** Proxies where the grid tools put them; the content-signatures scanner finds them anywhere else. */
export const vomsProxies = defineSanitizer({
  name: 'voms-proxies',
  heading: 'Remove VOMS and RFC 3820 proxies from their usual places',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    'tmp/x509up_*',
    'var/tmp/x509up_*',
    'run/user/*/x509up_*',
    '~/x509up_*',
    '~/.globus/x509up_*',
    '~/.globus/proxy*',
  ],
  examples: {
    dirty: [
      {
        path: 'tmp/x509up_u1000',
        content: fakePem('CERTIFICATE', 'proxy-cert') + fakePem('RSA PRIVATE KEY', 'proxy-key'),
      },
    ],
    clean: [
      {
        path: 'home/alice/notes/x509up_u1000.md',
        content: 'Run voms-proxy-init -voms atlas: it writes /tmp/x509up_u1000\n',
      },
    ],
  },
  async sanitize(ctx) {
    await removeAll(ctx, () => ({
      type: 'voms-proxy',
      credential: 'session',
      restoreHint: 'voms-proxy-init -voms atlas',
    }));
  },
});
