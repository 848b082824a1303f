import { wholeFiles } from './known-files.js';

/** Interactive histories of Python, IPython, ROOT, MySQL, psql, SQLite, node, less and vim. */
export const programHistory = wholeFiles({
  name: 'program-history',
  heading: 'Remove Python, ROOT, MySQL, psql and other interactive histories',
  enabledByDefault: true,
  order: 300,
  paths: [
    '~/.python_history',
    '~/.ipython/profile_*/history.sqlite*',
    '~/.root_hist',
    '~/.mysql_history',
    '~/.psql_history',
    '~/.sqlite_history',
    '~/.node_repl_history',
    '~/.lesshst',
    '~/.viminfo',
    '~/.rediscli_history',
    '~/.Rhistory',
    '~/.julia/logs/repl_history.jl',
  ],
  type: 'program-history',
  examples: {
    dirty: [
      { path: 'home/alice/.root_hist', content: 'TFile f("root://alice:VmlFakeRootPw@eosatlas//x.root")\n' },
    ],
    clean: [{ path: 'home/alice/.rootrc', content: 'Rint.History: $(HOME)/.root_hist\n' }],
  },
});
