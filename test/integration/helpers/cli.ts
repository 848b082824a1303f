/**
 * Helpers for integration tests that spawn the built `vml-agent` (dist/, from `npx tsc -p tsconfig.json`)
 * on phony guest roots, the way a user runs it: exit code, stdout, stderr and the JSON events.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/integration/helpers/cli.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The built agent; tests need `npx tsc -p tsconfig.json` first. */
export const AGENT_MAIN = join(REPO_ROOT, 'dist/agent/cli/main.js');

/** One JSON line of `--json` output (stdout) or the `exit_error` object (stderr). */
export type AgentEvent = { readonly type: string } & Record<string, unknown>;

export interface AgentResult {
  /** Exit code, or null when the process was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Parsed JSON lines of stdout (empty unless --json was given). */
  readonly events: AgentEvent[];
  /** The `exit_error` event from stderr under --json, if any. */
  readonly error: AgentEvent | undefined;
}

export interface RunOptions {
  /** Extra environment variables (VML_* of the test runner are always removed first). */
  readonly env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  /** Kills the process (SIGKILL) after this long; default 60 s. */
  readonly timeoutMs?: number;
}

/** A running agent: the child and its eventual result. */
export interface RunningAgent {
  readonly child: ChildProcess;
  readonly done: Promise<AgentResult>;
}

/** Starts `vml-agent ARGS` on the same Node as the test runner (Node 24 from node_modules). */
export function startAgent(args: readonly string[], opts: RunOptions = {}): RunningAgent {
  if (!existsSync(AGENT_MAIN))
    throw new Error(`${AGENT_MAIN} is missing: run "npx tsc -p tsconfig.json" first`);
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VML_')) env[k] = v;
  Object.assign(env, { NO_COLOR: '1' }, opts.env);
  const child = spawn(process.execPath, [AGENT_MAIN, ...args], { cwd: REPO_ROOT, env, stdio: 'pipe' });
  const done = new Promise<AgentResult>((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const json = args.includes('--json');
      const events = json ? parseJsonLines(stdout) : [];
      const error = json ? parseJsonLines(stderr).find((e) => e.type === 'exit_error') : undefined;
      resolvePromise({ code, signal, stdout, stderr, events, error });
    });
  });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  return { child, done };
}

/** Runs `vml-agent ARGS` to completion. */
export function runAgent(args: readonly string[], opts: RunOptions = {}): Promise<AgentResult> {
  return startAgent(args, opts).done;
}

function parseJsonLines(text: string): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      events.push(JSON.parse(line) as AgentEvent);
    } catch {
      // Not an event (a partial line of a killed process).
    }
  }
  return events;
}

/** The lines of `stderr` that look like a JavaScript stack trace ("    at fn (file:1:2)"). */
export function stackLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\s+at\s/.test(l));
}

/** Content of one file of a phony guest: text/bytes, or with a mode. */
export type GuestFile =
  | string
  | Uint8Array
  | { readonly content: string | Uint8Array; readonly mode?: number }
  | { readonly symlink: string };

/**
 * Writes a phony guest root: etc/passwd and etc/group with alice (1000) and bob (1001), and `files`, paths
 * relative to the root (e.g. "home/alice/a.txt"). Returns `dir`.
 */
export async function makeGuestRoot(dir: string, files: Record<string, GuestFile> = {}): Promise<string> {
  await mkdir(join(dir, 'etc'), { recursive: true });
  await writeFile(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:1001:Bob:/home/bob:/bin/bash\n',
  );
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nalice:x:1000:\nbob:x:1001:\n');
  await mkdir(join(dir, 'home/alice'), { recursive: true });
  await writeFiles(dir, files);
  return dir;
}

/** Writes (or overwrites) files below `dir`, creating directories. */
export async function writeFiles(dir: string, files: Record<string, GuestFile>): Promise<void> {
  for (const [rel, spec] of Object.entries(files)) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    if (typeof spec === 'object' && 'symlink' in spec) {
      await symlink(spec.symlink, path);
    } else if (typeof spec === 'string' || spec instanceof Uint8Array) {
      await writeFile(path, spec);
    } else {
      await writeFile(path, spec.content);
      if (spec.mode !== undefined) await chmod(path, spec.mode);
    }
  }
}

/** One entry of a tree snapshot. */
export interface SnapshotEntry {
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly mode: number;
  readonly size?: number;
  readonly sha256?: string;
  readonly target?: string;
}

/**
 * Every entry below `dir` (not `dir` itself), sorted by path: type, permission bits, and for files size
 * and SHA-256, for symlinks the target. Compare two with `expect(a).toEqual(b)`.
 */
export async function treeSnapshot(
  dir: string,
  options: { exclude?: (rel: string) => boolean } = {},
): Promise<SnapshotEntry[]> {
  const out: SnapshotEntry[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (options.exclude?.(childRel)) continue;
      const childAbs = join(abs, name);
      const st = await lstat(childAbs);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out.push({ path: childRel, type: 'dir', mode });
        await walk(childAbs, childRel);
      } else if (st.isFile()) {
        const sha256 = createHash('sha256')
          .update(await readFile(childAbs))
          .digest('hex');
        out.push({ path: childRel, type: 'file', mode, size: st.size, sha256 });
      } else if (st.isSymbolicLink()) {
        out.push({ path: childRel, type: 'symlink', mode, target: await readlink(childAbs) });
      } else {
        out.push({ path: childRel, type: 'other', mode });
      }
    }
  };
  await walk(dir, '');
  return out;
}

/** The common flags of a command on a test root and a `dir:` logbook. */
export function at(root: string, logbook: string): string[] {
  return ['--root', root, '--logbook', `dir:${logbook}`];
}

/**
 * Restores `version` into a fresh root `target` and returns the snapshot of the owner's home there, for
 * comparison with `treeSnapshot(join(source, "home/alice"))`.
 */
export async function restoreSnapshot(
  logbook: string,
  version: string,
  target: string,
  home = 'home/alice',
): Promise<{ result: AgentResult; tree: SnapshotEntry[] }> {
  await makeGuestRoot(target);
  const result = await runAgent(['restore', version, ...at(target, logbook), '--json']);
  const tree = existsSync(join(target, home)) ? await treeSnapshot(join(target, home)) : [];
  return { result, tree };
}

/** Every regular file below `dir` (recursively) with its size; empty when `dir` is missing. */
export async function filesBelow(dir: string): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(abs);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      // A running writer may rename or remove a temp file between readdir and lstat.
      const st = await lstat(join(abs, name)).catch(() => undefined);
      if (st === undefined) continue;
      if (st.isDirectory()) await walk(join(abs, name), childRel);
      else if (st.isFile()) out.push({ path: childRel, size: st.size });
    }
  };
  await walk(dir, '');
  return out;
}

/** Total bytes of the regular files below `dir`. */
export async function bytesBelow(dir: string): Promise<number> {
  return (await filesBelow(dir)).reduce((sum, f) => sum + f.size, 0);
}

/** Writes `size` bytes of random data to `path` (incompressible, never deduplicated). */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, randomFillSync(Buffer.allocUnsafe(size)));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
