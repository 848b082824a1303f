/**
 * One HTTP GET, straight to the server or through a plain HTTP proxy. Node's fetch cannot take a proxy
 * per request (that needs undici's ProxyAgent), so requests go through node:http: to a proxy, the request
 * line carries the absolute URL ("GET http://stratum1/cvmfs/…"), as squid expects. Stratum-1 servers are
 * plain HTTP; an https:// server is reached only DIRECT (tunnelling with CONNECT is not implemented).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Route } from './proxy.js';

/** What came back: a body (2xx), a status, or an error and whether the proxy (not the server) failed. */
export type Answer =
  | { readonly body: Buffer; readonly status: number }
  | { readonly status: number; readonly body?: undefined; readonly proxyFailed: boolean }
  | {
      readonly error: string;
      readonly status?: undefined;
      readonly body?: undefined;
      readonly proxyFailed: boolean;
    };

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });

/**
 * GETs `url` along `route`. Never throws for network trouble (it is an answer); rethrows the abort reason
 * when `signal` aborts. A proxy that cannot be reached, or that answers 502/503/504 without naming the
 * server as the culprit, counts as a proxy failure, so the caller tries the next proxy.
 */
export async function get(
  url: string,
  route: Route,
  options: { readonly signal?: AbortSignal | undefined; readonly timeoutMs: number },
): Promise<Answer> {
  const target = new URL(url);
  const viaProxy = route.kind === 'proxy';
  if (viaProxy && target.protocol !== 'http:') {
    return { error: `cannot reach ${target.protocol}// servers through an HTTP proxy`, proxyFailed: true };
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers = { 'user-agent': 'vml-agent (cvmfs reader)', host: target.host };
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = viaProxy
        ? httpRequest({
            host: route.host,
            port: route.port,
            path: target.href,
            headers,
            agent: httpAgent,
            signal,
          })
        : (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
            headers,
            agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
            signal,
          });
      req.once('response', resolve).once('error', reject).end();
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      response.resume();
      // A squid that cannot reach the server says so in X-Squid-Error; then the server is at fault.
      const gateway = status === 502 || status === 503 || status === 504;
      const serverFault = /ERR_CONNECT_FAIL|ERR_DNS_FAIL/.test(String(response.headers['x-squid-error']));
      return { status, proxyFailed: viaProxy && gateway && !serverFault };
    }
    const parts: Buffer[] = [];
    for await (const part of response) parts.push(part as Buffer);
    return { status, body: Buffer.concat(parts) };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const e = error as NodeJS.ErrnoException;
    const text = timeout.aborted ? 'timed out' : (e.code ?? e.message);
    // Without a proxy every failure is the server's; through one, a refused or dropped connection is the proxy's.
    return { error: text, proxyFailed: viaProxy };
  }
}
