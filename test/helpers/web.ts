/**
 * A real logbook server with its web interface for tests, and the steps every web test repeats: add a user
 * with a password, sign in through the real form (inject or Chromium).
 */
import type { Page } from 'playwright-core';
import { addUser } from '../../logbook/server/admin.js';
import { startTestServer, type TestServer } from './server.js';

export interface WebTestServer extends TestServer {
  /** Adds a user who signs in with `password` (admin if asked). */
  addUser(name: string, password: string, options?: { admin?: boolean }): Promise<void>;
}

export async function startWebServer(): Promise<WebTestServer> {
  const server = await startTestServer();
  return {
    ...server,
    async addUser(name, password, options = {}) {
      await addUser(server.metadata, name, { password, admin: options.admin === true });
    },
  };
}

/** Signs in through the form in Chromium and waits for the page it lands on. */
export async function signIn(page: Page, url: string, name: string, password: string): Promise<void> {
  await page.goto(`${url}/signin`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/signin')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

/** Cookie name → value from the `set-cookie` headers of an inject() response. */
export function setCookies(headers: Record<string, unknown>): Map<string, string> {
  const raw = headers['set-cookie'];
  const lines = Array.isArray(raw) ? raw.map(String) : raw === undefined ? [] : [String(raw)];
  return new Map(
    lines.map((line) => {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)] as const;
    }),
  );
}

/** Signs in through the form with inject() (no browser) and returns the `Cookie` header of the session. */
export async function injectSignIn(server: TestServer, name: string, password: string): Promise<string> {
  const form = await server.app.inject({ method: 'GET', url: '/signin' });
  const pre = setCookies(form.headers).get('vml_presession') ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const res = await server.app.inject({
    method: 'POST',
    url: '/signin',
    headers: { cookie: `vml_presession=${pre}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ name, password, csrf }).toString(),
  });
  const session = setCookies(res.headers).get('vml_session');
  if (res.statusCode !== 303 || session === undefined)
    throw new Error(`sign-in as ${name} failed: ${res.statusCode}`);
  return `vml_session=${session}`;
}
