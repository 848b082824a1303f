/**
 * `CVMFS_HTTP_PROXY`: groups separated by ";" are tried in order (failover), proxies within a group
 * separated by "|" share the load. "DIRECT" means no proxy; "auto" asks a PAC file (CVMFS_PAC_URLS),
 * which this reader does not evaluate: an "auto" entry is passed over with a warning.
 */
import { VmlError } from '../../../core/errors.js';

/** One failover group: proxy URLs, "DIRECT" or "auto". */
export type ProxyGroup = readonly string[];

/** Where one request goes: straight to the server, or through an HTTP proxy. */
export type Route =
  | { readonly kind: 'direct' }
  | { readonly kind: 'proxy'; readonly url: string; readonly host: string; readonly port: number };

export const DIRECT: Route = { kind: 'direct' };

/** Parses the proxy chain; empty or unset means DIRECT. "direct" and "auto" are case-insensitive. */
export function parseProxyChain(value: string | undefined): ProxyGroup[] {
  if (value === undefined || value.trim() === '') return [['DIRECT']];
  return value
    .split(';')
    .map((group) =>
      group
        .split('|')
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p) => (/^(direct|auto)$/i.test(p) ? p.toUpperCase() : p)),
    )
    .filter((g) => g.length > 0);
}

/** Why `value` is not a usable CVMFS_HTTP_PROXY, or undefined when it is. */
export function proxyChainProblem(value: string): string | undefined {
  const groups = parseProxyChain(value);
  if (groups.length === 0) return 'it lists no proxy and no DIRECT';
  for (const p of groups.flat()) {
    if (p === 'DIRECT' || p === 'AUTO') continue;
    if (proxyRoute(p) === undefined) return `"${p}" is not DIRECT, auto or a proxy like http://squid:3128`;
  }
  return undefined;
}

/** "http://squid.example:3128" or "squid.example:3128" as a route; undefined if it is neither. */
export function proxyRoute(text: string): Route | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '')) {
    return undefined;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { kind: 'proxy', url: `http://${url.host}`, host, port: Number(url.port || 80) };
}

/** The routes of a chain, in the order they are tried, and the entries that cannot be used. */
export interface RoutePlan {
  readonly routes: readonly Route[];
  /** Entries passed over: "auto" (no PAC evaluation), with the reason. */
  readonly skipped: readonly { readonly entry: string; readonly reason: string }[];
}

/**
 * Orders the routes of a chain: the groups in order, the members of each group in a random rotation
 * (load balancing, as the client picks a random member). Throws E_CONFIG_INVALID for a malformed entry.
 */
export function planRoutes(chain: readonly ProxyGroup[], fqrn: string, random = Math.random): RoutePlan {
  const routes: Route[] = [];
  const skipped: { entry: string; reason: string }[] = [];
  for (const group of chain) {
    const members: Route[] = [];
    for (const entry of group) {
      if (entry === 'DIRECT') members.push(DIRECT);
      else if (entry === 'AUTO') {
        skipped.push({ entry: 'auto', reason: 'proxy auto-discovery (PAC files) is not supported' });
      } else {
        const route = proxyRoute(entry);
        if (route === undefined) {
          throw new VmlError('E_CONFIG_INVALID', `Invalid HTTP proxy "${entry}" for "${fqrn}"`, {
            hint: 'CVMFS_HTTP_PROXY (or --proxy) takes "http://host:port" entries, "|" within a group, ";" between groups, or DIRECT',
          });
        }
        members.push(route);
      }
    }
    const start = Math.floor(random() * members.length);
    routes.push(...members.slice(start), ...members.slice(0, start));
  }
  if (routes.length === 0) {
    throw new VmlError('E_CONFIG_INVALID', `No usable HTTP proxy for "${fqrn}" in ${describeChain(chain)}`, {
      hint: 'Name the proxies in CVMFS_HTTP_PROXY (for example "http://squid:3128;DIRECT") or pass --proxy DIRECT',
    });
  }
  return { routes, skipped };
}

/** The chain as CVMFS_HTTP_PROXY writes it. */
export function describeChain(chain: readonly ProxyGroup[]): string {
  return chain.map((g) => g.join('|')).join(';');
}

/** A route for messages: "DIRECT" or the proxy URL. */
export function routeName(route: Route): string {
  return route.kind === 'direct' ? 'DIRECT' : route.url;
}
