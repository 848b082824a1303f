/**
 * Kerberos check: where a realm is configured (default_realm in /etc/krb5.conf, as on every CernVM), the
 * user has no valid ticket. Asks `klist -s` (exit 1: no ticket or expired) on the user's credential cache.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Warning, WarningContext } from './warning.js';

export async function kerberosWarnings(ctx: WarningContext): Promise<Warning[]> {
  const conf = await readFile(join(ctx.root, 'etc/krb5.conf'), 'utf8').catch(() => '');
  const realm = /^\s*default_realm\s*=\s*(\S+)/m.exec(conf)?.[1];
  if (!realm) return [];
  // The caller's own cache ($KRB5CCNAME or the library default); another user's default file cache.
  const cache = ctx.caller ? ctx.env.KRB5CCNAME : `FILE:${join(ctx.root, `tmp/krb5cc_${ctx.uid}`)}`;
  const valid = await klistOk(cache);
  if (valid === undefined || valid) return [];
  return [
    {
      check: 'kerberos',
      message: `No valid Kerberos ticket for ${ctx.user}`,
      hint: `kinit ${ctx.user}@${realm}`,
    },
  ];
}

/** True: a valid ticket; false: none; undefined: klist is not installed. */
function klistOk(cache: string | undefined): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const args = cache ? ['-s', '-c', cache] : ['-s'];
    execFile('klist', args, { timeout: 5_000 }, (error) => {
      if (!error) resolve(true);
      else resolve((error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : false);
    });
  });
}
