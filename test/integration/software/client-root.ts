/**
 * A guest root with a CernVM-FS client configuration laid out as the cvmfs and cvmfs-config-default
 * packages install it (default.conf, default.d/50-cern.conf, domain.d/cern.ch.conf with CERN's
 * Stratum-1s, keys/cern.ch/) plus a site's own default.local, and a config.d override that points the
 * fixture repository at the test server. Written by hand, modelled on the files the client ships.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeGuestRoot } from '../helpers/cli.js';
import { type Fixture, FQRN } from './fixture.js';

export const DEFAULT_CONF = `# Don't edit here.  Create /etc/cvmfs/default.local.
# As a rule of thumb, overwrite only parameters you find in here.
# If you look for any other parameter, check the documentation.

CVMFS_CLIENT_PROFILE=
CVMFS_CACHE_BASE=/var/lib/cvmfs
CVMFS_QUOTA_LIMIT=4000
CVMFS_TIMEOUT=5
CVMFS_TIMEOUT_DIRECT=10
CVMFS_STRICT_MOUNT=no
CVMFS_NFILES=131072
CVMFS_SHARED_CACHE=yes
CVMFS_CHECK_PERMISSIONS=yes
CVMFS_IGNORE_SIGNATURE=no
CVMFS_AUTO_UPDATE=yes
CVMFS_NFS_SOURCE=no
CVMFS_PROXY_RESET_AFTER=300
CVMFS_HOST_RESET_AFTER=1800
CVMFS_MAX_RETRIES=1
CVMFS_BACKOFF_INIT=2
CVMFS_BACKOFF_MAX=10
CVMFS_SEND_INFO_HEADER=no
CVMFS_LOW_SPEED_LIMIT=1024

if [ "x$CVMFS_BASE_ENV" = "x" ]; then
  readonly CVMFS_USER=cvmfs
  readonly CVMFS_MOUNT_DIR=/cvmfs
  readonly CVMFS_RELOAD_SOCKETS=/var/run/cvmfs
  readonly CVMFS_BASE_ENV=1
fi
`;

export const CERN_DEFAULT_D = `# Default configuration for the cern.ch domain (cvmfs-config-default)
CVMFS_CONFIG_REPOSITORY=cvmfs-config.cern.ch
CVMFS_DEFAULT_DOMAIN=cern.ch
`;

export const CERN_DOMAIN_CONF = `# Stratum 1 servers for the cern.ch domain
CVMFS_SERVER_URL="http://cvmfs-stratum-one.cern.ch/cvmfs/@fqrn@;http://cernvmfs.gridpp.rl.ac.uk/cvmfs/@fqrn@;http://cvmfs-s1bnl.opensciencegrid.org/cvmfs/@fqrn@;http://cvmfs-s1fnal.opensciencegrid.org/cvmfs/@fqrn@"
CVMFS_KEYS_DIR=/etc/cvmfs/keys/cern.ch
CVMFS_USE_GEOAPI=yes
`;

/** The site's own settings, as an administrator writes them (comments, quotes, short names). */
export function siteLocal(proxy: string): string {
  return `# Site configuration for this CernVM (edited by hand)
CVMFS_REPOSITORIES=atlas.cern.ch,atlas-condb,sft.cern.ch   # what autofs mounts

# The site squid first; DIRECT when it is down
CVMFS_HTTP_PROXY="${proxy};DIRECT"

# 20 GB of cache
CVMFS_QUOTA_LIMIT=20000
`;
}

/**
 * Writes the configuration into a fresh guest root at `dir`: the fixture repository and a repository
 * "missing.cern.ch" that the server does not have both point at `serverUrl` through config.d.
 */
export async function makeClientRoot(
  dir: string,
  fixture: Fixture,
  serverUrl: string,
  proxy: string,
): Promise<string> {
  await makeGuestRoot(dir);
  const etc = join(dir, 'etc/cvmfs');
  for (const sub of ['default.d', 'domain.d', 'config.d', 'keys/cern.ch']) {
    await mkdir(join(etc, sub), { recursive: true });
  }
  await writeFile(join(etc, 'default.conf'), DEFAULT_CONF);
  await writeFile(join(etc, 'default.d/50-cern.conf'), CERN_DEFAULT_D);
  await writeFile(join(etc, 'domain.d/cern.ch.conf'), CERN_DOMAIN_CONF);
  await writeFile(join(etc, 'default.local'), siteLocal(proxy), { mode: 0o640 });
  for (const fqrn of [FQRN, 'missing.cern.ch']) {
    await writeFile(
      join(etc, `config.d/${fqrn}.local`),
      `# Test Stratum-1 for ${fqrn}\nCVMFS_SERVER_URL="${serverUrl}"\n`,
    );
  }
  await writeFile(join(etc, `keys/cern.ch/${FQRN}.pub`), await readFile(fixture.publicKey));
  return dir;
}
