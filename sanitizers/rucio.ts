import { defineSanitizer } from './sanitizer.js';

const PASSWORD_LINE = /^(\s*(?:password|passwd|client_secret|secret)\s*[=:]\s*)(\S.*)$/i;

/** Rucio token caches (session) and passwords in rucio.cfg (the rest of the configuration is kept). */
export const rucio = defineSanitizer({
  name: 'rucio',
  heading: 'Remove Rucio token caches and passwords in rucio.cfg',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['tmp/*/.rucio_*/**', 'tmp/.rucio_*/**', '~/.rucio_*/**', '~/.rucio/**', '**/rucio.cfg'],
  examples: {
    dirty: [
      {
        path: 'tmp/alice/.rucio_alice/auth_token_for_account_alice',
        content: 'alice-VMLFAKE-unknown-rucio-token-0123\n',
      },
      {
        path: 'opt/rucio/etc/rucio.cfg',
        content:
          '[client]\nrucio_host = https://voatlasrucio-server-prod.cern.ch\nauth_type = userpass\nusername = alice\npassword = VmlFakeRucioPw1\n',
        secrets: ['VmlFakeRucioPw1'],
      },
    ],
    clean: [
      {
        path: 'opt/rucio/etc/rucio.cfg',
        content: '[client]\nrucio_host = https://voatlasrucio-server-prod.cern.ch\nauth_type = x509_proxy\n',
      },
    ],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      if (!path.endsWith('rucio.cfg')) {
        await tree.remove(path);
        report.removed(path, {
          type: 'rucio-token',
          credential: 'session',
          restoreHint: 'rucio whoami (authenticates again)',
        });
        continue;
      }
      const text = (await tree.read(path))?.toString('latin1');
      if (text === undefined) continue;
      let count = 0;
      const out = text.split('\n').map((l) => {
        const m = PASSWORD_LINE.exec(l);
        if (!m) return l;
        count++;
        return `${m[1]}REDACTED-BY-VML`;
      });
      if (count === 0) continue;
      await tree.write(path, Buffer.from(out.join('\n'), 'latin1'));
      report.redacted(path, {
        type: 'rucio-password',
        credential: 'long-lived',
        count,
        restoreHint: 'put your Rucio password back in rucio.cfg',
      });
    }
  },
});
