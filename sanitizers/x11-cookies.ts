import { wholeFiles } from './known-files.js';

/** X11 and ICE authority cookies and VNC passwords: whoever has them can take over the display. */
export const x11Cookies = wholeFiles({
  name: 'x11-cookies',
  heading: 'Remove X11 and ICE authority cookies and VNC passwords',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.Xauthority',
    '~/.ICEauthority',
    '~/.serverauth.*',
    '~/.vnc/passwd',
    'run/user/*/gdm/Xauthority',
  ],
  type: (path) => (path.endsWith('passwd') ? 'vnc-password' : 'x11-cookie'),
  credential: 'session',
  restoreHint: 'log in again (the display manager writes a new cookie)',
  examples: {
    dirty: [
      {
        path: 'home/alice/.Xauthority',
        content: '\u0001\u0000\u0000\u0002vmMIT-MAGIC-COOKIE-1VMLFAKECOOKIE',
      },
    ],
    clean: [{ path: 'home/alice/.Xresources', content: 'XTerm*faceName: Monospace\n' }],
  },
});
