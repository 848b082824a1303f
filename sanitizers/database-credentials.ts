import { defineSanitizer } from './sanitizer.js';

const MY_CNF_PASSWORD = /^\s*password\s*=/i;

/** PostgreSQL's .pgpass and MySQL's obfuscated .mylogin.cnf go; .my.cnf keeps everything but its password lines. */
export const databaseCredentials = defineSanitizer({
  name: 'database-credentials',
  heading: 'Remove .pgpass and .mylogin.cnf, strip passwords from .my.cnf',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.pgpass', '~/.mylogin.cnf', '~/.my.cnf', 'etc/my.cnf', 'etc/my.cnf.d/*'],
  examples: {
    dirty: [
      { path: 'home/alice/.pgpass', content: 'dbod-atlas.cern.ch:5432:*:alice:VmlFakePgPw\n' },
      {
        path: 'home/alice/.my.cnf',
        content: '[client]\nuser=alice\npassword=VmlFakeMyPw\nhost=dbod.cern.ch\n',
        secrets: ['VmlFakeMyPw'],
      },
    ],
    clean: [{ path: 'etc/my.cnf', content: '[mysqld]\ndatadir=/var/lib/mysql\n' }],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      if (path.endsWith('.pgpass') || path.endsWith('.mylogin.cnf')) {
        await tree.remove(path);
        report.removed(path, {
          type: path.endsWith('.pgpass') ? 'pgpass' : 'mysql-login-path',
          credential: 'long-lived',
          restoreHint: 'write the file again (mode 0600)',
        });
        continue;
      }
      const text = (await tree.read(path))?.toString('latin1');
      if (text === undefined) continue;
      const lines = text.split('\n');
      const kept = lines.filter((l) => !MY_CNF_PASSWORD.test(l));
      if (kept.length === lines.length) continue;
      await tree.write(path, Buffer.from(kept.join('\n'), 'latin1'));
      report.strippedLines(path, {
        type: 'mysql-password',
        credential: 'long-lived',
        count: lines.length - kept.length,
        restoreHint: 'add "password=" back to .my.cnf',
      });
    }
  },
});
