/**
 * Fetches repository files over HTTP from a list of servers (Stratum-1s) through a chain of proxies, with
 * failover and retries. A proxy that fails is passed over for the next one (proxy failover); a server that
 * fails through a working route is passed over for the next server (host failover). The proxy and the
 * server that answered last are tried first next time, as the CernVM-FS client does.
 */
import { VmlError } from '../../../core/errors.js';
import { DIRECT, type Route, routeName } from './proxy.js';
import { get } from './transport.js';

export interface HttpOptions {
  /** Repository URLs, `@fqrn@` and `@org@` already expanded, without a trailing slash. */
  readonly servers: readonly string[];
  readonly fqrn: string;
  /** Routes in failover order (see proxy.ts planRoutes); default DIRECT only. */
  readonly routes?: readonly Route[];
  /** Rounds over all servers before giving up (default 3). */
  readonly rounds?: number;
  /** Per-request timeout in milliseconds (default 30 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
  /** Called for each failed attempt that will be retried, e.g. to print a debug line. */
  readonly onRetry?: ((message: string) => void) | undefined;
}

/** Replaces @fqrn@ and @org@ (the first label of the repository name) in a server URL. */
export function expandServerUrl(url: string, fqrn: string): string {
  const org = fqrn.split('.')[0] ?? fqrn;
  return url.replaceAll('@fqrn@', fqrn).replaceAll('@org@', org).replace(/\/+$/, '');
}

/** Transfer counters of one fetcher. */
export interface HttpStats {
  requests: number;
  bytes: number;
  /** Times a proxy failed and the next route was tried. */
  proxyFailovers: number;
}

/**
 * A reader over several servers. `get` returns the body of `path` (relative to the repository URL) once
 * `accept` approves it; a body it rejects counts as a failure of that server, so the next one is tried.
 */
export class HttpFetcher {
  readonly stats: HttpStats = { requests: 0, bytes: 0, proxyFailovers: 0 };
  private preferred = 0;
  private route = 0;
  private readonly routes: readonly Route[];

  constructor(private readonly options: HttpOptions) {
    if (options.servers.length === 0) {
      throw new VmlError('E_CONFIG_INVALID', `No server URL for repository "${options.fqrn}"`, {
        hint: 'Set CVMFS_SERVER_URL in /etc/cvmfs/default.local (or config.d) or pass --server URL',
      });
    }
    this.routes = options.routes?.length ? options.routes : [DIRECT];
  }

  get servers(): readonly string[] {
    return this.options.servers;
  }

  /**
   * Fetches `path`. Throws E_NOT_FOUND when every server answers 404, E_CORRUPT with `accept`'s reason when
   * every body was rejected, E_IO for other failures; E_INTERRUPTED when the signal aborts.
   */
  async get(path: string, accept?: (body: Uint8Array) => string | undefined): Promise<Uint8Array> {
    const servers = this.options.servers;
    const rounds = this.options.rounds ?? 3;
    let notFound = 0;
    let rejected: string | undefined;
    let lastError = '';
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await sleep(200 * 2 ** round, this.options.signal);
      notFound = 0;
      for (let i = 0; i < servers.length; i++) {
        const index = (this.preferred + i) % servers.length;
        const url = `${servers[index]}/${path}`;
        const result = await this.attempt(url);
        if (result.body) {
          const problem = accept?.(result.body);
          if (problem === undefined) {
            this.preferred = index;
            return result.body;
          }
          rejected = problem;
          lastError = `${url}: ${problem}`;
        } else if (result.status === 404) {
          notFound++;
          lastError = `${url}: HTTP 404`;
        } else {
          lastError = `${url}: ${result.error}`;
        }
        this.options.onRetry?.(`Fetching ${path} of "${this.options.fqrn}" failed: ${lastError}`);
      }
      // Every server says "not found" or every body was rejected: another round will not change that.
      if (notFound === servers.length || (rejected !== undefined && notFound === 0 && round > 0)) break;
    }
    if (rejected !== undefined) {
      throw new VmlError('E_CORRUPT', `Refusing ${path} of "${this.options.fqrn}": ${rejected}`, {
        hint: 'The server holds damaged or modified data; report it to the repository maintainers',
      });
    }
    if (notFound === servers.length) {
      throw new VmlError('E_NOT_FOUND', `${path} of "${this.options.fqrn}" is not on any server`, {
        hint: 'The revision may have been garbage-collected, or the server URL is wrong',
      });
    }
    throw new VmlError('E_IO', `Cannot fetch ${path} of "${this.options.fqrn}": ${lastError}`, {
      hint: 'Check the network and CVMFS_SERVER_URL (or --server)',
    });
  }

  /**
   * One request for `url` along the routes, from the one that worked last: a failing proxy moves on to the
   * next route (and stays there), a server answer or a server error ends the attempt.
   */
  private async attempt(url: string): Promise<{ body?: Uint8Array; status?: number; error?: string }> {
    const errors: string[] = [];
    for (let i = 0; i < this.routes.length; i++) {
      const index = (this.route + i) % this.routes.length;
      const route = this.routes[index] as Route;
      this.stats.requests++;
      const answer = await get(url, route, {
        signal: this.options.signal,
        timeoutMs: this.options.timeoutMs ?? 30_000,
      });
      if (answer.body) {
        this.stats.bytes += answer.body.length;
        this.route = index;
        return { body: answer.body };
      }
      const text = answer.status === undefined ? answer.error : `HTTP ${answer.status}`;
      if (!answer.proxyFailed) {
        this.route = index;
        return answer.status === undefined ? { error: text } : { status: answer.status, error: text };
      }
      errors.push(`proxy ${routeName(route)}: ${text}`);
      this.stats.proxyFailovers++;
      this.options.onRetry?.(`Proxy ${routeName(route)} failed for ${url} (${text}); trying the next route`);
    }
    return { error: `every proxy failed (${errors.join('; ')})` };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
