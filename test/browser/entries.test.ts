/**
 * The entry and version pages in real Chromium against a real server holding versions made by the built
 * agent (an ATLAS home with a release, an RPM database and hostile file names, backed up twice over
 * http): entry list and search, history, version page (release, packages), browsing to a file and
 * downloading it byte-identical, diff, privacy (another user gets the very 404 page of an entry that does
 * not exist), escaping, a published version seen by another user with its sanitization report, the
 * publish/unpublish buttons, and delete with confirmation (audited, the public copy goes too). Screenshots of every page go to
 * test-results/screenshots/. About 20 s, most of it the two backups.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startBrowser, type TestBrowser } from '../helpers/browser.js';
import { signIn, startWebServer, type WebTestServer } from '../helpers/web.js';
import { makeAtlasRoot } from '../integration/atlas/fixture.js';
import { runAgent, writeFiles, writeRandomFile } from '../integration/helpers/cli.js';

const ENTRY = 'alice/zmumu';
const RUN = 'home/alice/analysis/ZmumuAnalysis/run';
const HOSTILE = '<img src=x onerror="window.__xss=1">.html';
const QUOTES = `a"b'c&d.txt`;
const V2_MESSAGE = 'tighter cuts <script>window.__xss=3</script>';

let T: string;
let root: string;
let server: WebTestServer;
let browser: TestBrowser;
let token: string;

const agent = (args: string[]) =>
  runAgent([...args, '--root', root, '--logbook', server.url, '--entry', ENTRY, '--json'], {
    env: { VML_TOKEN: token },
    timeoutMs: 120_000,
  });

async function backup(message: string): Promise<void> {
  const result = await agent(['backup', '--message', message]);
  expect(result.code, result.stderr).toBe(0);
}

async function signedIn(user: 'alice' | 'bob'): Promise<Page> {
  const page = await browser.page();
  await signIn(page, server.url, user, `${user}-password-for-tests`);
  return page;
}

/** The rows of the table with class `cls`, as their cells' text. */
async function rows(page: Page, cls: string): Promise<string[][]> {
  return page
    .locator(`table.${cls} tbody tr`)
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
}

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-web-entries-'));
  root = await makeAtlasRoot(join(T, 'root'), join(T, 'remote.git'));
  await writeRandomFile(join(root, RUN, 'histos.root'), 1536 * 1024);
  await writeFiles(root, {
    [`home/alice/notes/${HOSTILE}`]: '<script>window.__xss=2</script>\n',
    [`home/alice/notes/${QUOTES}`]: 'quotes\n',
  });
  server = await startWebServer();
  await server.addUser('alice', 'alice-password-for-tests');
  await server.addUser('bob', 'bob-password-for-tests');
  token = await server.token('alice');
  expect((await agent(['init', '--no-config'])).code).toBe(0);
  await backup('first cut');
  await writeFile(join(root, RUN, 'cutflow.txt'), 'pt > 27 GeV: 1234 events\n');
  await backup(V2_MESSAGE);
  browser = await startBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (T) await rm(T, { recursive: true, force: true });
});

