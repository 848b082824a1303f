/**
 * CernVM-FS check: each repository the client is configured for (CVMFS_REPOSITORIES) can be listed under
 * /cvmfs. That is what a user's `setupATLAS` needs, and on autofs it mounts the repository: a cheap probe.
 * A listing that hangs (a dead proxy) counts as failed after PROBE_TIMEOUT_MS.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAssignments } from '../software/cvmfs/config.js';
import type { Warning, WarningContext } from './warning.js';

export const PROBE_TIMEOUT_MS = 10_000;

export async function cvmfsWarnings(ctx: WarningContext): Promise<Warning[]> {
  const vars: Record<string, string> = {};
  for (const file of ['etc/cvmfs/default.conf', 'etc/cvmfs/default.local']) {
    parseAssignments(await readFile(join(ctx.root, file), 'utf8').catch(() => ''), vars);
  }
  const domain = vars.CVMFS_DEFAULT_DOMAIN || 'cern.ch';
  const repositories = (vars.CVMFS_REPOSITORIES ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => (r.includes('.') ? r : `${r}.${domain}`));
  const results = await Promise.all(repositories.map((r) => probe(join(ctx.root, 'cvmfs', r))));
  return repositories.flatMap((repository, i) =>
    results[i]
      ? []
      : [
          {
            check: 'cvmfs',
            subject: repository,
            message: `CernVM-FS repository ${repository} is not available`,
            hint: `cvmfs_config probe ${repository}`,
          },
        ],
  );
}

async function probe(dir: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  const listing = readdir(dir).then(
    (names) => names.length > 0,
    () => false,
  );
  try {
    return await Promise.race([listing, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
