import { defineSanitizer } from './sanitizer.js';

/**
 * Password hashes: in /etc/shadow and /etc/gshadow each hash becomes "!*" (account locked, file and accounts
 * kept); their backups and old-password history go.
 */
export const systemSecrets = defineSanitizer({
  name: 'system-secrets',
  heading: 'Lock password hashes in shadow files and remove their backups',
  enabledByDefault: true,
  order: 100,
  paths: [
    'etc/shadow',
    'etc/gshadow',
    'etc/shadow-',
    'etc/gshadow-',
    'etc/shadow.*',
    'etc/gshadow.*',
    'etc/security/opasswd',
    'etc/passwd-',
  ],
  examples: {
    dirty: [
      {
        path: 'etc/shadow',
        content: 'root:$6$vmlfake$VmlFakeShadowHash:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n',
        secrets: ['VmlFakeShadowHash'],
      },
      { path: 'etc/shadow-', content: 'root:$6$vmlfake$VmlFakeOldHash:19000:0:99999:7:::\n' },
    ],
    clean: [{ path: 'etc/shadow', content: 'root:!*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n' }],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      if (path !== 'etc/shadow' && path !== 'etc/gshadow') {
        await tree.remove(path);
        report.removed(path, { type: 'password-hash-backup' });
        continue;
      }
      const text = (await tree.read(path))?.toString('latin1');
      if (text === undefined) continue;
      let count = 0;
      const out = text.split('\n').map((line) => {
        const fields = line.split(':');
        const hash = fields[1];
        // Locked or passwordless markers ("*", "!", "!!", "!*", "") hold no hash.
        if (hash === undefined || /^[!*]*$/.test(hash)) return line;
        count++;
        fields[1] = '!*';
        return fields.join(':');
      });
      if (count === 0) continue;
      await tree.write(path, Buffer.from(out.join('\n'), 'latin1'));
      report.redacted(path, { type: 'password-hash', count, restoreHint: 'passwd USER' });
    }
  },
});
