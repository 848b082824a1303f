/**
 * TLS end to end with real openssl certificates (a private CA, a server certificate for IP 127.0.0.1):
 * `vml logbook serve --tls-cert --tls-key` as a real process; the built agent backs up and restores through
 * it with VML_CA_FILE (and reads with NODE_EXTRA_CA_CERTS instead); without either, a clear E_AUTH naming the
 * server and VML_CA_FILE; the web's cookies are `Secure` over https; bad key and certificate files are
 * refused at start. About 25 s on a busy machine.
 */

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../helpers/credentials.js';
import { makeTestCertificates, type TestCertificates } from '../../helpers/tls.js';
import { makeGuestRoot, runAgent, treeSnapshot } from '../helpers/cli.js';
import { type RunningServer, runHost, startServer, stopServer } from './helpers.js';

let T: string;
let data: string;
let root: string;
let tokenFile: string;
let certs: TestCertificates;
let server: RunningServer;

const agent = (args: string[], env: Record<string, string> = {}, rootDir = root) =>
  runAgent(
    [
      ...args,
      '--root',
      rootDir,
      '--logbook',
      server.url,
      '--entry',
      'alice/tls',
      '--token-file',
      tokenFile,
      '--json',
    ],
    { env, timeoutMs: 60_000 },
  );

/** A request over https trusting the test CA (node:https: the test process keeps its default CAs). */
function httpsRequest(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; cookies: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { ca: caPem, method: init.method ?? 'GET', headers: init.headers ?? {} };
    const req = request(`${server.url}${path}`, options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [], body }),
      );
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The attributes of cookie `name` in Set-Cookie lines, or undefined when it is not set. */
function cookieAttributes(cookies: string[], name: string): string[] | undefined {
  return cookies
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')
    .map((p) => p.trim());
}
let caPem: string;

const serve = (extra: string[]) =>
  runHost(['logbook', 'serve', '--data', data, '--listen', '127.0.0.1:0', '--json', ...extra]);

/** The message of the `exit_error` line a --json run printed on stderr. */
const failure = (result: { stderr: string }): string =>
  String(
    (
      JSON.parse(result.stderr.split('\n').find((l) => l.includes('"exit_error"')) ?? '{}') as {
        message?: string;
      }
    ).message,
  );

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-tls-it-'));
  data = join(T, 'server');
  tokenFile = join(T, 'alice.token');
  certs = await makeTestCertificates(T);
  caPem = await readFile(certs.caFile, 'utf8');
  root = await makeGuestRoot(join(T, 'root'), {
    'home/alice/analysis/run.py': 'print("fit")\n',
    'home/alice/notes.txt': 'over https\n'.repeat(300),
  });
  server = await startServer(data, 0, ['--tls-cert', certs.certFile, '--tls-key', certs.keyFile]);
  expect((await runHost(['logbook', 'user', 'add', 'alice', '--data', data])).code).toBe(0);
  const made = await runHost(['logbook', 'token', 'create', 'alice', '--output', tokenFile, '--data', data]);
  expect(made.code, made.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  if (server) await stopServer(server);
  if (T) await rm(T, { recursive: true, force: true });
});

