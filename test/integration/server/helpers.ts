/**
 * Spawning the built host CLI (`dist/host/cli/main.js`): `vml logbook serve` as a real process and the
 * administration commands beside it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export const HOST_MAIN = join(REPO_ROOT, 'dist/host/cli/main.js');

export interface HostResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly events: ({ type: string } & Record<string, unknown>)[];
}

/** Runs `vml ARGS` to the end. */
export function runHost(args: readonly string[]): Promise<HostResult> {
  const child = spawn(process.execPath, [HOST_MAIN, ...args], { cwd: REPO_ROOT, stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
      resolve({ code, stdout, stderr, events });
    });
  });
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Everything the server wrote to stdout so far (with --json: its events, warnings included). */
  stdout(): string;
}

/**
 * Starts `vml logbook serve --data DATA --listen 127.0.0.1:PORT --json` (then `extra`, e.g. --database …)
 * and waits until it listens.
 */
export function startServer(data: string, port = 0, extra: readonly string[] = []): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    [HOST_MAIN, 'logbook', 'serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--json', ...extra],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${stderr}`)), 20_000);
    child.on('close', (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.includes('"server-listening"'));
      if (!line) return;
      clearTimeout(timer);
      const url = (JSON.parse(line) as { url: string }).url;
      resolve({ child, url, port: Number(new URL(url).port), stderr: () => stderr, stdout: () => stdout });
    });
  });
}

/** Stops a server with SIGTERM (a clean stop) or SIGKILL and waits for it to exit. */
export function stopServer(
  server: RunningServer,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      resolve(server.child.exitCode);
      return;
    }
    server.child.removeAllListeners('close');
    server.child.on('close', (code) => resolve(code));
    server.child.kill(signal);
  });
}

/** `vml logbook token create USER --scope SCOPE --data DATA`: the new token (the test fails if it cannot). */
export async function createToken(data: string, user: string, scope = 'full'): Promise<string> {
  const made = await runHost([
    'logbook',
    'token',
    'create',
    user,
    '--scope',
    scope,
    '--data',
    data,
    '--json',
  ]);
  if (made.code !== 0) throw new Error(`token create ${user} failed: ${made.stderr}`);
  return String(made.events[0]?.token);
}