describe('entry and version pages', () => {
  it('lists the entries with their latest version, and searches names, releases and messages', async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries`);
    const [row] = await rows(page, 'entries');
    expect(row?.slice(0, 5)).toEqual([
      ENTRY,
      '2',
      'v2',
      expect.any(String),
      expect.stringContaining('AnalysisBase 24.2.35'),
    ]);
    expect(row?.[5]).toBe(V2_MESSAGE); // shown as text, never run
    await screenshot(page, 'web-entries-list');

    for (const [query, found] of [
      ['zmu', true],
      ['analysisbase 24.2', true],
      ['first cut', true], // an older version's message
      ['no-such-thing', false],
    ] as const) {
      await page.getByLabel('Search entries').fill(query);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL((u) => u.searchParams.get('q') === query);
      expect(
        (await rows(page, 'entries')).map((r) => r[0]),
        query,
      ).toEqual(found ? [ENTRY] : []);
    }
    await screenshot(page, 'web-entries-search');
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('shows the history with reason, message, visibility and size added', async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries`);
    await page.getByRole('link', { name: ENTRY }).click();
    const history = await rows(page, 'history');
    expect(history.map((r) => [r[2], r[4], r[5], r[6]])).toEqual([
      ['v2', 'manual', V2_MESSAGE, 'private'],
      ['v1', 'manual', 'first cut', 'private'],
    ]);
    expect(history[1]?.[9]).toMatch(/MiB$/); // v1 stored the 1.5 MiB of random data
    await screenshot(page, 'web-entry-history');
  });

  it("shows a version's release and packages", async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries/alice/zmumu`);
    await page.getByRole('link', { name: 'v1', exact: true }).click();
    await expect
      .poll(() => page.locator('td.release').innerText())
      .toBe('AnalysisBase 24.2.35 (x86_64-el9-gcc13-opt)');
    expect(await page.locator('details.packages li').allInnerTexts()).toContain('vml-lib-1.4.2-3.el9.noarch');
    expect(await page.locator('section.step[data-kind="git"] pre').innerText()).toContain('MyAnalysis');
    await screenshot(page, 'web-version');
  });

  it('browses to a file and downloads it byte-identical, as an attachment', async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries/alice/zmumu/v2`);
    await page.getByRole('link', { name: 'Browse files' }).click();
    for (const dir of ['home/', 'alice/', 'analysis/', 'ZmumuAnalysis/', 'run/']) {
      await page.getByRole('link', { name: dir, exact: true }).click();
    }
    await screenshot(page, 'web-files');
    await page.getByRole('link', { name: 'histos.root', exact: true }).click();
    await screenshot(page, 'web-file');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('histos.root');
    const got = await readFile(await download.path());
    expect(got.equals(await readFile(join(root, RUN, 'histos.root')))).toBe(true);
  });

  it('shows hostile file names as text and serves such files only as downloads', async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries/alice/zmumu/v2/files/home/alice/notes/`);
    expect((await rows(page, 'files')).map((r) => r[0])).toEqual([HOSTILE, QUOTES]);
    expect(await page.locator('main img').count()).toBe(0);
    await screenshot(page, 'web-files-hostile');
    const response = await page.request.get(
      `${server.url}/entries/alice/zmumu/v2/download/home/alice/notes/${encodeURIComponent(HOSTILE)}`,
    );
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/octet-stream');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
    expect(response.headers()['content-disposition']).toBe(
      `attachment; filename="<img src=x onerror=_window.__xss=1_>.html"; filename*=UTF-8''${encodeURIComponent(HOSTILE)}`,
    );
    expect(await response.text()).toBe('<script>window.__xss=2</script>\n');
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('compares two versions picked in the history', async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries/alice/zmumu`);
    await page.getByLabel('compare from v1').check();
    await page.getByLabel('compare to v2').check();
    await page.getByRole('button', { name: 'Compare the selected versions' }).click();
    await page.waitForURL(/\/diff\?/);
    const changes = await rows(page, 'file-changes');
    expect(changes).toContainEqual(['M', `${RUN}/cutflow.txt`, 'file', expect.any(String), 'content']);
    expect(changes.map((r) => r[1])).not.toContain(`${RUN}/histos.root`);
    await screenshot(page, 'web-diff');
  });
});

describe('privacy', () => {
  const urls = [
    '/entries/alice/zmumu',
    '/entries/alice/zmumu/v1',
    '/entries/alice/zmumu/v1/files/home/alice/',
    `/entries/alice/zmumu/v1/download/${RUN}/histos.root`,
    '/entries/alice/zmumu/diff?from=v1&to=v2',
    '/entries/alice/zmumu/v1/delete',
    '/entries/alice/zmumu/delete',
  ];

  it("gives another user the same 404 page for A's entry, versions and files as for ones that never existed", async () => {
    const page = await signedIn('bob');
    const absent = await page.goto(`${server.url}/entries/alice/no-such-entry`);
    expect(absent?.status()).toBe(404);
    const absentPage = await absent?.text();
    await screenshot(page, 'web-not-found');
    for (const url of urls) {
      const response = await page.goto(`${server.url}${url}`);
      expect(response?.status(), url).toBe(404);
      expect(await response?.text(), url).toBe(absentPage);
    }
    await page.goto(`${server.url}/entries`);
    expect(await rows(page, 'entries')).toEqual([]);
    expect(await page.content()).not.toContain('zmumu');
  });

  it('gives the owner the same 404 page for versions and files that do not exist', async () => {
    const page = await signedIn('alice');
    const absent = await page.goto(`${server.url}/entries/alice/no-such-entry`);
    const absentPage = await absent?.text();
    for (const url of [
      '/entries/alice/zmumu/v9',
      '/entries/alice/zmumu/v1/files/no/such/file',
      '/entries/alice/zmumu/v1/files/home%2F..%2F..%2Fetc/',
    ]) {
      const response = await page.goto(`${server.url}${url}`);
      expect(response?.status(), url).toBe(404);
      expect(await response?.text(), url).toBe(absentPage);
    }
  });
});

