import { defineSanitizer } from './sanitizer.js';
import { findTokens, redactHits } from './scanner/tokens.js';

/** git's credential store, and passwords or tokens inside remote URLs of every repository's .git/config. */
export const gitCredentials = defineSanitizer({
  name: 'git-credentials',
  heading: 'Remove git credential stores and passwords in remote URLs',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.git-credentials', '~/.config/git/credentials', '**/.git/config'],
  examples: {
    dirty: [
      { path: 'home/alice/.git-credentials', content: 'https://alice:VmlFakeGitPw@gitlab.cern.ch\n' },
      {
        path: 'home/alice/ana/.git/config',
        content: '[remote "origin"]\n\turl = https://oauth2:VmlFakeGitlabToken@gitlab.cern.ch/a/b.git\n',
        secrets: ['VmlFakeGitlabToken'],
      },
    ],
    clean: [
      {
        path: 'home/alice/ana/.git/config',
        content: '[remote "origin"]\n\turl = ssh://git@gitlab.cern.ch:7999/alice/ana.git\n',
      },
    ],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      if (!path.endsWith('.git/config')) {
        await tree.remove(path);
        report.removed(path, {
          type: 'git-credential-store',
          credential: 'long-lived',
          restoreHint: 'git credential approve, or log in again',
        });
        continue;
      }
      const text = (await tree.read(path))?.toString('latin1');
      if (text === undefined) continue;
      const hits = findTokens(text, 'config').filter((h) => h.kind === 'url-password');
      if (hits.length === 0) continue;
      await tree.write(path, Buffer.from(redactHits(text, hits, false), 'latin1'));
      report.redacted(path, {
        type: 'git-remote-password',
        credential: 'long-lived',
        count: hits.length,
        restoreHint: 'git remote set-url origin URL',
      });
    }
  },
});
