/**
 * `vml-agent --token-file FILE` against a real `vml logbook serve`: the token file written by `vml logbook
 * token create --output` (0600) works for init, backup and log without VML_TOKEN; the same file made
 * readable by others is refused with exit 12 and a message that names the file and its mode, never the token.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGuestRoot, runAgent } from '../helpers/cli.js';
import { type RunningServer, runHost, startServer, stopServer } from './helpers.js';

let T: string;
let data: string;
let root: string;
let tokenFile: string;
let server: RunningServer;

const agent = (args: string[]) =>
  runAgent(
    [
      ...args,
      '--root',
      root,
      '--logbook',
      server.url,
      '--entry',
      'alice/tf',
      '--token-file',
      tokenFile,
      '--json',
    ],
    { timeoutMs: 60_000 },
  );

beforeAll(async () => {
  T = await mkdtemp(join(tmpdir(), 'vml-token-file-'));
  data = join(T, 'server');
  tokenFile = join(T, 'alice.token');
  root = await makeGuestRoot(join(T, 'root'), { 'home/alice/a.txt': 'hello\n' });
  server = await startServer(data);
  expect((await runHost(['logbook', 'user', 'add', 'alice', '--data', data])).code).toBe(0);
  const made = await runHost(['logbook', 'token', 'create', 'alice', '--output', tokenFile, '--data', data]);
  expect(made.code, made.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  if (server) await stopServer(server);
  if (T) await rm(T, { recursive: true, force: true });
});

describe('vml-agent --token-file', () => {
  it('takes the token from a 0600 file: init, backup and log work without VML_TOKEN', async () => {
    expect((await agent(['init', '--no-config'])).code).toBe(0);
    const backup = await agent(['backup', '--message', 'by token file']);
    expect(backup.code, backup.stderr).toBe(0);
    const log = await agent(['log']);
    expect(log.events.filter((e) => e.type === 'version').map((e) => e.message)).toEqual(['by token file']);
  }, 60_000);

  it('refuses the file once others can read it (exit 12), naming the file and mode but not the token', async () => {
    const token = (await readFile(tokenFile, 'utf8')).trim();
    await chmod(tokenFile, 0o644);
    try {
      const log = await agent(['log']);
      expect(log.code).toBe(12);
      expect(String(log.error?.message)).toContain(tokenFile);
      expect(String(log.error?.message)).toContain('0644');
      expect(String(log.error?.hint)).toContain('chmod 600');
      expect(log.stdout + log.stderr).not.toContain(token);
    } finally {
      await chmod(tokenFile, 0o600);
    }
  }, 60_000);
});
