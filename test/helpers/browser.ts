/**
 * Real Chromium for web tests: Debian's /usr/bin/chromium driven by playwright-core (which cannot download
 * browsers here). One browser per test file (`startBrowser()` in beforeAll), a fresh context and page per
 * test (`browser.page()`: its own cookies), and `screenshot(page, name)` into test-results/screenshots/,
 * kept as test artifacts (git-ignored).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.VML_CHROMIUM ?? '/usr/bin/chromium';
/** Where screenshots go: REPO/test-results/screenshots/NAME.png. */
export const SCREENSHOT_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../test-results/screenshots',
);

// No sandbox (tests may run as root in containers), no GPU, and nothing that phones home.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  readonly browser: Browser;
  /** A new page in a new context (no cookies shared with other pages), closed by `close()`. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async page() {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.close();
    },
  };
}

/** Saves a full-page PNG as test-results/screenshots/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}
