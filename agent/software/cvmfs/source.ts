/**
 * Where to fetch a repository from and whom to trust: the root's CernVM-FS client configuration
 * (CVMFS_SERVER_URL, CVMFS_PUBLIC_KEY, CVMFS_KEYS_DIR, CVMFS_HTTP_PROXY), overridden by flags.
 */
import { VmlError } from '../../../core/errors.js';
import { inRoot, readClientConfig, splitList } from './config.js';
import { expandServerUrl } from './http.js';
import { type ProxyGroup, parseProxyChain, planRoutes, type Route } from './proxy.js';
import { loadBlacklist, loadMasterKeys } from './trust.js';
import type { MasterKey } from './whitelist.js';

export interface SourceFlags {
  /** --server URL… (repeatable; @fqrn@ expanded). */
  readonly servers?: readonly string[];
  /** --public-key FILE… (paths on this machine, not in the root). */
  readonly publicKeys?: readonly string[];
  /** --proxy CHAIN, in CVMFS_HTTP_PROXY syntax. */
  readonly proxy?: string | undefined;
}

export interface Source {
  readonly fqrn: string;
  readonly servers: readonly string[];
  /** CVMFS_EXTERNAL_URL, expanded: where external files are served. */
  readonly externalUrls: readonly string[];
  readonly keys: readonly MasterKey[];
  readonly blacklist: readonly string[];
  readonly proxyChain: readonly ProxyGroup[];
  /** Proxies and DIRECT in the order they are tried. */
  readonly routes: readonly Route[];
  /** Proxy chain entries this reader passes over ("auto"), with the reason. */
  readonly skippedProxies: readonly { readonly entry: string; readonly reason: string }[];
}

/** A repository name as CernVM-FS accepts it (lower-case DNS-like). */
export function checkFqrn(fqrn: string): string {
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/i.test(fqrn) || !fqrn.includes('.')) {
    throw new VmlError('E_USAGE', `Invalid repository name "${fqrn}": expected a name like "atlas.cern.ch"`);
  }
  return fqrn;
}

/** Resolves servers, keys, blacklist and proxies for `fqrn` from `root` and the flags. */
export async function resolveSource(root: string, fqrn: string, flags: SourceFlags): Promise<Source> {
  checkFqrn(fqrn);
  const config = await readClientConfig(root, fqrn);
  const servers = (flags.servers?.length ? flags.servers : splitList(config.CVMFS_SERVER_URL, ';')).map((u) =>
    expandServerUrl(u, fqrn),
  );
  if (servers.length === 0) {
    throw new VmlError('E_CONFIG_INVALID', `No server URL configured for repository "${fqrn}"`, {
      hint: `Set CVMFS_SERVER_URL in ${inRoot(root, 'etc/cvmfs/default.local')} (or config.d/${fqrn}.conf), or pass --server URL`,
    });
  }
  for (const url of servers) {
    if (!/^https?:\/\//.test(url)) {
      throw new VmlError(
        'E_CONFIG_INVALID',
        `Invalid server URL "${url}" for "${fqrn}": expected http:// or https://`,
      );
    }
  }
  let keys: MasterKey[];
  if (flags.publicKeys?.length) {
    keys = await loadMasterKeys(flags.publicKeys, []);
  } else {
    const files = splitList(config.CVMFS_PUBLIC_KEY, ':').map((p) => inRoot(root, p));
    const dirs = splitList(config.CVMFS_KEYS_DIR, ':').map((p) => inRoot(root, p));
    const domain = fqrn.split('.').slice(1).join('.');
    if (files.length === 0 && dirs.length === 0) {
      dirs.push(inRoot(root, `etc/cvmfs/keys/${domain}`), inRoot(root, 'etc/cvmfs/keys'));
    }
    keys = await loadMasterKeys(files, dirs);
  }
  if (keys.length === 0) {
    throw new VmlError('E_CONFIG_INVALID', `No public key to verify repository "${fqrn}"`, {
      hint: `Put the repository's master key in ${inRoot(root, 'etc/cvmfs/keys')}, set CVMFS_PUBLIC_KEY, or pass --public-key FILE`,
    });
  }
  const chain = parseProxyChain(flags.proxy ?? config.CVMFS_HTTP_PROXY);
  const plan = planRoutes(chain, fqrn);
  return {
    fqrn,
    servers,
    externalUrls: splitList(config.CVMFS_EXTERNAL_URL, ';').map((u) => expandServerUrl(u, fqrn)),
    keys,
    blacklist: await loadBlacklist(inRoot(root, 'etc/cvmfs/blacklist')),
    proxyChain: chain,
    routes: plan.routes,
    skippedProxies: plan.skipped,
  };
}
