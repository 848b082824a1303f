import { wholeFiles } from './known-files.js';

/** Editor swap and auto-save files: copies of whatever was being edited, a password file included. */
export const editorSwapFiles = wholeFiles({
  name: 'editor-swap-files',
  heading: 'Remove editor swap and auto-save files',
  enabledByDefault: true,
  order: 300,
  paths: [
    '**/.*.sw[a-p]',
    '**/#*#',
    '**/*.kate-swp',
    '**/.~lock.*#',
    '~/.vim/swap/**',
    '~/.local/state/nvim/swap/**',
  ],
  type: 'editor-swap-file',
  examples: {
    dirty: [
      { path: 'home/alice/analysis/.db.cfg.swp', content: 'b0VIM 9.0\0VMLFAKE swap password=VmlFakeSwap' },
      { path: 'home/alice/analysis/#notes.org#', content: 'VMLFAKE emacs autosave\n' },
    ],
    clean: [{ path: 'home/alice/analysis/swap.py', content: 'def swap(a, b):\n    return b, a\n' }],
  },
});
