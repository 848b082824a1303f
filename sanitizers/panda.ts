import { wholeFiles } from './known-files.js';

/** PanDA client state: OIDC tokens and their refresh tokens under $PANDA_CONFIG_ROOT (default ~/.panda). */
export const panda = wholeFiles({
  name: 'panda',
  heading: 'Remove PanDA client tokens',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.panda/**'],
  type: 'panda-token',
  credential: 'session',
  restoreHint: 'the next pathena/prun asks you to log in again',
  examples: {
    dirty: [
      {
        path: 'home/alice/.panda/.token',
        content: '{"id_token": "VMLFAKEPANDAIDTOKEN", "refresh_token": "VMLFAKE"}\n',
      },
    ],
    clean: [
      { path: 'home/alice/panda-jobs.txt', content: 'pathena --inDS data18_13TeV --outDS user.alice.test\n' },
    ],
  },
});
