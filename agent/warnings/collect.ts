/** All login warnings for one user: the restore report first, then the live checks not skipped. */
import { userInfo } from 'node:os';
import type { AgentConfig } from '../config/load.js';
import { readAccounts } from '../steps/files/owners.js';
import { cvmfsWarnings } from './cvmfs.js';
import { kerberosWarnings } from './kerberos.js';
import { mountWarnings } from './mounts.js';
import { proxyWarnings } from './proxy.js';
import { restoreReportWarnings } from './restore-report.js';
import { shutdownWarnings } from './shutdown.js';
import type { Warning, WarningContext } from './warning.js';

const LIVE: Readonly<Record<string, (ctx: WarningContext) => Promise<Warning[]>>> = {
  proxy: proxyWarnings,
  kerberos: kerberosWarnings,
  mounts: mountWarnings,
  cvmfs: cvmfsWarnings,
  shutdown: shutdownWarnings,
};

// A credential the restore report already names is not repeated by the live check for it.
const SAME_AS_REPORT: Readonly<Record<string, string>> = { proxy: 'voms-proxy-init', kerberos: 'kinit' };

/** The warnings for the caller or, run as root (the boot service), for the configured entry's owner. */
export async function collectWarnings(config: AgentConfig, now = new Date()): Promise<Warning[]> {
  const ctx = await warningContext(config, now);
  const reported = await restoreReportWarnings(ctx);
  const live = await Promise.all(
    Object.entries(LIVE)
      .filter(([name]) => !config.loginWarningsSkip.includes(name))
      .map(async ([name, check]) => {
        const same = SAME_AS_REPORT[name];
        if (same && reported.some((w) => w.hint?.includes(same))) return [];
        return check(ctx);
      }),
  );
  return [...reported, ...live.flat()];
}

async function warningContext(config: AgentConfig, now: Date): Promise<WarningContext> {
  const accounts = await readAccounts(config.root);
  const me = userInfo();
  const owner = config.entry?.split('/')[0];
  const ownerUid = owner === undefined ? undefined : accounts.userId.get(owner);
  if (me.uid === 0 && owner !== undefined && ownerUid !== undefined) {
    return { root: config.root, accounts, user: owner, uid: ownerUid, caller: false, env: {}, now };
  }
  const user = accounts.userName.get(me.uid) ?? me.username;
  return { root: config.root, accounts, user, uid: me.uid, caller: true, env: process.env, now };
}
