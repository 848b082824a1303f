/**
 * OIDC sign-in through the web interface: a real server on 127.0.0.1 and a real OpenID provider
 * (test/helpers/oidc-provider.ts, standing in for CERN's Keycloak); a cookie-keeping HTTP client plays the
 * browser, hop by hop, so tests can also tamper with the callback. Chromium does the same in
 * test/browser/oidc-sign-in.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CookieClient, cookieClient, type Hop } from '../../../../helpers/cookie-client.js';
import { loginAtProvider } from '../../../../helpers/oidc-provider.js';
import { freePort, type OidcTestServer, startOidcTestServer } from '../../../../helpers/oidc-server.js';

const ACCOUNTS = [
  { sub: 'a1b2', preferred_username: 'alice', email: 'alice@example.org' },
  { sub: 'c3d4', preferred_username: 'carol', email: 'carol@example.org' },
  { sub: 'm666', preferred_username: 'mallory', email: 'mallory@example.org' },
  { sub: 'w0w0', preferred_username: 'Dr. Who', email: 'who@example.org' },
  { sub: 'n0n0', email: 'nameless@example.org' },
];

interface Landing {
  readonly browser: CookieClient;
  /** The answer to the callback, or the page the redirects after it end on. */
  readonly page: Hop;
  readonly hops: Hop[];
}

/** "Sign in with CERN SSO": start at the server, log in at the provider, come back (maybe tampered). */
async function signInWithSso(
  server: OidcTestServer,
  login: string,
  options: { next?: string; tamper?: (callbackUrl: string) => string } = {},
): Promise<Landing> {
  const browser = cookieClient();
  const next = options.next === undefined ? '' : `?next=${encodeURIComponent(options.next)}`;
  const start = await browser.request(`${server.url}/auth/oidc/login${next}`);
  expect(start.status).toBe(303);
  expect(start.location).toMatch(new RegExp(`^${server.provider.issuer}/auth\\?`));
  const { callbackUrl } = await loginAtProvider(browser, start.location ?? '', {
    login,
    callback: server.callback,
  });
  const hops = await browser.follow(options.tamper ? options.tamper(callbackUrl) : callbackUrl);
  return { browser, page: hops.at(-1) as Hop, hops };
}

/** Who the server thinks the browser is: the name in the header of /entries, or undefined. */
async function signedInAs(server: OidcTestServer, browser: CookieClient): Promise<string | undefined> {
  const page = await browser.request(`${server.url}/entries`);
  if (page.status !== 200) return undefined;
  return /Signed in as <strong>([^<]+)<\/strong>/.exec(page.body)?.[1];
}

