import { wholeFiles } from './known-files.js';

/** WLCG bearer tokens (the token discovery locations) and HashiCorp Vault tokens (htgettoken). */
export const bearerTokens = wholeFiles({
  name: 'bearer-tokens',
  heading: 'Remove WLCG bearer tokens and vault tokens',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    'tmp/bt_u*',
    'run/user/*/bt_u*',
    'tmp/vt_u*',
    'run/user/*/vt_u*',
    '~/.vault-token',
    '~/.config/htgettoken/**',
  ],
  type: (path) => (/vt_u|vault|htgettoken/.test(path) ? 'vault-token' : 'wlcg-bearer-token'),
  credential: 'session',
  restoreHint: 'htgettoken, or oidc-token ACCOUNT > $XDG_RUNTIME_DIR/bt_u$(id -u)',
  examples: {
    dirty: [
      {
        path: 'tmp/bt_u1000',
        content: 'eyJraWQiOiJ2bWwiLCJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ2bWwtZmFrZS1idCJ9.c2ln\n',
      },
      { path: 'home/alice/.vault-token', content: 'hvs.VMLFAKEVAULTTOKEN0123456789\n' },
    ],
    clean: [
      {
        path: 'home/alice/docs/tokens.md',
        content: 'Tokens are found in $BEARER_TOKEN_FILE or /tmp/bt_u$UID.\n',
      },
    ],
  },
});
