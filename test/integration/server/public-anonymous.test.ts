/**
 * Anonymous public reads by the built agent: with `vml logbook serve --public-anonymous`, `vml-agent log` and
 * `restore` at http://HOST:PORT/public work with no token at all (no VML_TOKEN*, no --token-file); without
 * the flag, and on a private namespace, the same commands fail with exit 12 and say a token is needed and
 * where to give it. About 15 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGuestRoot, runAgent, treeSnapshot } from '../helpers/cli.js';
import { type RunningServer, runHost, startServer, stopServer } from './helpers.js';

let T: string;
let data: string;
let root: string;
let tokenFile: string;
let server: RunningServer;

/** The agent as Alice (her token file) on her root. */
const alice = (args: string[]) =>
  runAgent(
    [
      ...args,
      '--root',
      root,
      '--logbook',
      server.url,
      '--entry',
      'alice/anon',
      '--token-file',
      tokenFile,
      '--json',
    ],
    { timeoutMs: 60_000 },
  );

/** The agent with no token of any kind (runAgent drops the runner's VML_* variables). */
const anonymous = (args: string[], location: string, rootDir: string) =>
  runAgent([...args, '--root', rootDir, '--logbook', location, '--json'], { timeoutMs: 60_000 });

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-anon-it-'));
  data = join(T, 'server');
  tokenFile = join(T, 'alice.token');
  root = await makeGuestRoot(join(T, 'root'), {
    'home/alice/analysis/run.py': 'print("fit")\n',
    'home/alice/analysis/README.md': '# Public analysis\n',
  });
  server = await startServer(data, 0, ['--public-anonymous']);
  expect((await runHost(['logbook', 'user', 'add', 'alice', '--data', data])).code).toBe(0);
  const made = await runHost(['logbook', 'token', 'create', 'alice', '--output', tokenFile, '--data', data]);
  expect(made.code, made.stderr).toBe(0);
  expect((await alice(['init', '--no-config'])).code).toBe(0);
  const backup = await alice(['backup', '--message', 'to share']);
  expect(backup.code, backup.stderr).toBe(0);
  const published = await alice(['publish', 'alice/anon@v1', '--public']);
  expect(published.code, published.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (server) await stopServer(server);
  if (T) await rm(T, { recursive: true, force: true });
});

describe('vml-agent without a token', () => {
  it('reads and restores a public version with --public-anonymous', async () => {
    const target = await makeGuestRoot(join(T, 'reader'));
    const log = await anonymous(['log'], `${server.url}/public`, target);
    expect(log.code, log.stderr).toBe(0);
    expect(log.events.filter((e) => e.type === 'version').map((e) => `${e.entry}@v${e.seq}`)).toEqual([
      'alice/anon@v2',
    ]);
    const restore = await anonymous(['restore', 'alice/anon@v2'], `${server.url}/public`, target);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await treeSnapshot(join(target, 'home/alice'))).toEqual(
      await treeSnapshot(join(root, 'home/alice')),
    );
  }, 60_000);

  it('a private namespace still needs a token: exit 12 with where to give it', async () => {
    const log = await anonymous(['log'], server.url, root);
    expect(log.code, log.stderr).toBe(12);
    expect(log.error?.error).toBe('E_AUTH');
    expect(String(log.error?.message)).toContain(`The logbook server "${server.url}" needs a token`);
    expect(String(log.error?.hint)).toContain('VML_TOKEN_FILE');
    expect(String(log.error?.hint)).toContain('--token-file');
  }, 30_000);

  it('without --public-anonymous, /public needs a token too', async () => {
    await stopServer(server);
    server = await startServer(data);
    const log = await anonymous(['log'], `${server.url}/public`, await makeGuestRoot(join(T, 'reader2')));
    expect(log.code, log.stderr).toBe(12);
    expect(String(log.error?.message)).toContain(`"${server.url}/public" needs a token`);
    expect(String(log.error?.hint)).toContain('--token-file');
  }, 30_000);
});
