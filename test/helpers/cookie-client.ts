/**
 * A cookie-keeping HTTP client for sign-in flows without a browser: it keeps cookies per origin and follows
 * redirects one by one (so tests can see and tamper with each hop), as a browser would.
 */

export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location?: string | undefined;
  readonly body: string;
}

export interface FollowOptions {
  /** Sent as a urlencoded POST body with the first request. */
  readonly form?: Record<string, string>;
  readonly stopAt?: string;
}

export interface CookieClient {
  /** GET or POST (form) one URL, without following redirects. */
  request(url: string, form?: Record<string, string>): Promise<Hop>;
  /**
   * Requests `url`, then follows redirects (at most 10); returns every hop. The last one is not a redirect,
   * or is one to a URL starting with `stopAt` (not requested, so a test can alter it first).
   */
  follow(url: string, options?: FollowOptions): Promise<Hop[]>;
  /** The cookies kept for an origin, name → value. */
  cookies(origin: string): Map<string, string>;
}

export function cookieClient(): CookieClient {
  const jars = new Map<string, Map<string, string>>();
  const jarOf = (origin: string) => {
    let jar = jars.get(origin);
    if (!jar) {
      jar = new Map();
      jars.set(origin, jar);
    }
    return jar;
  };

  async function request(url: string, form?: Record<string, string>): Promise<Hop> {
    const origin = new URL(url).origin;
    const jar = jarOf(origin);
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const init: RequestInit = { redirect: 'manual', headers };
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init.method = 'POST';
      init.body = new URLSearchParams(form).toString();
    }
    const response = await fetch(url, init);
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location') ?? undefined;
    return {
      url,
      status: response.status,
      location: location === undefined ? undefined : new URL(location, url).toString(),
      body: await response.text(),
    };
  }

  return {
    request,
    async follow(url, options = {}) {
      const hops = [await request(url, options.form)];
      for (let i = 0; i < 10; i++) {
        const last = hops.at(-1);
        if (!last?.location || last.status < 300 || last.status >= 400) return hops;
        if (options.stopAt !== undefined && last.location.startsWith(options.stopAt)) return hops;
        hops.push(await request(last.location));
      }
      throw new Error(`more than 10 redirects from ${url}`);
    },
    cookies: (origin) => new Map(jarOf(origin)),
  };
}
