/**
 * OpenID Connect sign-in (CERN SSO is Keycloak): the relying party, on openid-client. Authorization code flow
 * with PKCE; state, nonce and the PKCE verifier travel in a short-lived sealed cookie, so any of several
 * servers behind a load balancer can finish a sign-in another one began. Discovery is lazy: the server
 * starts while the issuer is down, and a sign-in then gets a clear "unavailable" page, not a 500.
 *
 * This file proves who the user is at the issuer (issuer + sub + claims); oidc-users.ts decides which local
 * user that is. Nothing here logs or returns the client secret, a code, a token or the verifier.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { VmlError } from '../../core/errors.js';

export const OIDC_LOGIN_PATH = '/auth/oidc/login';
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';
/** The cookie that carries a sign-in in progress (sealed: the browser can neither read nor forge it). */
export const OIDC_PENDING_COOKIE = 'vml_oidc';
/** How long a user may take at the provider's login page. */
export const OIDC_PENDING_SECONDS = 600;
export const OIDC_SCOPES = 'openid profile email';

/** `vml logbook serve --oidc-*` after validation. */
export interface OidcSettings {
  /** Issuer identifier, e.g. "https://auth.cern.ch/auth/realms/cern". */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where users reach this server, e.g. "https://vml.cern.ch"; the redirect URI is built from it. */
  readonly publicUrl: string;
  /** The claim that names the local user (default `preferred_username`). */
  readonly usernameClaim: string;
  /** Whether a first sign-in of an unknown name creates a (non-admin) user. */
  readonly createUsers: boolean;
  /** The button's label: "Sign in with LABEL". */
  readonly label: string;
}

/** Who the issuer says signed in: verified ID-token claims. */
export interface OidcIdentity {
  readonly issuer: string;
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A finished sign-in: who, and where they were going. */
export interface OidcSignIn {
  readonly identity: OidcIdentity;
  readonly next: string;
}

/** Why a sign-in did not succeed; `message` and `hint` are meant for the user's page. */
export type OidcFailureReason = 'unavailable' | 'refused' | 'expired' | 'bad-name' | 'no-user' | 'taken';

/** A sign-in that cannot go on. Its message names no secret. */
export class OidcFailure extends Error {
  readonly reason: OidcFailureReason;
  readonly hint: string;
  constructor(reason: OidcFailureReason, message: string, hint: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OidcFailure';
    this.reason = reason;
    this.hint = hint;
  }
}

/** HTTP status of each failure page: the issuer down is the server's trouble (503), the rest the request's. */
export const OIDC_FAILURE_STATUS: Readonly<Record<OidcFailureReason, number>> = {
  unavailable: 503,
  refused: 401,
  expired: 400,
  'bad-name': 403,
  'no-user': 403,
  taken: 403,
};

interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly expires: number;
  /** The local page to land on once signed in. */
  readonly next: string;
}

/** The relying party of one issuer. */
export class OidcClient {
  readonly settings: OidcSettings;
  readonly redirectUri: string;
  readonly #sealKey: Buffer;
  readonly #onWarning: (message: string) => void;
  #configuration: Promise<client.Configuration> | undefined;

  /** `onWarning` hears of an issuer that cannot be used (for the server's log), at start and at sign-ins. */
  constructor(settings: OidcSettings, options: { onWarning?: (message: string) => void } = {}) {
    this.settings = settings;
    this.#onWarning = options.onWarning ?? (() => {});
    this.redirectUri = `${settings.publicUrl.replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}`;
    // Every server of a deployment knows the client secret, so each derives the same sealing key from it.
    this.#sealKey = Buffer.from(hkdfSync('sha256', settings.clientSecret, 'vml-oidc', 'pending sign-in', 32));
  }

