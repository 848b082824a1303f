/**
 * The real CernVM-FS fixture repository (../shared/fixtures/cvmfs, made by the CernVM-FS server tools),
 * extracted into a temporary directory and served over HTTP on 127.0.0.1 by a tiny static server that
 * counts requests. Tamper tests serve a modified copy.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export const FQRN = 'sft-fixture.cern.ch';
export const FIXTURE_DIR = resolve(REPO_ROOT, '../shared/fixtures/cvmfs');

/** One entry of expected.json `revisions[N].entries`. */
export interface ExpectedEntry {
  readonly type: 'dir' | 'file' | 'symlink';
  readonly mode: string;
  readonly size?: number;
  readonly sha256?: string;
  readonly content_hash?: string | null;
  readonly chunks?: readonly { hash: string }[];
  readonly target?: string;
  readonly hardlink_group?: number;
  readonly catalog: string;
  readonly mtime: number;
  readonly xattrs?: Record<string, string>;
}

export interface Expected {
  readonly revisions: Record<
    string,
    {
      entries: Record<string, ExpectedEntry>;
      catalogs: { hash: string; mountpoint: string }[];
    }
  >;
}

export interface Fixture {
  /** The extracted "sft-fixture.cern.ch" directory (srv/, keys/, expected.json). */
  readonly dir: string;
  readonly expected: Expected;
  readonly publicKey: string;
}

/** Extracts the fixture tarball into a fresh temporary directory; fails clearly when it is absent. */
export async function extractFixture(): Promise<Fixture> {
  const tarball = join(FIXTURE_DIR, `${FQRN}.tar.gz`);
  if (!existsSync(tarball)) {
    throw new Error(
      `The CernVM-FS fixture is missing: ${tarball} (the tests expect the "shared" directory beside the repository)`,
    );
  }
  const parent = await mkdtemp(join(tmpdir(), 'vml-cvmfs-fixture-'));
  execFileSync('tar', ['xzf', tarball, '-C', parent]);
  const dir = join(parent, FQRN);
  const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
  return { dir, expected, publicKey: join(dir, 'keys', `${FQRN}.pub`) };
}

/** A copy of the served tree, for tampering; returns its srv directory. */
export async function copyServed(fixture: Fixture): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vml-cvmfs-tamper-'));
  await cp(join(fixture.dir, 'srv'), join(dir, 'srv'), { recursive: true });
  return join(dir, 'srv');
}

export interface StaticServer {
  readonly url: string;
  /** Paths requested since the last reset (relative to the repository URL). */
  readonly requests: string[];
  bytes: number;
  /** The directory served (changeable between runs). */
  root: string;
  reset(): void;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 on a free port. */
export async function serve(root: string): Promise<StaticServer> {
  const state: StaticServer = {
    url: '',
    requests: [],
    bytes: 0,
    root,
    reset() {
      state.requests.length = 0;
      state.bytes = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] as string);
    const prefix = `/cvmfs/${FQRN}/`;
    if (path.startsWith(prefix)) state.requests.push(path.slice(prefix.length));
    const file = normalize(join(state.root, path));
    try {
      if (!file.startsWith(state.root)) throw new Error('outside');
      const body = await readFile(file);
      state.bytes += body.length;
      res.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, { url: `http://127.0.0.1:${port}/cvmfs/@fqrn@` });
}

export interface ForwardProxy {
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  /** Absolute URLs requested through the proxy since the last reset. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A real (tiny) HTTP forward proxy: it takes requests whose request line holds an absolute URL, as squid
 * does, fetches them from the origin with node:http and relays the answer. A request with a relative
 * URL is answered 400, so a client that forgot it talks to a proxy fails the test.
 */
export async function forwardProxy(): Promise<ForwardProxy> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (!/^http:\/\//.test(url)) {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    requests.push(url);
    const upstream = httpRequest(
      url,
      { headers: { ...req.headers, via: '1.1 vml-test-proxy' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502, { 'x-squid-error': 'ERR_CONNECT_FAIL 111' }).end());
    upstream.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A local port nothing listens on (bound, then released), for a dead proxy. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
