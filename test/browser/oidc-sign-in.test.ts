/**
 * "Sign in with CERN SSO" in real Chromium: the server (in-process, 127.0.0.1) sends the browser to the
 * local OpenID provider (test/helpers/oidc-provider.ts, standing in for CERN's Keycloak), the user fills in
 * the provider's own login form, and the browser lands back on the server, signed in. Screenshots of the
 * sign-in page with its button, the provider's login page and the landing page go to test-results/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startBrowser, type TestBrowser } from '../helpers/browser.js';
import { type OidcTestServer, startOidcTestServer } from '../helpers/oidc-server.js';

describe('OIDC sign-in in Chromium', () => {
  let server: OidcTestServer;
  let browser: TestBrowser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startOidcTestServer({
        accounts: [{ sub: 'f00d', preferred_username: 'alice', email: 'alice@example.org' }],
        settings: { createUsers: true },
      }),
      startBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in through the provider and lands on the entries page', async () => {
    const page = await browser.page();
    // The provider's development login page imports a web font; this machine has no route to it.
    await page.route(/fonts\.googleapis\.com/, (route) => route.abort());
    await page.goto(`${server.url}/entries`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await screenshot(page, 'oidc-sign-in-button');
    await page.getByRole('button', { name: 'Sign in with CERN SSO' }).click();

    await page.waitForURL((u) => u.origin === server.provider.issuer);
    expect(await page.locator('h1').textContent()).toBe('Sign-in');
    await screenshot(page, 'oidc-provider-login');
    await page.locator('input[name="login"]').fill('f00d');
    await page.locator('input[name="password"]').fill('any password');
    await Promise.all([
      page.waitForURL((u) => u.origin === server.url),
      page.getByRole('button', { name: 'Sign-in' }).click(),
    ]);

    expect(new URL(page.url()).pathname).toBe('/entries');
    expect(await page.locator('header .who').textContent()).toContain('alice');
    await screenshot(page, 'oidc-signed-in');
    expect(await server.metadata.findOidcLink(server.provider.issuer, 'f00d')).toMatchObject({
      user: 'alice',
    });
  });
});
