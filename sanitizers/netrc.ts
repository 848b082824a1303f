import { wholeFiles } from './known-files.js';

/** .netrc: logins and passwords for curl, ftp, git and XRootD. */
export const netrc = wholeFiles({
  name: 'netrc',
  heading: 'Remove .netrc login files',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.netrc', '~/_netrc'],
  type: 'netrc',
  credential: 'long-lived',
  restoreHint: 'write ~/.netrc again (mode 0600)',
  examples: {
    dirty: [
      {
        path: 'home/alice/.netrc',
        content: 'machine eospublic.cern.ch login alice password VmlFakeNetrcPw\n',
      },
    ],
    clean: [
      {
        path: 'home/alice/netrc-howto.md',
        content: 'Put "machine HOST login USER password PASS" lines in ~/.netrc.\n',
      },
    ],
  },
});
