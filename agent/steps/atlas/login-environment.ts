/**
 * Two ways to learn the variables a login shell of the owner ends up with:
 * - `login-shell`: run `bash -lc 'env -0'` with an empty environment (as `env -i HOME=… USER=…` would), as
 *   the owner when the agent is root, so the owner's scripts never run as root. Exact, but it needs the
 *   root to be the running system (`--root /`): the scripts and programs they call are the host's otherwise.
 * - `rc-files`: read the `export` lines of the files a login bash reads (/etc/profile, /etc/profile.d/*.sh,
 *   the first of ~/.bash_profile, ~/.bash_login, ~/.profile, then ~/.bashrc), expanding `$NAME` from what
 *   was read before, without running anything. For a mounted image or a test tree. It misses what the
 *   scripts compute (conditionals, `$(…)`, functions such as setupATLAS): those lines are skipped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type OwnerIds, runTool } from '../run-tool.js';
import { parseAssignment } from './shell-words.js';

/** The snippet restore writes, root-relative; rc-files reads it only when it was written for the owner. */
export const PROFILE_SNIPPET = 'etc/profile.d/vml-environment.sh';

/** The first line of the snippet names the user it is for. */
export function snippetMarker(user: string): string {
  return `# vml-environment for user: ${user}`;
}

export interface LoginUser {
  readonly user: string;
  /** Absolute home as the guest sees it. */
  readonly home: string;
  readonly ids?: OwnerIds | undefined;
}

/** Variables of `bash -l` run as `who` on the running system; throws if bash fails or times out. */
export async function loginShellVariables(who: LoginUser, timeoutMs = 30_000): Promise<Map<string, string>> {
  const env = {
    HOME: who.home,
    USER: who.user,
    LOGNAME: who.user,
    SHELL: '/bin/bash',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    TERM: 'dumb',
  };
  const result = await runTool('bash', ['-lc', 'env -0'], { env, cwd: who.home, user: who.ids, timeoutMs });
  if (result.code !== 0) {
    throw new Error(
      result.code === null
        ? `bash -l did not finish in ${timeoutMs / 1000} s`
        : `bash -l exited with ${result.code}`,
    );
  }
  const vars = new Map<string, string>();
  for (const item of result.stdout.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    // Exported shell functions (BASH_FUNC_name%%) are code, not settings.
    if (eq > 0 && !item.startsWith('BASH_FUNC_')) vars.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return vars;
}

/** Variables exported by the rc files under `root` for `who`, and the files read (root-relative). */
export async function rcFileVariables(
  root: string,
  home: string,
  who: LoginUser,
  options: { readonly withoutSnippet?: boolean } = {},
): Promise<{ variables: Map<string, string>; files: string[] }> {
  // PATH comes from the login program before any rc file runs: kept as "$PATH", so `PATH=~/bin:$PATH`
  // records (and restores) an addition to whatever PATH the restoring system has, not a PATH of ~/bin only.
  const shell = new Map<string, string>([
    ['PATH', '$PATH'],
    ['HOME', who.home],
    ['USER', who.user],
    ['LOGNAME', who.user],
  ]);
  const exported = new Set<string>(['HOME', 'USER', 'LOGNAME']);
  const files: string[] = [];
  const profileD = (await readdir(join(root, 'etc/profile.d')).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.sh'))
    .sort()
    .map((name) => `etc/profile.d/${name}`);
  const personal = ['.bash_profile', '.bash_login', '.profile'].map((f) => `${home}/${f}`);
  const candidates = ['etc/profile', ...profileD].filter(
    (f) => !(options.withoutSnippet && f === PROFILE_SNIPPET),
  );
  for (const file of candidates) await readRc(root, file, who.user, shell, exported, files);
  for (const file of personal) if (await readRc(root, file, who.user, shell, exported, files)) break;
  await readRc(root, `${home}/.bashrc`, who.user, shell, exported, files);
  const variables = new Map<string, string>();
  for (const name of exported) {
    const value = shell.get(name);
    if (value !== undefined) variables.set(name, value);
  }
  return { variables, files };
}

/** Applies one rc file's assignments; false when it does not exist (or is a snippet for another user). */
async function readRc(
  root: string,
  file: string,
  user: string,
  shell: Map<string, string>,
  exported: Set<string>,
  files: string[],
): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch {
    return false;
  }
  if (file === PROFILE_SNIPPET && !text.startsWith(`${snippetMarker(user)}\n`)) return false;
  files.push(file);
  for (const line of text.split('\n')) {
    const assignment = parseAssignment(line, shell);
    if (assignment === undefined) continue;
    if (assignment.computed)
      shell.delete(assignment.name); // unknown without running the command
    else if (assignment.value !== undefined) shell.set(assignment.name, assignment.value);
    if (assignment.exported) exported.add(assignment.name);
  }
  return true;
}
