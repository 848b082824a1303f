/**
 * Secrets exported in shell start-up files: `export GITHUB_TOKEN=…`, `setenv RUCIO_PASSWORD …`, fish's
 * `set -x`. The value is blanked and the line kept, so the environment still defines the variable and the
 * owner sees where to put it back.
 */
import { defineSanitizer } from './sanitizer.js';
import { isPlaceholder, SECRET_NAME } from './scanner/tokens.js';

const SH =
  /^(\s*(?:export\s+|declare\s+-x\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=)(["']?)(.*?)\3(\s*(?:#.*)?)$/;
const CSH = /^(\s*setenv\s+([A-Za-z_][A-Za-z0-9_]*)\s+)(["']?)(.*?)\3(\s*(?:#.*)?)$/;
const FISH = /^(\s*set\s+(?:-[a-zA-Z]+\s+)*([A-Za-z_][A-Za-z0-9_]*)\s+)(["']?)(.*?)\3(\s*(?:#.*)?)$/;

/** The line with a secret value blanked, or undefined if it exports no secret. */
export function blankExport(line: string): string | undefined {
  for (const re of [SH, CSH, FISH]) {
    const m = re.exec(line);
    if (!m) continue;
    const [, head, name, quote, value, tail] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!SECRET_NAME.test(name) || isPlaceholder(value)) return undefined;
    return `${head}${quote}${quote}${tail}`;
  }
  return undefined;
}

export const shellRcSecrets = defineSanitizer({
  name: 'shell-rc-secrets',
  heading: 'Blank secrets exported in shell start-up files, keeping the lines',
  enabledByDefault: true,
  order: 200,
  credentials: true,
  paths: [
    '~/.bashrc',
    '~/.bash_profile',
    '~/.bash_login',
    '~/.profile',
    '~/.zshrc',
    '~/.zshenv',
    '~/.zprofile',
    '~/.cshrc',
    '~/.tcshrc',
    '~/.login',
    '~/.kshrc',
    '~/.config/fish/config.fish',
    '~/.bashrc.d/*',
    'etc/profile',
    'etc/bashrc',
    'etc/environment',
    'etc/profile.d/*',
    'etc/csh.cshrc',
    'etc/csh.login',
  ],
  examples: {
    dirty: [
      {
        path: 'home/alice/.bashrc',
        content:
          'export PATH=$HOME/bin:$PATH\nexport GITHUB_TOKEN=ghp_VmlFakeTokenVmlFakeTokenVmlFakeToken12\nexport RUCIO_ACCOUNT=alice\n',
        secrets: ['ghp_VmlFakeToken'],
      },
      {
        path: 'root/.cshrc',
        content: 'setenv PANDA_PASSWORD "vml-fake-csh-pw"\n',
        secrets: ['vml-fake-csh-pw'],
      },
    ],
    clean: [
      {
        path: 'home/alice/.bashrc',
        content:
          'export ATLAS_LOCAL_ROOT_BASE=/cvmfs/atlas.cern.ch/repo/ATLASLocalRootBase\n' +
          'export X509_USER_PROXY=/tmp/x509up_u1000\nexport GITHUB_TOKEN=$(cat ~/.config/gh-token)\n' +
          'export PASSWORD_STORE_DIR=~/.password-store\n',
      },
    ],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      const text = (await tree.read(path))?.toString('latin1');
      if (text === undefined) continue;
      let count = 0;
      const lines = text.split('\n').map((line) => {
        const blank = blankExport(line);
        if (blank === undefined) return line;
        count++;
        return blank;
      });
      if (count === 0) continue;
      await tree.write(path, Buffer.from(lines.join('\n'), 'latin1'));
      report.redacted(path, { type: 'exported-secret', credential: 'long-lived', count });
    }
  },
});
