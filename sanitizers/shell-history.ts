import { wholeFiles } from './known-files.js';

/** Shell histories: typed passwords, tokens on command lines, and everything the owner did. */
export const shellHistory = wholeFiles({
  name: 'shell-history',
  heading: 'Remove shell histories',
  enabledByDefault: true,
  order: 300,
  paths: [
    '~/.bash_history',
    '~/.zsh_history',
    '~/.zhistory',
    '~/.history',
    '~/.sh_history',
    '~/.ksh_history',
    '~/.tcsh_history',
    '~/.local/share/fish/fish_history',
  ],
  type: 'shell-history',
  examples: {
    dirty: [{ path: 'home/alice/.bash_history', content: 'mysql -u alice -pVmlFakeTypedPw\nls\n' }],
    clean: [
      { path: 'home/alice/history/notes.md', content: 'History of the analysis: v1 used 2017 data.\n' },
    ],
  },
});
