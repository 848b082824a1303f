import { defineSanitizer } from './sanitizer.js';

const SECRET =
  /^(\s*(?:c\.\w+\.)?(?:password|token|hashed_password|cookie_secret)\s*[=:]\s*)(?:(u?["'])(.+)\2|("?)(.+?)\4)(\s*,?\s*)$/;
const JSON_SECRET = /^(\s*"(?:password|token|hashed_password)"\s*:\s*")([^"]+)(".*)$/;

/** Jupyter: server passwords and tokens in its configuration; runtime files (kernel keys, cookie secret). */
export const jupyter = defineSanitizer({
  name: 'jupyter',
  heading: 'Remove Jupyter runtime secrets and redact server passwords',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.local/share/jupyter/runtime/**',
    '~/.jupyter/*config.py',
    '~/.jupyter/*config.json',
    '~/.jupyter/jupyter_cookie_secret',
  ],
  examples: {
    dirty: [
      {
        path: 'home/alice/.local/share/jupyter/runtime/kernel-1.json',
        content: '{"key": "vml-fake-hmac-key", "shell_port": 5555}\n',
      },
      {
        path: 'home/alice/.jupyter/jupyter_server_config.json',
        content: '{\n  "IdentityProvider": {\n    "hashed_password": "argon2:VmlFakeArgonHash"\n  }\n}\n',
        secrets: ['VmlFakeArgonHash'],
      },
    ],
    clean: [
      {
        path: 'home/alice/.jupyter/jupyter_server_config.py',
        content: 'c.ServerApp.port = 8888\nc.ServerApp.open_browser = False\n',
      },
    ],
  },
  async sanitize({ files, tree, report }) {
    for (const path of files) {
      if (path.includes('/runtime/') || path.endsWith('jupyter_cookie_secret')) {
        await tree.remove(path);
        report.removed(path, {
          type: 'jupyter-runtime-secret',
          credential: 'session',
          restoreHint: 'restart Jupyter',
        });
        continue;
      }
      const text = (await tree.read(path))?.toString('latin1');
      if (text === undefined) continue;
      let count = 0;
      const out = text.split('\n').map((line) => {
        const j = JSON_SECRET.exec(line);
        if (j) {
          count++;
          return `${j[1]}REDACTED-BY-VML${j[3]}`;
        }
        const m = SECRET.exec(line);
        if (!m || (m[3] ?? m[5] ?? '') === '') return line;
        count++;
        return `${m[1]}${m[2] ?? ''}REDACTED-BY-VML${m[2] ?? ''}${m[6]}`;
      });
      if (count === 0) continue;
      await tree.write(path, Buffer.from(out.join('\n'), 'latin1'));
      report.redacted(path, {
        type: 'jupyter-password',
        credential: 'long-lived',
        count,
        restoreHint: 'jupyter server password',
      });
    }
  },
});