describe('public versions', () => {
  it("shows another user a published version, its sanitization report and files, but none of the owner's private ones", async () => {
    const published = await agent(['publish', `${ENTRY}@v2`, '--public']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.events.find((e) => e.type === 'publish-summary')?.version).toBe(`${ENTRY}@v3`);
    const page = await signedIn('bob');
    const absentPage = await (await page.goto(`${server.url}/entries/alice/no-such-entry`))?.text();
    await page.goto(`${server.url}/entries`);
    expect((await rows(page, 'entries')).map((r) => [r[0], r[1], r[2], r[6]])).toEqual([
      [ENTRY, '1', 'v3', 'public'],
    ]);
    await page.getByRole('link', { name: ENTRY }).click();
    expect((await rows(page, 'history')).map((r) => r[2])).toEqual(['v3']);
    expect(await page.getByRole('link', { name: /Delete/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'v3', exact: true }).click();
    const report = await rows(page, 'sanitization');
    expect(report.length).toBeGreaterThan(0);
    expect(report.map((r) => r[1])).toContain('home/alice/.bashrc');
    expect(await page.content()).not.toContain('glpat-FAKE'); // the report names paths, never values
    expect(await page.locator('form[action$="publish"]').count()).toBe(0);
    await screenshot(page, 'web-public-version');
    const response = await page.request.get(
      `${server.url}/entries/alice/zmumu/v3/download/${RUN}/cutflow.txt`,
    );
    expect(await response.text()).toBe('pt > 27 GeV: 1234 events\n');
    for (const url of [
      '/entries/alice/zmumu/v1',
      '/entries/alice/zmumu/v2/files/',
      '/entries/alice/zmumu/diff?from=v2&to=v3',
    ]) {
      const r = await page.goto(`${server.url}${url}`);
      expect(r?.status(), url).toBe(404);
      expect(await r?.text(), url).toBe(absentPage);
    }
  });

  it('lets the owner unpublish and publish again with the buttons, audited', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    await alice.goto(`${server.url}/entries/alice/zmumu/v3`);
    expect(await alice.locator('td.visibility').innerText()).toContain('published for everyone');
    await alice.getByRole('button', { name: 'Unpublish' }).click();
    await alice.waitForSelector('button:text("Publish")');
    await screenshot(alice, 'web-version-unpublished');
    expect((await bob.goto(`${server.url}/entries/alice/zmumu/v3`))?.status()).toBe(404);
    await alice.getByRole('button', { name: 'Publish', exact: true }).click();
    await alice.waitForSelector('button:text("Unpublish")');
    expect((await bob.goto(`${server.url}/entries/alice/zmumu/v3`))?.status()).toBe(200);
    const audit = (await server.metadata.listAudit()).filter((a) => /publish/.test(a.action));
    expect(audit.slice(-2).map((a) => [a.actor, a.action, a.target.split(' ')[0]])).toEqual([
      ['alice', 'unpublish', `${ENTRY}@v3`],
      ['alice', 'publish', `${ENTRY}@v3`],
    ]);
  });
});

describe('delete', () => {
  it('deletes a version after confirmation, and the audit log has it', async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries/alice/zmumu/v1`);
    await page.getByRole('link', { name: 'Delete this version…' }).click();
    await screenshot(page, 'web-delete-version-confirm');
    expect(await agent(['log']).then((r) => r.events.filter((e) => e.type === 'version').length)).toBe(3);
    await page.getByRole('button', { name: 'Delete v1' }).click();
    await page.waitForURL(`${server.url}/entries/alice/zmumu`);
    expect((await rows(page, 'history')).map((r) => r[2])).toEqual(['v3', 'v2']);
    const log = await agent(['log']);
    expect(log.events.filter((e) => e.type === 'version').map((e) => e.seq)).toEqual([2, 3]);
    const audit = await server.metadata.listAudit();
    expect(audit.filter((a) => a.action === 'delete-version')).toEqual([
      expect.objectContaining({
        actor: 'alice',
        target: expect.stringMatching(/^alice\/zmumu@v1 \([0-9a-f]{8}\)$/),
      }),
    ]);
  });

  it('deletes a whole entry after confirmation', async () => {
    const page = await signedIn('alice');
    await page.goto(`${server.url}/entries/alice/zmumu`);
    await page.getByRole('link', { name: 'Delete this entry and all its versions…' }).click();
    await screenshot(page, 'web-delete-entry-confirm');
    await page.getByRole('button', { name: `Delete ${ENTRY}` }).click();
    await page.waitForURL(`${server.url}/entries`);
    expect(await rows(page, 'entries')).toEqual([]);
    const audit = await server.metadata.listAudit();
    expect(audit.filter((a) => a.action === 'delete-version').map((a) => a.target.split(' ')[0])).toEqual([
      'alice/zmumu@v1',
      'alice/zmumu@v2',
      'alice/zmumu@v3',
    ]);
    // The public copy went with it.
    expect(audit.at(-1)).toMatchObject({ actor: 'alice', action: 'unpublish' });
    const bob = await signedIn('bob');
    expect((await bob.goto(`${server.url}/entries/alice/zmumu/v3`))?.status()).toBe(404);
  });
});