  /**
   * Fetches the issuer's discovery document once (again after a failure). Throws OidcFailure "unavailable"
   * when the issuer cannot be reached or its document is not for this issuer.
   */
  async discover(): Promise<client.Configuration> {
    this.#configuration ??= client
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        undefined,
        client.ClientSecretBasic(this.settings.clientSecret),
        {
          timeout: 10,
          ...(isLoopbackHttp(this.settings.issuer) ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .catch((error: unknown) => {
        this.#configuration = undefined;
        const message = `Cannot use the sign-in service at "${this.settings.issuer}": ${describe(error)}`;
        this.#onWarning(`${message}; OIDC sign-in fails until it answers (tried again at each sign-in)`);
        throw new OidcFailure(
          'unavailable',
          message,
          'Try again in a few minutes; if it persists, tell the administrator of this server',
          error,
        );
      });
    return this.#configuration;
  }

  /**
   * Starts a sign-in that lands on the local path `next`: the provider URL to redirect to, and the sealed
   * cookie value to set first.
   */
  async begin(next: string): Promise<{ url: string; pending: string }> {
    const configuration = await this.discover();
    const pending: Pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      expires: Date.now() + OIDC_PENDING_SECONDS * 1000,
      next,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: OIDC_SCOPES,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.toString(), pending: this.#seal(pending) };
  }

  /**
   * Finishes a sign-in from the callback's query string and the pending cookie: checks state, exchanges
   * the code (with the PKCE verifier and the client secret), validates the ID token (signature, issuer,
   * audience, expiry, nonce) and returns who signed in.
   */
  async complete(query: string, pendingCookie: string | undefined): Promise<OidcSignIn> {
    const pending = pendingCookie === undefined ? undefined : this.#unseal(pendingCookie);
    if (pending === undefined || pending.expires < Date.now()) {
      throw new OidcFailure(
        'expired',
        'Cannot finish this sign-in: it was not started in this browser, or it took too long',
        'Start again from the sign-in page',
      );
    }
    const configuration = await this.discover();
    const current = new URL(
      `${this.redirectUri}${query.startsWith('?') || query === '' ? query : `?${query}`}`,
    );
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      if (isUnreachable(error)) {
        throw new OidcFailure(
          'unavailable',
          `Cannot reach the sign-in service at "${this.settings.issuer}": ${describe(error)}`,
          'Try again in a few minutes; if it persists, tell the administrator of this server',
          error,
        );
      }
      throw new OidcFailure(
        'refused',
        `Cannot accept this sign-in from "${this.settings.issuer}": ${describe(error)}`,
        'Start again from the sign-in page; if it happens again, tell the administrator of this server',
        error,
      );
    }
    const claims = tokens.claims();
    if (claims === undefined) {
      throw new OidcFailure(
        'refused',
        'Cannot accept this sign-in: the provider sent no ID token',
        'Tell the administrator',
      );
    }
    return { identity: { issuer: claims.iss, sub: claims.sub, claims }, next: pending.next };
  }

  #seal(pending: Pending): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  // Undefined for anything not sealed by this client secret (forged, altered, truncated).
  #unseal(value: string): Pending | undefined {
    try {
      const bytes = Buffer.from(value, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as Pending;
    } catch {
      return undefined;
    }
  }
}

/**
 * Checks `--oidc-*` values: URLs that parse, an https issuer (plain http only on loopback, for tests and
 * local trials), a claim name. Throws VmlError E_USAGE.
 */
export function checkOidcSettings(settings: OidcSettings): OidcSettings {
  for (const [option, value] of [
    ['--oidc-issuer', settings.issuer],
    ['--public-url', settings.publicUrl],
  ] as const) {
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      throw new VmlError('E_USAGE', `Cannot use ${option} "${value}": expected an http(s) URL`, {
        hint:
          option === '--oidc-issuer'
            ? 'For CERN SSO: https://auth.cern.ch/auth/realms/cern'
            : 'For example https://vml.example.org',
      });
    }
  }
  if (new URL(settings.issuer).protocol !== 'https:' && !isLoopbackHttp(settings.issuer)) {
    throw new VmlError('E_USAGE', `Cannot use --oidc-issuer "${settings.issuer}": it must be https`, {
      hint: 'Plain http is accepted only for an issuer on this machine (127.0.0.1, ::1, localhost)',
    });
  }
  if (settings.clientId === '') throw new VmlError('E_USAGE', 'Cannot use an empty --oidc-client-id');
  if (settings.clientSecret === '') {
    throw new VmlError('E_USAGE', 'Cannot use an empty OIDC client secret', {
      hint: 'Put the secret from the provider on the first line of the --oidc-client-secret-file file',
    });
  }
  if (!/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(settings.usernameClaim)) {
    throw new VmlError('E_USAGE', `Cannot use --oidc-username-claim "${settings.usernameClaim}"`, {
      hint: 'Name one claim of the ID token, e.g. preferred_username or cern_upn',
    });
  }
  return settings;
}

function isLoopbackHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(hostname);
}

// openid-client wraps the precise error of its protocol layer ('unexpected JWT "aud" (audience) claim value',
// 'connect ECONNREFUSED 127.0.0.1:8443'): the innermost Error says what failed.
function innermost(error: unknown): unknown {
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  return inner;
}

// Connection refused, DNS failure, timeout, or the issuer answering 5xx.
function isUnreachable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    const status = (e as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 500) return true;
  }
  return false;
}

// Says which check failed or what the provider answered; none of these messages carries a secret.
function describe(error: unknown): string {
  const inner = innermost(error);
  if (inner instanceof client.AuthorizationResponseError || inner instanceof client.ResponseBodyError) {
    const detail = inner.error_description ? ` (${inner.error_description})` : '';
    return `the provider answered "${inner.error}"${detail}`;
  }
  if (inner instanceof client.WWWAuthenticateChallengeError) {
    const parameters = inner.cause[0]?.parameters;
    const detail = parameters?.error_description ? ` (${parameters.error_description})` : '';
    return `the provider answered "${parameters?.error ?? inner.status}"${detail}`;
  }
  return inner instanceof Error ? inner.message : String(inner);
}
