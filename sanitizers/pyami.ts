import { wholeFiles } from './known-files.js';

/** pyAMI (ATLAS Metadata Interface) client configuration, which may hold the AMI password. */
export const pyami = wholeFiles({
  name: 'pyami',
  heading: 'Remove pyAMI credentials',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: ['~/.pyami/**', '~/.pyAMI/**', '~/.config/pyami/**'],
  type: 'pyami-credentials',
  credential: 'long-lived',
  restoreHint: 'ami auth (or voms-proxy-init -voms atlas)',
  examples: {
    dirty: [
      { path: 'home/alice/.pyami/pyami.cfg', content: '[AMI]\nuser = alice\npassword = VmlFakeAmiPw\n' },
    ],
    clean: [
      {
        path: 'home/alice/ami-queries.py',
        content: 'import pyAMI.client\nclient = pyAMI.client.Client("atlas")\n',
      },
    ],
  },
});
