/**
 * What users type comes back as text, never as markup: token labels, user names in forms, `next=` targets,
 * on the real pages (inject(), no browser).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../../../logbook/server/admin.js';
import { injectSignIn, startWebServer, type WebTestServer } from '../../../../helpers/web.js';

const EVIL = '<script>alert(1)</script>"\'&';

describe('pages escape what users typed', () => {
  let server: WebTestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startWebServer();
    await server.addUser('alice', 'alice password 1', { admin: true });
    await createToken(server.metadata, 'alice', { label: EVIL, scope: 'read' });
    await server.metadata.audit({ actor: 'alice', action: 'delete-version', target: `alice/${EVIL}@v1` });
    cookie = await injectSignIn(server, 'alice', 'alice password 1');
  });
  afterAll(() => server.close());

  for (const url of ['/tokens', '/admin/audit']) {
    it(`${url} shows a label with <script> as text`, async () => {
      const res = await server.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
      expect(res.body).not.toContain('<script>');
    });
  }

  it('the sign-in form echoes a hostile name and next= escaped, and next= never leaves the site', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/signin?next=${encodeURIComponent(`//evil.example/${EVIL}`)}`,
    });
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('value="//evil.example/&lt;script&gt;');
    const post = await server.app.inject({
      method: 'GET',
      url: '/signin?next=//evil.example/',
      headers: { cookie },
    });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe('/');
  });

  it('a form body the server cannot read gets a 4xx page, not an internal error', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/signin',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x--',
    });
    expect(res.statusCode).toBe(415);
    expect(res.body).toContain('The server cannot read this request');
  });

  it('pages forbid framing and scripts', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/tokens', headers: { cookie } });
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
