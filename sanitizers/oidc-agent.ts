import { wholeFiles } from './known-files.js';

/** oidc-agent account configurations: encrypted, but they hold refresh tokens and client secrets. */
export const oidcAgent = wholeFiles({
  name: 'oidc-agent',
  heading: 'Remove oidc-agent account configurations',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.oidc-agent/**', '~/.config/oidc-agent/**'],
  type: 'oidc-agent-account',
  credential: 'long-lived',
  restoreHint: 'oidc-gen ACCOUNT (or copy the account file back)',
  examples: {
    dirty: [{ path: 'home/alice/.config/oidc-agent/wlcg', content: 'VMLFAKEOIDCENCRYPTEDACCOUNT==\n' }],
    clean: [{ path: 'home/alice/.config/htop/htoprc', content: 'fields=0 48 17 18 38 39 40 2 46 47 49 1\n' }],
  },
});
