import { secretValues } from './known-files.js';

/** rclone remotes: passwords, tokens and keys go; remote types and endpoints stay. */
export const rclone = secretValues({
  name: 'rclone',
  heading: 'Redact passwords and tokens in rclone.conf',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.config/rclone/rclone.conf', '~/.rclone.conf'],
  keys: /^(?:pass|password|password2|token|secret_access_key|access_key_id|client_secret|key|sas_url|bearer_token|service_account_credentials)$/,
  type: 'rclone-secret',
  credential: 'long-lived',
  restoreHint: 'rclone config reconnect REMOTE:',
  examples: {
    dirty: [
      {
        path: 'home/alice/.config/rclone/rclone.conf',
        content:
          '[cernbox]\ntype = webdav\nurl = https://cernbox.cern.ch/remote.php/webdav\nuser = alice\npass = VmlFakeObscuredRclonePass\n',
        secrets: ['VmlFakeObscuredRclonePass'],
      },
    ],
    clean: [{ path: 'home/alice/.config/rclone/rclone.conf', content: '[local]\ntype = local\n' }],
  },
});
