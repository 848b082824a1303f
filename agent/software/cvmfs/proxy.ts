/**
 * `CVMFS_HTTP_PROXY`: groups separated by ";" are tried in order, proxies within a group separated by "|"
 * share the load. "DIRECT" means no proxy. Node's fetch cannot use a proxy per request without undici's
 * ProxyAgent, which VML does not ship: so a chain is usable only through its DIRECT groups.
 */
import { VmlError } from '../../../core/errors.js';

/** One failover group: proxy URLs, or the single word DIRECT. */
export type ProxyGroup = readonly string[];

/** Parses the proxy chain; empty or unset means DIRECT. "auto" (WPAD) is kept as a proxy word. */
export function parseProxyChain(value: string | undefined): ProxyGroup[] {
  if (value === undefined || value.trim() === '') return [['DIRECT']];
  return value
    .split(';')
    .map((group) =>
      group
        .split('|')
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p) => (p.toUpperCase() === 'DIRECT' ? 'DIRECT' : p)),
    )
    .filter((g) => g.length > 0);
}

/** What the reader does with a chain: go direct, and which proxy groups it had to pass over. */
export interface ProxyPlan {
  readonly chain: readonly ProxyGroup[];
  /** Proxy groups before the first DIRECT group, which this client cannot use. */
  readonly skipped: readonly ProxyGroup[];
}

/**
 * Plans connections for a chain. A chain with a DIRECT group goes direct (the skipped proxies are reported
 * by the caller); a chain of proxies only is refused rather than silently bypassed.
 */
export function planProxies(chain: readonly ProxyGroup[], fqrn: string): ProxyPlan {
  const direct = chain.findIndex((g) => g.includes('DIRECT'));
  if (direct < 0) {
    throw new VmlError(
      'E_CONFIG_INVALID',
      `Cannot reach "${fqrn}" through the proxy ${chain.map((g) => g.join('|')).join(';')}: HTTP proxies are not supported by this version of vml-agent`,
      {
        hint: 'Add ";DIRECT" to CVMFS_HTTP_PROXY if the servers are reachable without the proxy, or pass --proxy DIRECT',
      },
    );
  }
  return { chain, skipped: chain.slice(0, direct) };
}
