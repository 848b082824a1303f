/**
 * The tokens page in real Chromium: a token is made through the form, shown once, works against the API,
 * then appears only by id; revoking asks for confirmation and the API refuses the token at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHOAMI_PATH } from '../../logbook/server/api-types.js';
import { screenshot, startBrowser, type TestBrowser } from '../helpers/browser.js';
import { signIn, startWebServer, type WebTestServer } from '../helpers/web.js';

describe('tokens page in Chromium', () => {
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

  const whoami = (token: string) =>
    fetch(`${server.url}${WHOAMI_PATH}`, { headers: { authorization: `Bearer ${token}` } });

  it('creates a token shown once, lists it by id only, and revokes it after confirmation', async () => {
    const page = await browser.page();
    await signIn(page, server.url, 'alice', 'alice password 1');
    await page.goto(`${server.url}/tokens`);
    expect(await page.getByText('You have no tokens yet.').count()).toBe(1);
    await page.getByLabel('Label').fill('<script>window.hacked=1</script> vm3');
    await page.getByLabel('Entries').fill('alice/higgs-*');
    await page.getByLabel('Access').selectOption('read');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.waitForSelector('#new-token');
    const token = (await page.locator('#new-token').textContent()) ?? '';
    expect(token).toMatch(/^vml_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    await screenshot(page, 'token-created');

    const me = await whoami(token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      user: 'alice',
      scope: { entries: 'alice/higgs-*', access: 'read' },
    });

    const id = token.slice(4, 16);
    await page.goto(`${server.url}/tokens`);
    const listing = await page.content();
    expect(listing).toContain(id);
    expect(listing).not.toContain(token.slice(17));
    // The label is shown as text: the script tag neither ran nor became an element.
    expect(await page.getByRole('cell', { name: '<script>window.hacked=1</script> vm3' }).count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as { hacked?: number }).hacked)).toBeUndefined();
    await screenshot(page, 'tokens');

    await page.getByRole('link', { name: 'Revoke…' }).click();
    await page.waitForURL((u) => u.pathname === `/tokens/${id}/revoke`);
    expect((await whoami(token)).status).toBe(200); // the confirmation page revokes nothing yet
    await screenshot(page, 'token-revoke-confirm');
    await page.getByRole('button', { name: `Revoke token ${id}` }).click();
    await page.waitForURL((u) => u.pathname === '/tokens');
    expect(await page.getByRole('cell', { name: /^revoked / }).count()).toBe(1);
    expect((await whoami(token)).status).toBe(401);
    const audit = await server.metadata.listAudit();
    expect(audit.map((a) => [a.actor, a.action])).toContainEqual(['alice', 'token-revoke']);
  });

  it("cannot see or revoke another user's token", async () => {
    await server.addUser('bob', 'bob password 12');
    const bobs = await server.token('bob', 'full');
    const id = bobs.slice(4, 16);
    const page = await browser.page();
    await signIn(page, server.url, 'alice', 'alice password 1');
    const confirm = await page.goto(`${server.url}/tokens/${id}/revoke`);
    expect(confirm?.status()).toBe(404);
    expect(await page.content()).not.toContain('bob');
    expect((await whoami(bobs)).status).toBe(200);
  });
});
