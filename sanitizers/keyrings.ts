import { wholeFiles } from './known-files.js';

/** Desktop key stores and private key rings: GNOME Keyring, KWallet, GnuPG secret keys, pass. */
export const keyrings = wholeFiles({
  name: 'keyrings',
  heading: 'Remove desktop keyrings, GnuPG secret keys and password stores',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.local/share/keyrings/**',
    '~/.gnome2/keyrings/**',
    '~/.local/share/kwalletd/**',
    '~/.kde/share/apps/kwallet/**',
    '~/.kde4/share/apps/kwallet/**',
    '~/.gnupg/private-keys-v1.d/**',
    '~/.gnupg/secring.gpg',
    '~/.gnupg/random_seed',
    '~/.password-store/**',
  ],
  type: (path) =>
    path.includes('gnupg')
      ? 'gpg-secret-key'
      : path.includes('password-store')
        ? 'password-store'
        : 'desktop-keyring',
  credential: 'long-lived',
  restoreHint: 'import your keys again (gpg --import) or copy the keyring back',
  examples: {
    dirty: [
      {
        path: 'home/alice/.local/share/keyrings/login.keyring',
        content: 'GnomeKeyring\n\r\0\nVMLFAKEKEYRING',
      },
      {
        path: 'home/alice/.gnupg/private-keys-v1.d/0123ABCD.key',
        content: 'Key: (private-key (rsa (n #VMLFAKE#)))\n',
      },
    ],
    clean: [{ path: 'home/alice/.gnupg/pubring.kbx', content: 'VML fake public keyring\n' }],
  },
});
