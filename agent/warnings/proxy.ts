/**
 * Grid proxy check: the user's VOMS proxy ($X509_USER_PROXY, else /tmp/x509up_u<uid>) is missing or
 * expired. A missing proxy is worth a warning only for a user who has a grid certificate to make one from.
 */
import { X509Certificate } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { homeOf } from '../steps/files/owners.js';
import type { Warning, WarningContext } from './warning.js';

export const PROXY_HINT = 'voms-proxy-init -voms atlas';

export async function proxyWarnings(ctx: WarningContext): Promise<Warning[]> {
  const path = ctx.env.X509_USER_PROXY ?? `/tmp/x509up_u${ctx.uid}`;
  let pem: string;
  try {
    pem = await readFile(join(ctx.root, path), 'utf8');
  } catch {
    const home = homeOf(ctx.accounts, ctx.user);
    const hasCertificate = await access(join(ctx.root, home, '.globus/usercert.pem')).then(
      () => true,
      () => false,
    );
    return hasCertificate
      ? [{ check: 'proxy', subject: path, message: 'No grid proxy', hint: PROXY_HINT }]
      : [];
  }
  // The proxy's own certificate comes first in the file; the private key (never read here) follows.
  const block = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(pem)?.[0];
  let notAfter: Date;
  try {
    notAfter = new Date(new X509Certificate(block ?? '').validTo);
  } catch {
    return [{ check: 'proxy', subject: path, message: 'The grid proxy cannot be read', hint: PROXY_HINT }];
  }
  if (notAfter.getTime() > ctx.now.getTime()) return [];
  return [
    {
      check: 'proxy',
      subject: path,
      message: `The grid proxy expired at ${notAfter.toISOString().replace('T', ' ').slice(0, 16)} UTC`,
      hint: PROXY_HINT,
    },
  ];
}