describe('vml logbook serve --tls-cert --tls-key', () => {
  it('listens on https and says when its certificate expires', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const listening = JSON.parse(
      server
        .stdout()
        .split('\n')
        .find((l) => l.includes('server-listening')) ?? '{}',
    );
    expect(Date.parse(listening.certificateExpires) - Date.now()).toBeGreaterThan(86_400_000);
  });

  it('the agent backs up and restores through it with VML_CA_FILE', async () => {
    const env = { VML_CA_FILE: certs.caFile };
    const init = await agent(['init', '--no-config'], env);
    expect(init.code, init.stderr).toBe(0);
    const backup = await agent(['backup', '--message', 'over tls'], env);
    expect(backup.code, backup.stderr).toBe(0);
    const target = await makeGuestRoot(join(T, 'restored'));
    const restore = await agent(['restore', 'alice/tls@v1'], env, target);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );
  }, 60_000);

  it('NODE_EXTRA_CA_CERTS works as well', async () => {
    const log = await agent(['log'], { NODE_EXTRA_CA_CERTS: certs.caFile });
    expect(log.code, log.stderr).toBe(0);
    expect(log.events.filter((e) => e.type === 'version').map((e) => e.message)).toEqual(['over tls']);
  }, 30_000);

  it('without the CA: exit 12 at once, naming the server and VML_CA_FILE, not "fetch failed"', async () => {
    const started = Date.now();
    const log = await agent(['log']);
    const seconds = (Date.now() - started) / 1000;
    expect(log.code, log.stderr).toBe(12);
    expect(log.error?.error).toBe('E_AUTH');
    expect(String(log.error?.message)).toContain(
      `Cannot trust the certificate of the logbook server "127.0.0.1:${server.port}"`,
    );
    expect(String(log.error?.message)).not.toContain('fetch failed');
    expect(String(log.error?.hint)).toContain('VML_CA_FILE');
    // Not retried as a network failure (that would take 7.75 s of backoff).
    expect(seconds).toBeLessThan(7);
  }, 30_000);

  it('a missing or non-PEM VML_CA_FILE is a usage error naming the file', async () => {
    const missing = join(T, 'no-such-ca.pem');
    const absent = await agent(['log'], { VML_CA_FILE: missing });
    expect(absent.code).toBe(2);
    expect(String(absent.error?.message)).toContain(`"${missing}" (VML_CA_FILE)`);
    const der = join(T, 'ca.der');
    await run('openssl', ['x509', '-in', certs.caFile, '-outform', 'der', '-out', der]);
    const notPem = await agent(['log'], { VML_CA_FILE: der });
    expect(notPem.code).toBe(2);
    expect(String(notPem.error?.message)).toContain('holds no valid PEM certificate');
  }, 30_000);

  it('the web sets its cookies Secure over https: the sign-in form and the session', async () => {
    const passwordFile = join(T, 'carol.password');
    await writeFile(passwordFile, 'vml-test-web-pw\n', { mode: 0o600 });
    const added = await runHost([
      'logbook',
      'user',
      'add',
      'carol',
      '--password-file',
      passwordFile,
      '--data',
      data,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const form = await httpsRequest('/signin');
    expect(form.status).toBe(200);
    const pre = cookieAttributes(form.cookies, 'vml_presession');
    expect(pre).toContain('Secure');
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const signedIn = await httpsRequest('/signin', {
      method: 'POST',
      headers: {
        cookie: pre?.[0] ?? '',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ name: 'carol', password: 'vml-test-web-pw', csrf }).toString(),
    });
    expect(signedIn.status, signedIn.body).toBe(303);
    expect(cookieAttributes(signedIn.cookies, 'vml_session')).toContain('Secure');
  }, 30_000);
});

describe('vml logbook serve refuses bad TLS files at start', () => {
  /** Every base64 line of the server key: none may be printed. */
  const keyMaterial = async () =>
    (await readFile(certs.keyFile, 'utf8')).split('\n').filter((l) => l.length > 20 && !l.startsWith('-'));

  it('a key file others can read: exit 12, naming the file and its mode', async () => {
    await chmod(certs.keyFile, 0o644);
    try {
      const refused = await serve(['--tls-cert', certs.certFile, '--tls-key', certs.keyFile]);
      expect(refused.code).toBe(12);
      expect(failure(refused)).toContain(`"${certs.keyFile}" (--tls-key): its mode is 0644`);
      for (const line of await keyMaterial()) expect(refused.stdout + refused.stderr).not.toContain(line);
    } finally {
      await chmod(certs.keyFile, 0o600);
    }
  }, 30_000);

  it('a key of another certificate, a non-PEM certificate, or one half only: exit 2', async () => {
    const mismatch = await serve(['--tls-cert', certs.certFile, '--tls-key', certs.otherKeyFile]);
    expect(mismatch.code).toBe(2);
    expect(failure(mismatch)).toContain(
      `The key "${certs.otherKeyFile}" (--tls-key) does not belong to the certificate`,
    );
    const text = join(T, 'not-a-cert.txt');
    await writeFile(text, 'hello\n');
    const notPem = await serve(['--tls-cert', text, '--tls-key', certs.keyFile]);
    expect(notPem.code).toBe(2);
    expect(failure(notPem)).toContain(`"${text}" (--tls-cert) as a certificate: it is not PEM`);
    const half = await serve(['--tls-cert', certs.certFile]);
    expect(half.code).toBe(2);
    expect(failure(half)).toContain('--tls-key is missing');
    for (const line of await keyMaterial()) {
      expect(mismatch.stdout + mismatch.stderr + notPem.stdout + notPem.stderr).not.toContain(line);
    }
  }, 30_000);
});
