/**
 * Admin pages in real Chromium: a non-admin gets 403 on every admin page; an admin adds a user who then
 * signs in, makes them admin; storage use shows the dedup ratio of a real logbook; a gc run and a verify
 * run started from the page finish with their logs; the audit log lists what happened.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logbook } from '../../logbook/logbook.js';
import { filePath } from '../../logbook/server/api-types.js';
import { screenshot, startBrowser, type TestBrowser } from '../helpers/browser.js';
import { commit } from '../helpers/versions.js';
import { signIn, startWebServer, type WebTestServer } from '../helpers/web.js';

const ADMIN_PAGES = [
  '/admin',
  '/admin/users',
  '/admin/quotas',
  '/admin/storage',
  '/admin/jobs',
  '/admin/audit',
];

describe('admin pages in Chromium', () => {
  let server: WebTestServer;
  let browser: TestBrowser;
  let admin: Page;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), startBrowser()]);
    await server.addUser('root', 'root password 1', { admin: true });
    await server.addUser('alice', 'alice password 1');
    // alice's namespace holds a real logbook: two versions sharing most of their data (deduplicated).
    const logbook = await Logbook.init(await server.storage.namespace('alice'));
    const big = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
    await commit(logbook, 'alice/higgs', { 'a.dat': big, 'b.txt': new TextEncoder().encode('one') });
    await commit(logbook, 'alice/higgs', { 'a.dat': big, 'b.txt': new TextEncoder().encode('two') });
    admin = await browser.page();
    await signIn(admin, server.url, 'root', 'root password 1');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a non-admin gets a 403 page on every admin page, and no Admin link', async () => {
    const page = await browser.page();
    await signIn(page, server.url, 'alice', 'alice password 1');
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    for (const path of ADMIN_PAGES) {
      const res = await page.goto(`${server.url}${path}`);
      expect(res?.status(), path).toBe(403);
      expect(await page.getByRole('alert').textContent()).toBe('This page is for administrators only');
    }
    await screenshot(page, 'admin-forbidden');
  });

  it('an admin adds a user who then signs in, and makes them admin', async () => {
    await admin.goto(`${server.url}/admin`);
    await screenshot(admin, 'admin');
    await admin.getByRole('link', { name: 'Users' }).click();
    await admin.getByLabel('Name').fill('carol');
    await admin.getByLabel('Password (at least 8 characters)').fill('carol password 1');
    await admin.getByRole('button', { name: 'Add user' }).click();
    await admin.waitForURL((u) => u.pathname === '/admin/users');
    expect(await admin.getByRole('rowheader', { name: 'carol' }).count()).toBe(1);

    const carol = await browser.page();
    await signIn(carol, server.url, 'carol', 'carol password 1');
    expect(new URL(carol.url()).pathname).toBe('/entries');
    expect((await carol.goto(`${server.url}/admin`))?.status()).toBe(403);

    await admin.getByRole('button', { name: 'Make carol admin' }).click();
    await admin.waitForURL((u) => u.pathname === '/admin/users');
    await screenshot(admin, 'admin-users');
    expect((await carol.goto(`${server.url}/admin`))?.status()).toBe(200);
  });

  it('shows storage use and the dedup ratio per user', async () => {
    await admin.goto(`${server.url}/admin/storage`);
    const alice = admin.getByRole('row', { name: /^alice / });
    const cells = await alice.getByRole('cell').allTextContents();
    // entries, versions, packs, stored, logical, ratio: 2 × 200 kB of logical data stored about once.
    expect(cells.slice(0, 2)).toEqual(['1', '2']);
    const ratio = Number(cells[5]?.replace('×', ''));
    expect(ratio).toBeGreaterThan(1.5);
    expect(await admin.getByRole('row', { name: /^root / }).textContent()).toContain('no logbook yet');
    await screenshot(admin, 'admin-storage');
  });

  it('runs gc and verify on a namespace in the background and shows their logs', async () => {
    for (const [kind, label] of [
      ['gc', 'gc'],
      ['check', 'verify (check)'],
    ] as const) {
      await admin.goto(`${server.url}/admin/jobs`);
      await admin.getByLabel('Namespace').selectOption('alice');
      await admin.getByLabel('Job').selectOption(kind);
      await admin.getByRole('button', { name: 'Start' }).click();
      await admin.waitForURL((u) => u.pathname.startsWith('/admin/jobs/'));
      // The run goes on in the background: reload its page until it has ended.
      for (let i = 0; i < 100 && (await admin.locator('#job-result').textContent()) === 'running'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await admin.reload();
      }
      expect(await admin.locator('#job-result').textContent()).toBe('ok');
      const log = (await admin.locator('#job-log').textContent()) ?? '';
      expect(log).toContain(`${kind} of the namespace of "alice" started by root`);
      if (kind === 'gc') expect(log).toMatch(/marked 2 versions/);
      else expect(log).toMatch(/Done: no problems in 2 versions/);
      expect(await admin.getByRole('heading', { level: 1 }).textContent()).toBe(`${label} of alice`);
      await screenshot(admin, `admin-job-${kind}`);
    }
    await admin.goto(`${server.url}/admin/jobs`);
    expect(await admin.getByRole('row', { name: /alice root/ }).count()).toBe(2);
    await screenshot(admin, 'admin-jobs');
  });

  it('lists the audit log', async () => {
    await admin.goto(`${server.url}/admin/audit`);
    expect(await admin.getByRole('row', { name: /root user-add carol/ }).count()).toBe(1);
    expect(await admin.getByRole('row', { name: /root user-admin carol/ }).count()).toBe(1);
    await screenshot(admin, 'admin-audit');
  });

  it('sets a quota that the API then enforces, and lifts it', async () => {
    await admin.goto(`${server.url}/admin/quotas`);
    await admin.getByLabel('New quota for alice').fill('1K');
    await admin.getByRole('button', { name: 'Set' }).first().click();
    await admin.waitForURL((u) => u.pathname === '/admin/quotas');
    const row = admin.getByRole('row', { name: /^alice / });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('1.00 KiB');
    await screenshot(admin, 'admin-quotas');
    // alice's agent now cannot save a pack: the server answers 507 QUOTA.
    const token = await server.token('alice', 'full');
    const body = new Uint8Array(4096).fill(7);
    const name = createHash('sha256').update(body).digest('hex');
    const save = () =>
      fetch(`${server.url}${filePath('data', name)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body,
      });
    expect((await save()).status).toBe(507);
    await admin.getByLabel('New quota for alice').fill('none');
    await admin.getByRole('button', { name: 'Set' }).first().click();
    await admin.waitForURL((u) => u.pathname === '/admin/quotas');
    expect((await save()).status).toBe(204);
    expect((await server.metadata.listAudit()).map((a) => a.target)).toContain('alice 1.00 KiB');
  });
});
