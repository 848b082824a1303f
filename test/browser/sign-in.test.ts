/**
 * Sign-in in real Chromium against the real server (in-process, 127.0.0.1:0): wrong password refused, the
 * right one lands on the entries page, sign-out ends the session; a page without a session goes to sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startBrowser, type TestBrowser } from '../helpers/browser.js';
import { signIn, startWebServer, type WebTestServer } from '../helpers/web.js';

describe('sign-in in Chromium', () => {
  let server: WebTestServer;
  let browser: TestBrowser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), startBrowser()]);
    await server.addUser('alice', 'alice password 1');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a page without a session goes to the sign-in form', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}/entries`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await screenshot(page, 'sign-in');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
  });

  it('refuses a wrong password, and the right one lands on the entries page', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}/signin`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Unknown user name or wrong password');
    expect(new URL(page.url()).pathname).toBe('/signin');
    await screenshot(page, 'sign-in-refused');

    await signIn(page, server.url, 'alice', 'alice password 1');
    expect(new URL(page.url()).pathname).toBe('/entries');
    expect(await page.locator('header .who').textContent()).toContain('alice');
    await screenshot(page, 'entries-signed-in');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    await page.goto(`${server.url}/entries`);
    expect(new URL(page.url()).pathname).toBe('/signin');
  });
});
