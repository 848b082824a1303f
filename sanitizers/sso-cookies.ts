import { wholeFiles } from './known-files.js';

/** CERN SSO cookie jars (auth-get-sso-cookie, cern-sso-cli); other Netscape cookie files are found by content. */
export const ssoCookies = wholeFiles({
  name: 'sso-cookies',
  heading: 'Remove CERN SSO cookie jars',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.cern-sso/**',
    '~/.local/share/cern-sso-cli/**',
    '~/.config/cern-sso-cli/**',
    '~/private/*cookie*',
    '~/*sso*cookie*',
    'tmp/*sso*cookie*',
  ],
  type: 'sso-cookies',
  credential: 'session',
  restoreHint: 'auth-get-sso-cookie -u URL -o FILE',
  examples: {
    dirty: [
      {
        path: 'home/alice/private/ssocookie.txt',
        content: '.cern.ch\tTRUE\t/\tTRUE\t0\tKEYCLOAK_SESSION\tVMLFAKESESSION\n',
      },
    ],
    clean: [{ path: 'home/alice/cookies-recipe.md', content: 'Mix flour and butter.\n' }],
  },
});
