/**
 * A real OpenID provider on 127.0.0.1:0 for tests: it stands in for CERN's SSO, which is Keycloak.
 *
 * This is not a mock. It runs `oidc-provider` (a certified OpenID Connect implementation, the one the
 * openid-client author tests against): real discovery document, real JWKS, real authorization endpoint with
 * its own login form (the package's development interactions), real PKCE checks, real client-secret
 * authentication at the token endpoint, real RS256-signed ID tokens. A browser or a cookie-keeping HTTP
 * client signs in exactly as a user would at Keycloak: GET the authorization URL, get the provider's login
 * page, POST the form, follow the redirects back to the relying party.
 *
 * Differences from Keycloak that tests must know: the development login form accepts any password (it
 * checks only that the login names an account here), and consent is granted automatically, as for a
 * first-party Keycloak client with "Consent required" off.
 *
 * `tamperIdTokens` is the one deliberate deviation: it makes the provider sign ID tokens whose claims lie
 * (another audience, another issuer), with its real key, so tests can show the relying party's own checks
 * refuse them — a signature alone proves nothing about who the token is for.
 */
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider, { type ProviderContext } from 'oidc-provider';
import type { CookieClient, Hop } from './cookie-client.js';

/** An account at the provider. Its login name at the form is `sub`; claims may be changed between sign-ins. */
export interface TestAccount {
  sub: string;
  preferred_username?: string;
  email?: string;
  /** Any other claim to release with the profile scope (e.g. `cern_upn`). */
  extra?: Record<string, string>;
}

export interface TestOidcProvider {
  /** "http://127.0.0.1:PORT": the issuer identifier and the base of discovery. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Accounts by sub; tests may add, remove or edit them while the provider runs. */
  readonly accounts: Map<string, TestAccount>;
  /** From now on, every ID token the token endpoint returns carries these claims instead (re-signed). */
  tamperIdTokens(claims: Record<string, unknown> | undefined): void;
  close(): Promise<void>;
}

export interface TestOidcProviderOptions {
  /** The relying party's callback, e.g. "http://127.0.0.1:PORT/auth/oidc/callback". */
  readonly redirectUri: string;
  readonly accounts: readonly TestAccount[];
  readonly clientId?: string;
}

/** Starts the provider; call close() when done. */
export async function startOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${portOf(server)}`;
  const clientId = options.clientId ?? 'vml-logbook';
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map(options.accounts.map((account) => [account.sub, { ...account }]));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  let tampered: Record<string, unknown> | undefined;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: {
      Grant: 600,
      Session: 600,
      Interaction: 600,
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 600,
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        // Read at token time, so an edit between sign-ins is what the next ID token says.
        claims: async () => ({
          sub,
          ...(account.preferred_username === undefined
            ? {}
            : { preferred_username: account.preferred_username }),
          ...(account.email === undefined ? {} : { email: account.email }),
          ...account.extra,
        }),
      };
    },
    // Keycloak releases claims of requested scopes in the ID token, not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    loadExistingGrant: autoConsent,
  });
  provider.use(async (ctx, next) => {
    await next();
    if (tampered && ctx.method === 'POST' && ctx.path === '/token' && ctx.status === 200) {
      ctx.body = retamper(ctx.body, tampered, privateKey, kid);
    }
  });
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    tamperIdTokens(claims) {
      tampered = claims;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A first-party client: grant the requested OIDC scopes without a consent page.
async function autoConsent(ctx: ProviderContext) {
  const clientId = ctx.oidc.client?.clientId;
  const accountId = ctx.oidc.session?.accountId;
  if (clientId === undefined || accountId === undefined) return undefined;
  const existing = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
  if (existing) return ctx.oidc.provider.Grant.find(existing);
  const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
  grant.addOIDCScope('openid profile email');
  await grant.save();
  return grant;
}

// Rewrites the ID token of a token response with `claims` merged in, signed with the provider's own key.
function retamper(body: unknown, claims: Record<string, unknown>, key: KeyObject, kid: string): unknown {
  const response = body as { id_token?: string };
  const payloadPart = response.id_token?.split('.')[1];
  if (payloadPart === undefined) return body;
  const payload = { ...JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')), ...claims };
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url');
  const data = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(data), key);
  return { ...response, id_token: `${data}.${signature.toString('base64url')}` };
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the provider has no TCP address');
  return address.port;
}

/**
 * Signs in at the provider as a user would: opens `authorizationUrl` (the provider's login page), submits
 * its form as `login`, and follows redirects up to the relying party's callback, which is returned
 * unrequested (so a test can alter it) together with every hop.
 */
export async function loginAtProvider(
  browser: CookieClient,
  authorizationUrl: string,
  options: { readonly login: string; readonly callback: string },
): Promise<{ callbackUrl: string; loginPage: Hop }> {
  const toPage = await browser.follow(authorizationUrl, { stopAt: options.callback });
  const loginPage = toPage.at(-1);
  const action = loginPage && /<form[^>]*action="([^"]+)"/.exec(loginPage.body)?.[1];
  if (!loginPage || action === undefined)
    throw new Error(`no login form at the provider: ${loginPage?.body}`);
  const hops = await browser.follow(new URL(action, loginPage.url).toString(), {
    form: { prompt: 'login', login: options.login, password: 'any password' },
    stopAt: options.callback,
  });
  const callbackUrl = hops.at(-1)?.location;
  if (callbackUrl === undefined || !callbackUrl.startsWith(options.callback)) {
    throw new Error(`the provider did not redirect to ${options.callback}: ${hops.at(-1)?.body}`);
  }
  return { callbackUrl, loginPage };
}
