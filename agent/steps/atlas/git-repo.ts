/**
 * What the git step asks git about a checkout, and how it clones one back. Every call passes
 * `safe.directory=*`: the agent often runs as root on the owner's repositories, which git otherwise refuses
 * ("dubious ownership"). Nothing here contacts a remote except `cloneAt`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { firstLine, type OwnerIds, runTool, type ToolResult } from '../run-tool.js';

/** What the git step records of one checkout (besides its path). */
export interface GitState {
  /** The remote's URL with any user name and password removed (https), or undefined without a remote. */
  readonly remote?: string | undefined;
  readonly remoteName?: string | undefined;
  /** The checked-out branch; undefined when HEAD is detached. */
  readonly branch?: string | undefined;
  readonly commit: string;
  /** Whether a remote-tracking branch contains the commit (as of the last fetch: git is not asked online). */
  readonly onRemote: boolean;
  /** Sparse-checkout patterns, when the checkout is sparse (Athena work areas are). */
  readonly sparse?: readonly string[] | undefined;
  /** SHA-256 and size of `git diff --binary HEAD`; undefined when the work tree is clean. */
  readonly diff?: { readonly sha256: string; readonly bytes: number } | undefined;
}

/** Runs git in `dir`; throws with git's own message when it fails. */
export async function git(
  dir: string,
  args: readonly string[],
  user?: OwnerIds | undefined,
): Promise<ToolResult> {
  const result = await runTool('git', ['-c', 'safe.directory=*', '-C', dir, ...args], {
    user,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
  });
  if (result.code !== 0) throw new Error(`git ${args[0]} failed in "${dir}": ${firstLine(result.stderr)}`);
  return result;
}

const text = async (dir: string, args: readonly string[]) =>
  (await git(dir, args)).stdout.toString('utf8').trim();
const optional = (p: Promise<string>) =>
  p.then(
    (v) => (v === '' ? undefined : v),
    () => undefined,
  );

/** Reads the state of the checkout at `dir` and the patch of its uncommitted changes. */
export async function inspect(dir: string): Promise<{ state: GitState; patch: Buffer }> {
  const commit = await text(dir, ['rev-parse', 'HEAD']);
  const branch = await optional(text(dir, ['symbolic-ref', '--short', '-q', 'HEAD']));
  const upstream = branch && (await optional(text(dir, ['config', `branch.${branch}.remote`])));
  const remotes = (await text(dir, ['remote'])).split('\n').filter((r) => r !== '');
  const remoteName = upstream ?? (remotes.includes('origin') ? 'origin' : remotes[0]);
  const url = remoteName && (await optional(text(dir, ['remote', 'get-url', remoteName])));
  const containing = await text(dir, ['branch', '-r', '--contains', commit]);
  const patch = (await git(dir, ['diff', '--binary', 'HEAD'])).stdout;
  const sparse = await sparsePatterns(dir);
  return {
    state: {
      remote: url === undefined ? undefined : stripPassword(url),
      remoteName,
      branch,
      commit,
      onRemote: containing !== '',
      sparse,
      diff:
        patch.length === 0
          ? undefined
          : { sha256: createHash('sha256').update(patch).digest('hex'), bytes: patch.length },
    },
    patch,
  };
}

async function sparsePatterns(dir: string): Promise<string[] | undefined> {
  if ((await optional(text(dir, ['config', '--bool', 'core.sparseCheckout']))) !== 'true') return undefined;
  const file = await text(dir, ['rev-parse', '--git-path', 'info/sparse-checkout']);
  const content = await readFile(resolve(dir, file), 'utf8').catch(() => '');
  return content.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/**
 * A URL safe to record: https/http lose their whole user part (a token often is the user name), ssh URLs
 * their password; scp-like `git@host:path` has none.
 */
export function stripPassword(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*@)?(.*)$/i.exec(url);
  if (!match || match[2] === undefined) return url;
  const scheme = (match[1] as string).toLowerCase();
  if (scheme.startsWith('http')) return `${match[1]}${match[3]}`;
  const user = (match[2] as string).slice(0, -1).split(':')[0];
  return `${match[1]}${user}@${match[3]}`;
}

/**
 * Clones `remote` into `dir` (missing or empty), checks out `commit` on `branch` (detached without one)
 * with the recorded sparse patterns, and applies `patch`. Throws with git's message.
 */
export async function cloneAt(
  dir: string,
  state: GitState & { readonly remote: string },
  patch: Uint8Array | undefined,
  user?: OwnerIds | undefined,
): Promise<void> {
  const cloned = await runTool(
    'git',
    [
      '-c',
      'safe.directory=*',
      'clone',
      '--quiet',
      '--no-checkout',
      '--origin',
      state.remoteName ?? 'origin',
      state.remote,
      dir,
    ],
    { user, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
  );
  if (cloned.code !== 0)
    throw new Error(`git clone of "${state.remote}" failed: ${firstLine(cloned.stderr)}`);
  if (state.sparse !== undefined) {
    await git(dir, ['config', 'core.sparseCheckout', 'true'], user);
    await git(dir, ['sparse-checkout', 'set', '--no-cone', ...state.sparse], user);
  }
  if (state.branch !== undefined)
    await git(dir, ['checkout', '--quiet', '-B', state.branch, state.commit], user);
  else await git(dir, ['checkout', '--quiet', '--detach', state.commit], user);
  if (state.branch !== undefined && state.onRemote) {
    // Track the remote branch of the same name, as the original checkout most likely did.
    await git(
      dir,
      ['branch', '--quiet', `--set-upstream-to=${state.remoteName ?? 'origin'}/${state.branch}`],
      user,
    ).catch(() => undefined);
  }
  if (patch !== undefined && patch.length > 0) await applyPatch(dir, patch, user);
}

async function applyPatch(dir: string, patch: Uint8Array, user?: OwnerIds): Promise<void> {
  const result = await runTool(
    'git',
    ['-c', 'safe.directory=*', '-C', dir, 'apply', '--binary', '--whitespace=nowarn'],
    {
      user,
      input: patch,
    },
  );
  if (result.code !== 0)
    throw new Error(`git apply of the uncommitted changes failed: ${firstLine(result.stderr)}`);
}