describe('OIDC sign-in without --oidc-create-users', () => {
  let server: OidcTestServer;
  beforeAll(async () => {
    server = await startOidcTestServer({ accounts: ACCOUNTS });
    await server.metadata.addUser({ name: 'alice', admin: false });
  });
  afterAll(() => server?.close());

  it('shows "Sign in with CERN SSO" on the sign-in page', async () => {
    const page = await cookieClient().request(`${server.url}/signin`);
    expect(page.body).toContain('Sign in with CERN SSO');
    expect(page.body).toContain('href="/auth/oidc/login?next=%2Fentries"');
  });

  it('an existing user signs in through the provider and lands where the sign-in began', async () => {
    const { browser, hops } = await signInWithSso(server, 'a1b2', { next: '/entries?q=higgs' });
    expect(hops[0]?.status).toBe(303);
    expect(hops[0]?.location).toBe(`${server.url}/entries?q=higgs`);
    expect(await signedInAs(server, browser)).toBe('alice');
    // The identity is now linked, and the link audited.
    expect(await server.metadata.findOidcLink(server.provider.issuer, 'a1b2')).toMatchObject({
      user: 'alice',
    });
    const audit = await server.metadata.listAudit();
    expect(audit.filter((r) => r.action === 'oidc-link').map((r) => r.actor)).toEqual(['alice']);
    // The pending cookie is spent; the session cookie stays.
    expect(browser.cookies(server.url).has('vml_oidc')).toBe(false);
    expect(browser.cookies(server.url).has('vml_session')).toBe(true);
  });

  it('refuses an unknown user with a page that says to ask an administrator, and creates nobody', async () => {
    const { browser, page } = await signInWithSso(server, 'c3d4');
    expect(page.status).toBe(403);
    expect(page.body).toContain('No account on this server');
    expect(page.body).toContain('Ask an administrator to add you: vml logbook user add carol');
    expect(await server.metadata.findUser('carol')).toBeUndefined();
    expect(await signedInAs(server, browser)).toBeUndefined();
  });

  it('refuses a username claim that is not a valid user name', async () => {
    const { browser, page } = await signInWithSso(server, 'w0w0');
    expect(page.status).toBe(403);
    expect(page.body).toContain(
      'Cannot sign you in as &quot;Dr. Who&quot;: it is not a valid user name here',
    );
    expect(await signedInAs(server, browser)).toBeUndefined();
  });

  it('refuses an ID token without the username claim', async () => {
    const { page } = await signInWithSso(server, 'n0n0');
    expect(page.status).toBe(403);
    expect(page.body).toContain('sent no &quot;preferred_username&quot; claim');
  });

  it('refuses a tampered state, with a page and no session', async () => {
    const { browser, page } = await signInWithSso(server, 'a1b2', {
      tamper: (url) => url.replace(/state=([^&]+)/, 'state=$1x'),
    });
    expect(page.status).toBe(401);
    expect(page.body).toContain('Sign-in refused');
    expect(page.body).toContain('state');
    expect(browser.cookies(server.url).has('vml_session')).toBe(false);
  });

  it('refuses an ID token for another audience or from another issuer, signed by the real key', async () => {
    for (const claims of [{ aud: 'another-client' }, { iss: 'https://evil.example.org' }]) {
      server.provider.tamperIdTokens(claims);
      try {
        const { browser, page } = await signInWithSso(server, 'a1b2');
        expect(page.status).toBe(401);
        expect(page.body).toContain(Object.keys(claims)[0] === 'aud' ? '&quot;aud&quot;' : '&quot;iss&quot;');
        expect(await signedInAs(server, browser)).toBeUndefined();
      } finally {
        server.provider.tamperIdTokens(undefined);
      }
    }
  });

  it('a callback in a browser that did not start the sign-in is refused as expired', async () => {
    const victim = cookieClient();
    const start = await victim.request(`${server.url}/auth/oidc/login`);
    const { callbackUrl } = await loginAtProvider(victim, start.location ?? '', {
      login: 'a1b2',
      callback: server.callback,
    });
    // Another browser (no pending cookie) brings the code: login CSRF or a leaked URL.
    const other = cookieClient();
    const page = await other.request(callbackUrl);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Start again from the sign-in page');
    expect(await signedInAs(server, other)).toBeUndefined();
  });

  it('a user who cancels at the provider gets a page saying so, and no session', async () => {
    const browser = cookieClient();
    const start = await browser.request(`${server.url}/auth/oidc/login`);
    const hops = await browser.follow(start.location ?? '', { stopAt: server.callback });
    const loginPage = hops.at(-1) as Hop;
    const cancel = /href="([^"]*\/abort)"/.exec(loginPage.body)?.[1];
    expect(cancel).toBeDefined();
    const back = await browser.follow(new URL(cancel ?? '', loginPage.url).toString());
    const page = back.at(-1) as Hop;
    expect(page.url.startsWith(server.callback)).toBe(true);
    expect(page.status).toBe(401);
    expect(page.body).toContain('the provider answered &quot;access_denied&quot;');
    expect(await signedInAs(server, browser)).toBeUndefined();
  });

  it('a username claim renamed to an existing, linked user cannot take that account over', async () => {
    // alice (sub a1b2) is linked by the sign-ins above. mallory renames herself "alice" at the provider.
    await signInWithSso(server, 'a1b2');
    const mallory = server.provider.accounts.get('m666');
    if (mallory) mallory.preferred_username = 'alice';
    try {
      const { browser, page } = await signInWithSso(server, 'm666');
      expect(page.status).toBe(403);
      expect(page.body).toContain('Account linked to someone else');
      expect(await signedInAs(server, browser)).toBeUndefined();
      expect(await server.metadata.findOidcLink(server.provider.issuer, 'm666')).toBeUndefined();
    } finally {
      if (mallory) mallory.preferred_username = 'mallory';
    }
  });

  it('a linked user whose username claim changes still signs in as the linked user', async () => {
    await signInWithSso(server, 'a1b2');
    const alice = server.provider.accounts.get('a1b2');
    if (alice) alice.preferred_username = 'alice-renamed';
    try {
      const { browser } = await signInWithSso(server, 'a1b2');
      expect(await signedInAs(server, browser)).toBe('alice');
      expect(await server.metadata.findUser('alice-renamed')).toBeUndefined();
    } finally {
      if (alice) alice.preferred_username = 'alice';
    }
  });
});

