import { wholeFiles } from './known-files.js';

/** HTCondor IDTOKENS, pool passwords and the credd's stored credentials. */
export const htcondor = wholeFiles({
  name: 'htcondor',
  heading: 'Remove HTCondor tokens, pool passwords and stored credentials',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.condor/tokens.d/**',
    'etc/condor/tokens.d/**',
    'etc/condor/passwords.d/**',
    'var/lib/condor/cred_dir/**',
    'var/lib/condor/oauth_credentials/**',
    'etc/condor/pool_password',
  ],
  type: (path) => (path.includes('tokens.d') ? 'htcondor-token' : 'htcondor-password'),
  credential: 'long-lived',
  restoreHint: 'condor_token_fetch (or ask the pool administrator)',
  examples: {
    dirty: [
      {
        path: 'home/alice/.condor/tokens.d/cern',
        content: 'eyJhbGciOiJIUzI1NiIsImtpZCI6IlBPT0wifQ.eyJzdWIiOiJ2bWwtZmFrZSJ9.VMLFAKE\n',
      },
    ],
    clean: [{ path: 'home/alice/jobs/job.sub', content: 'executable = run.sh\nqueue 10\n' }],
  },
});
