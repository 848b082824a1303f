/**
 * The OIDC relying party (logbook/server/oidc.ts) against a real OpenID provider on 127.0.0.1
 * (test/helpers/oidc-provider.ts): the whole code flow, and each check that must refuse a sign-in.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OidcClient, OidcFailure, type OidcSettings } from '../../../../logbook/server/oidc.js';
import { cookieClient } from '../../../helpers/cookie-client.js';
import { loginAtProvider, startOidcProvider, type TestOidcProvider } from '../../../helpers/oidc-provider.js';

const PUBLIC_URL = 'http://127.0.0.1:8420';
const CALLBACK = `${PUBLIC_URL}/auth/oidc/callback`;
let provider: TestOidcProvider;

beforeAll(async () => {
  provider = await startOidcProvider({
    redirectUri: CALLBACK,
    accounts: [{ sub: 'a1b2', preferred_username: 'alice', email: 'alice@example.org' }],
  });
});
afterAll(() => provider.close());

function settings(overrides: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    publicUrl: PUBLIC_URL,
    usernameClaim: 'preferred_username',
    createUsers: false,
    label: 'CERN SSO',
    ...overrides,
  };
}

/** Begins a sign-in, logs in at the provider, and returns what the browser brings back to the callback. */
async function signIn(client: OidcClient, login = 'a1b2') {
  const { url, pending } = await client.begin('/entries');
  const { callbackUrl } = await loginAtProvider(cookieClient(), url, { login, callback: CALLBACK });
  return { query: new URL(callbackUrl).search, pending };
}

async function failure(promise: Promise<unknown>): Promise<OidcFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OidcFailure);
  return error as OidcFailure;
}

describe('OidcClient', () => {
  test('a sign-in through the provider gives the issuer, sub and claims, and where to land', async () => {
    const client = new OidcClient(settings());
    const { query, pending } = await signIn(client);
    const { identity, next } = await client.complete(query, pending);
    expect(identity).toMatchObject({ issuer: provider.issuer, sub: 'a1b2' });
    expect(identity.claims).toMatchObject({ preferred_username: 'alice', email: 'alice@example.org' });
    expect(next).toBe('/entries');
  });

  test('the authorization URL asks for a code with PKCE (S256), state and nonce, and the redirect URI', async () => {
    const { url, pending } = await new OidcClient(settings()).begin('/');
    const params = new URL(url).searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('redirect_uri')).toBe(CALLBACK);
    expect(params.get('scope')).toBe('openid profile email');
    expect(params.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(params.get('nonce')).toMatch(/^[\w-]{20,}$/);
    // The pending cookie is sealed: neither the state nor the verifier can be read from it.
    expect(pending).not.toContain(params.get('state'));
    expect(Buffer.from(pending, 'base64url').toString('latin1')).not.toContain(params.get('state'));
  });

  test('a tampered state is refused', async () => {
    const client = new OidcClient(settings());
    const { query, pending } = await signIn(client);
    const params = new URLSearchParams(query);
    params.set('state', `${params.get('state')}x`);
    const error = await failure(client.complete(`?${params}`, pending));
    expect(error.reason).toBe('refused');
    expect(error.message).toMatch(/state/);
  });

  test('a callback without the pending cookie, or with a forged one, is refused before any token request', async () => {
    const client = new OidcClient(settings());
    const { query, pending } = await signIn(client);
    expect((await failure(client.complete(query, undefined))).reason).toBe('expired');
    const forged = Buffer.from(pending, 'base64url');
    forged[forged.length - 1] = (forged.at(-1) ?? 0) ^ 1;
    expect((await failure(client.complete(query, forged.toString('base64url')))).reason).toBe('expired');
    // A pending cookie sealed by a server with another client secret is as good as forged.
    const other = new OidcClient(settings({ clientSecret: 'another secret' }));
    expect((await failure(other.complete(query, pending))).reason).toBe('expired');
    // The code was not spent by these refusals: the real cookie still completes.
    await expect(client.complete(query, pending)).resolves.toMatchObject({ identity: { sub: 'a1b2' } });
  });

  test('a code cannot be used twice', async () => {
    const client = new OidcClient(settings());
    const { query, pending } = await signIn(client);
    await client.complete(query, pending);
    const error = await failure(client.complete(query, pending));
    expect(error.reason).toBe('refused');
    expect(error.message).toContain('invalid_grant');
  });

  test('an ID token for another audience is refused, though signed by the issuer', async () => {
    const client = new OidcClient(settings());
    const { query, pending } = await signIn(client);
    provider.tamperIdTokens({ aud: 'some-other-client' });
    try {
      const error = await failure(client.complete(query, pending));
      expect(error.reason).toBe('refused');
      expect(error.message).toMatch(/aud/);
    } finally {
      provider.tamperIdTokens(undefined);
    }
  });

  test('an ID token from another issuer is refused, though signed by the issuer', async () => {
    const client = new OidcClient(settings());
    const { query, pending } = await signIn(client);
    provider.tamperIdTokens({ iss: 'https://evil.example.org' });
    try {
      const error = await failure(client.complete(query, pending));
      expect(error.reason).toBe('refused');
      expect(error.message).toMatch(/iss/);
    } finally {
      provider.tamperIdTokens(undefined);
    }
  });

  test('an authorization response naming another issuer (mix-up) is refused', async () => {
    const client = new OidcClient(settings());
    const { query, pending } = await signIn(client);
    const params = new URLSearchParams(query);
    params.set('iss', 'https://evil.example.org');
    expect((await failure(client.complete(`?${params}`, pending))).reason).toBe('refused');
  });

  test('a wrong client secret is refused by the provider at the token endpoint', async () => {
    // The authorization request carries only the client id; the secret is first used for the code.
    const wrong = new OidcClient(settings({ clientSecret: 'not the secret' }));
    const { query, pending } = await signIn(wrong);
    const error = await failure(wrong.complete(query, pending));
    expect(error.reason).toBe('refused');
    expect(error.message).toContain('invalid_client');
    expect(error.message).not.toContain('not the secret');
  });

  test('an issuer that does not answer gives "unavailable", and discovery is tried again later', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new OidcClient(settings({ issuer: `http://127.0.0.1:${port}` }));
    const error = await failure(client.begin('/'));
    expect(error.reason).toBe('unavailable');
    expect(error.message).toContain('ECONNREFUSED');
    expect((await failure(client.begin('/'))).reason).toBe('unavailable');
  });

  test('a discovery document for another issuer is refused', async () => {
    // The provider's document says issuer http://127.0.0.1:PORT; reached as localhost it is not that issuer.
    const client = new OidcClient(settings({ issuer: provider.issuer.replace('127.0.0.1', 'localhost') }));
    const error = await failure(client.begin('/'));
    expect(error.reason).toBe('unavailable');
    expect(error.message).toContain('discovered metadata issuer does not match the expected issuer');
  });
});
