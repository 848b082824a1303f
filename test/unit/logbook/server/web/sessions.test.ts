/**
 * Sign-in, sessions, cookie flags and CSRF through app.inject() on the real app (SQLite metadata, scrypt
 * password hashes): what a browser would see, without a browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInsight } from '../../../../../host/server/insight.js';
import { sanitizerScan } from '../../../../../host/server/scan.js';
import { buildApp } from '../../../../../logbook/server/app.js';
import { SIGN_IN_FAILED } from '../../../../../logbook/server/web/pages/sign-in.js';
import { MAX_FAILURES_PER_NAME } from '../../../../../logbook/server/web/sign-in-limit.js';
import { setCookies, startWebServer, type WebTestServer } from '../../../../helpers/web.js';

const PASSWORD = 'correct horse battery';

/** GETs /signin and returns the pre-session cookie and the form's CSRF value. */
async function signInForm(server: WebTestServer): Promise<{ cookie: string; csrf: string }> {
  const res = await server.app.inject({ method: 'GET', url: '/signin' });
  const pre = setCookies(res.headers).get('vml_presession') ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? '';
  return { cookie: `vml_presession=${pre}`, csrf };
}

async function postSignIn(server: WebTestServer, name: string, password: string, csrf?: string) {
  const form = await signInForm(server);
  return server.app.inject({
    method: 'POST',
    url: '/signin',
    headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ name, password, csrf: csrf ?? form.csrf, next: '/tokens' }).toString(),
  });
}

describe('web sessions', () => {
  let server: WebTestServer;
  beforeAll(async () => {
    server = await startWebServer();
    await server.addUser('alice', PASSWORD);
    await server.addUser('tokenonly', 'x'.repeat(8)); // has a password; "nobody" does not exist at all
  });
  afterAll(() => server.close());

  it('a page without a session redirects to sign-in, remembering where it was going', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/entries?x=1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/signin?next=${encodeURIComponent('/entries?x=1')}`);
  });

  it('the right password sets an HttpOnly SameSite=Lax session cookie (not Secure over http) and redirects', async () => {
    const res = await postSignIn(server, 'alice', PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/tokens');
    const line = String(res.headers['set-cookie']);
    expect(line).toMatch(/^vml_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    const entries = await server.app.inject({
      method: 'GET',
      url: '/entries',
      headers: { cookie: line.split(';')[0] ?? '' },
    });
    expect(entries.statusCode).toBe(200);
    expect(entries.body).toContain('Signed in as <strong>alice</strong>');
  });

  it('an unknown user and a wrong password get the same answer', async () => {
    const unknown = await postSignIn(server, 'nobody', PASSWORD);
    const wrong = await postSignIn(server, 'tokenonly', PASSWORD);
    for (const res of [unknown, wrong]) {
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain(SIGN_IN_FAILED);
      expect(res.headers['set-cookie'] ?? '').not.toContain('vml_session');
    }
    const normal = (body: string) => body.replace(/value="[A-Za-z0-9_-]{43}"/, 'value="CSRF"');
    expect(normal(unknown.body).replace('nobody', 'tokenonly')).toBe(normal(wrong.body));
  });

  it("a sign-in without the form's CSRF value is refused", async () => {
    const res = await postSignIn(server, 'alice', PASSWORD, 'forged');
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie'] ?? '').not.toContain('vml_session');
  });

  it('a signed-in POST without the CSRF field is refused, with it accepted (sign-out)', async () => {
    const session =
      String((await postSignIn(server, 'alice', PASSWORD)).headers['set-cookie']).split(';')[0] ?? '';
    const page = await server.app.inject({ method: 'GET', url: '/entries', headers: { cookie: session } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const post = (payload: string) =>
      server.app.inject({
        method: 'POST',
        url: '/signout',
        headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      });
    expect((await post('')).statusCode).toBe(403);
    expect((await post(`csrf=${encodeURIComponent(`${csrf}x`)}`)).statusCode).toBe(403);
    const out = await post(`csrf=${encodeURIComponent(csrf)}`);
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toContain(
      'vml_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0',
    );
    // The old cookie no longer works: the session is gone from the store.
    expect(
      (await server.app.inject({ method: 'GET', url: '/entries', headers: { cookie: session } })).statusCode,
    ).toBe(303);
  });

  it('after repeated failures even the right password is refused for a while (429)', async () => {
    await server.addUser('dave', PASSWORD);
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++)
      expect((await postSignIn(server, 'dave', 'wrong')).statusCode).toBe(401);
    const res = await postSignIn(server, 'dave', PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(res.headers['set-cookie'] ?? '').not.toContain('vml_session');
  });

  it('cookies are Secure when the public URL is https', async () => {
    const app = await buildApp({
      metadata: server.metadata,
      insight: agentInsight,
      scan: sanitizerScan,
      storage: {
        location: 'none',
        namespace: () => Promise.reject(new Error('unused')),
        close: async () => {},
      },
      publicUrl: 'https://vml.example.org',
    });
    const res = await app.inject({ method: 'GET', url: '/signin' });
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
    await app.close();
  });
});
