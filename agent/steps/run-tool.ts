/**
 * Runs the outside tools steps rely on (git, bash, rucio, dnf, apt-get) without a shell, with a time limit,
 * and — for the owner's tools when the agent runs as root — as the owner of the entry, so that the owner's
 * login scripts never run as root and what the tool creates belongs to the owner.
 */
import { spawn } from 'node:child_process';
import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Accounts } from './files/owners.js';

export interface ToolResult {
  /** Exit code; null when the tool was killed (time limit). */
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface ToolOptions {
  readonly cwd?: string | undefined;
  /** The whole environment of the tool (nothing is inherited when given). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly user?: OwnerIds | undefined;
  /** Killed after this long (default 2 minutes); 0 for no limit (a package transaction). */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Written to the tool's stdin (else stdin is empty). */
  readonly input?: Uint8Array | undefined;
}

/** Who to run as: numeric ids, and the home the tool gets as HOME (its config, ssh keys, credentials). */
export interface OwnerIds {
  readonly uid: number;
  readonly gid: number;
  /** Absolute path on this machine: the root joined with the owner's home. */
  readonly home: string;
  readonly name: string;
}

/** Runs `command args`; rejects only when it cannot start (ENOENT: not installed). */
export function runTool(command: string, args: readonly string[], o: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: o.cwd,
      env: o.user === undefined ? (o.env ?? process.env) : { ...(o.env ?? process.env), ...ownerEnv(o.user) },
      stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(o.user === undefined ? {} : { uid: o.user.uid, gid: o.user.gid }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    if (o.input !== undefined) child.stdin?.end(o.input);
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d; // enough for a message, bounded for a noisy tool
    });
    const limit = o.timeoutMs ?? 120_000;
    const timer = limit > 0 ? setTimeout(() => child.kill('SIGKILL'), limit) : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

/**
 * The ids to run the owner's tools as: defined only when the agent runs as root and the owner is another
 * user of the root (a non-root agent cannot switch, and is usually the owner itself).
 */
export function ownerIds(accounts: Accounts, owner: string, root: string): OwnerIds | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = accounts.userId.get(owner);
  if (uid === undefined || uid === 0) return undefined;
  const home = join(root, accounts.home.get(owner) ?? `/home/${owner}`);
  return { uid, gid: accounts.groupId.get(owner) ?? uid, home, name: owner };
}

// A tool run as the owner reads the owner's configuration, not root's (which it may not even read: git
// stops on an unreadable /root/.gitconfig).
function ownerEnv(user: OwnerIds): NodeJS.ProcessEnv {
  return { HOME: user.home, USER: user.name, LOGNAME: user.name };
}

/** Gives `path` and everything below it (not following links) to `ids`. */
export async function chownTree(path: string, ids: OwnerIds): Promise<void> {
  await lchown(path, ids.uid, ids.gid);
  const st = await lstat(path);
  if (!st.isDirectory()) return;
  for (const name of await readdir(path)) await chownTree(join(path, name), ids);
}

/** The first line of a tool's stderr, for a message (tools put their reason there). */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? 'no message'
  );
}
