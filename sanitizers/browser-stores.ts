import { wholeFiles } from './known-files.js';

const SESSION = /cookies|Cookies|sessionstore|Session|formhistory/;

/** Browser key stores, saved logins and cookies (Firefox, Chromium, Chrome), and the user's NSS database. */
export const browserStores = wholeFiles({
  name: 'browser-stores',
  heading: 'Remove browser key stores, saved passwords and cookies',
  enabledByDefault: true,
  order: 100,
  credentials: true,
  paths: [
    '~/.mozilla/firefox/*/{key3.db,key4.db,logins.json,logins-backup.json,signons.sqlite,cert8.db,cert9.db,cookies.sqlite*,formhistory.sqlite*,sessionstore.jsonlz4}',
    '~/.mozilla/firefox/*/sessionstore-backups/**',
    '~/.config/{google-chrome,chromium}/*/{Login Data*,Cookies*,Web Data*}',
    '~/.config/{google-chrome,chromium}/*/Network/Cookies*',
    '~/.config/{google-chrome,chromium}/Local State',
    '~/.pki/nssdb/**',
  ],
  type: (path) => (SESSION.test(path) ? 'browser-cookies' : 'browser-key-store'),
  credential: 'long-lived',
  restoreHint: 'log in again in the browser; import your certificate from the .p12',
  examples: {
    dirty: [
      {
        path: 'home/alice/.mozilla/firefox/abcd.default/key4.db',
        content: 'SQLite format 3\0VMLFAKE nssPrivate',
      },
      { path: 'home/alice/.config/chromium/Default/Login Data', content: 'SQLite format 3\0VMLFAKE logins' },
    ],
    clean: [
      {
        path: 'home/alice/.mozilla/firefox/abcd.default/prefs.js',
        content: 'user_pref("browser.startup.homepage", "https://home.cern");\n',
      },
    ],
  },
});
