/**
 * OIDC sign-in through the built `vml logbook serve` process: the options and their errors, a server that
 * starts (with a warning) while the issuer is down, a whole sign-in through the local OpenID provider
 * (test/helpers/oidc-provider.ts, standing in for CERN's Keycloak), and the client secret in no output.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieClient } from '../../helpers/cookie-client.js';
import { loginAtProvider, startOidcProvider, type TestOidcProvider } from '../../helpers/oidc-provider.js';
import { freePort } from '../../helpers/oidc-server.js';
import { runHost, startServer, stopServer } from './helpers.js';

let T: string;
let provider: TestOidcProvider;
let port: number;
let secretFile: string;

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-oidc-it-'));
  port = await freePort();
  provider = await startOidcProvider({
    redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`,
    accounts: [{ sub: 'e5f6', preferred_username: 'erin', email: 'erin@example.org' }],
  });
  secretFile = join(T, 'oidc-secret');
  await writeFile(secretFile, `${provider.clientSecret}\n`);
  await chmod(secretFile, 0o600);
});
afterAll(async () => {
  await provider?.close();
  await rm(T, { recursive: true, force: true });
});

function oidcArgs(issuer: string, secret = secretFile): string[] {
  return [
    '--public-url',
    `http://127.0.0.1:${port}`,
    '--oidc-issuer',
    issuer,
    '--oidc-client-id',
    provider.clientId,
    '--oidc-client-secret-file',
    secret,
    '--oidc-create-users',
  ];
}

describe('vml logbook serve --oidc-*', () => {
  it('refuses incomplete or unsafe OIDC options with exit 2 and a hint', async () => {
    const data = join(T, 'usage');
    const cases: [string[], RegExp][] = [
      [
        ['--oidc-issuer', provider.issuer, '--oidc-client-id', 'x', '--oidc-client-secret-file', secretFile],
        /--public-url/,
      ],
      [['--oidc-issuer', provider.issuer, '--public-url', 'http://127.0.0.1:1'], /client id and secret/],
      [[...oidcArgs('http://sso.example.org/realms/x')], /must be https/],
      [oidcArgs(provider.issuer, join(T, 'nope')), /ENOENT/],
    ];
    for (const [args, message] of cases) {
      const result = await runHost(['logbook', 'serve', '--data', data, '--listen', '127.0.0.1:0', ...args]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain(provider.clientSecret);
    }
  });

  it('starts while the issuer is down, warns, and answers a sign-in with a 503 page', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const server = await startServer(join(T, 'down'), port, oidcArgs(dead));
    try {
      await expect.poll(() => server.stdout(), { timeout: 15_000 }).toContain('ECONNREFUSED');
      const warning = server
        .stdout()
        .split('\n')
        .find((line) => line.includes('"warning"'));
      expect(JSON.parse(warning ?? '{}').message).toContain(`Cannot use the sign-in service at "${dead}"`);
      const page = await cookieClient().request(`${server.url}/auth/oidc/login`);
      expect(page.status).toBe(503);
      expect(page.body).toContain('Single sign-on is unavailable');
      expect((await cookieClient().request(`${server.url}/signin`)).status).toBe(200);
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    expect(`${server.stdout()}${server.stderr()}`).not.toContain(provider.clientSecret);
  });

  it('signs a new user in through the provider, and never prints the client secret', async () => {
    const data = join(T, 'up');
    const server = await startServer(data, port, oidcArgs(provider.issuer));
    try {
      const browser = cookieClient();
      const start = await browser.request(`${server.url}/auth/oidc/login`);
      const { callbackUrl } = await loginAtProvider(browser, start.location ?? '', {
        login: 'e5f6',
        callback: `${server.url}/auth/oidc/callback`,
      });
      const landed = await browser.request(callbackUrl);
      expect(landed.status).toBe(303);
      const entries = await browser.request(`${server.url}/entries`);
      expect(entries.status).toBe(200);
      expect(entries.body).toContain('Signed in as <strong>erin</strong>');
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    // The administration commands see the user the sign-in created.
    const users = await runHost(['logbook', 'user', 'list', '--data', data, '--json']);
    expect(users.events).toEqual([
      expect.objectContaining({ type: 'server-user', name: 'erin', admin: false }),
    ]);
    expect(JSON.parse(server.stdout().split('\n')[0] ?? '')).toMatchObject({ oidc: provider.issuer });
    expect(`${server.stdout()}${server.stderr()}`).not.toContain(provider.clientSecret);
  });
});
