import { defineSanitizer } from './sanitizer.js';

const NPM_AUTH = /(?:^|:)_(?:authToken|auth|password)\s*=/;
const PYPI_PASSWORD = /^\s*password\s*[=:]/i;

/** npm and PyPI upload tokens (the lines go, the rest of .npmrc/.pypirc stays), gem and cargo tokens. */
export const packageRegistryCredentials = defineSanitizer({
  name: 'package-registry-credentials',
  heading: 'Strip npm and PyPI tokens, remove gem and cargo credentials',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.npmrc',
    '~/.pypirc',
    '~/.gem/credentials',
    '~/.cargo/credentials',
    '~/.cargo/credentials.toml',
    '~/.m2/settings-security.xml',
  ],
  examples: {
    dirty: [
      {
        path: 'home/alice/.npmrc',
        content: 'save-exact=true\n//registry.example.org/:_authToken=npm_VmlFakeNpmToken\n',
        secrets: ['npm_VmlFakeNpmToken'],
      },
      {
        path: 'home/alice/.pypirc',
        content: '[pypi]\nusername = __token__\npassword = pypi-VmlFakePypiToken\n',
        secrets: ['pypi-VmlFakePypiToken'],
      },
    ],
    clean: [{ path: 'home/alice/.npmrc', content: 'save-exact=true\nfund=false\n' }],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      const npm = path.endsWith('.npmrc');
      if (!npm && !path.endsWith('.pypirc')) {
        await tree.remove(path);
        report.removed(path, {
          type: 'package-registry-token',
          credential: 'long-lived',
          restoreHint: 'log in to the registry again',
        });
        continue;
      }
      const text = (await tree.read(path))?.toString('latin1');
      if (text === undefined) continue;
      const lines = text.split('\n');
      const kept = lines.filter((l) => !(npm ? NPM_AUTH : PYPI_PASSWORD).test(l));
      if (kept.length === lines.length) continue;
      await tree.write(path, Buffer.from(kept.join('\n'), 'latin1'));
      report.strippedLines(path, {
        type: npm ? 'npm-token' : 'pypi-password',
        credential: 'long-lived',
        count: lines.length - kept.length,
        restoreHint: npm ? 'npm login' : 'add the token back to ~/.pypirc',
      });
    }
  },
});