describe('OIDC sign-in with --oidc-create-users', () => {
  let server: OidcTestServer;
  beforeAll(async () => {
    server = await startOidcTestServer({ accounts: ACCOUNTS, settings: { createUsers: true } });
  });
  afterAll(() => server?.close());

  it('creates a missing user (not an admin) at the first sign-in, and signs them in', async () => {
    const { browser } = await signInWithSso(server, 'c3d4');
    expect(await signedInAs(server, browser)).toBe('carol');
    const carol = await server.metadata.findUser('carol');
    expect(carol).toMatchObject({ name: 'carol', admin: false });
    expect(carol?.passwordHash).toBeUndefined();
    const actions = (await server.metadata.listAudit()).map((r) => `${r.action} ${r.actor}`);
    expect(actions).toEqual(['user-add carol', 'oidc-link carol']);
    // The second sign-in finds the link and creates nothing.
    const again = await signInWithSso(server, 'c3d4');
    expect(await signedInAs(server, again.browser)).toBe('carol');
    expect((await server.metadata.listUsers()).map((u) => u.name)).toEqual(['carol']);
  });

  it('still refuses names that do not fit', async () => {
    const { page } = await signInWithSso(server, 'w0w0');
    expect(page.status).toBe(403);
    expect((await server.metadata.listUsers()).map((u) => u.name)).not.toContain('Dr. Who');
  });
});

describe('OIDC sign-in with the issuer down', () => {
  let server: OidcTestServer;
  beforeAll(async () => {
    const deadIssuer = `http://127.0.0.1:${await freePort()}`;
    server = await startOidcTestServer({ accounts: ACCOUNTS, settings: { issuer: deadIssuer } });
  });
  afterAll(() => server?.close());

  it('the server works; a sign-in gets a clear "unavailable" page, not a 500, and a warning is logged', async () => {
    const signIn = await cookieClient().request(`${server.url}/signin`);
    expect(signIn.status).toBe(200);
    expect(signIn.body).toContain('Sign in with CERN SSO');
    const page = await cookieClient().request(`${server.url}/auth/oidc/login`);
    expect(page.status).toBe(503);
    expect(page.body).toContain('Single sign-on is unavailable');
    expect(page.body).toContain('ECONNREFUSED');
    expect(page.body).toContain('Try again in a few minutes');
    expect(server.warnings.join('\n')).toMatch(
      /Cannot use the sign-in service at "http:\/\/127\.0\.0\.1:\d+": .*ECONNREFUSED/,
    );
    // No secret in what the user or the log sees.
    expect(page.body).not.toContain(server.provider.clientSecret);
    expect(server.warnings.join('\n')).not.toContain(server.provider.clientSecret);
  });
});
