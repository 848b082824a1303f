/**
 * The users whose homes the sanitizers look into: every account of the root's own etc/passwd (system
 * accounts and root included, whatever their home), plus each directory under home/ and root/, because a
 * CernVM often takes its users from LDAP (sssd) and they are then in no passwd file of the root.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RootUser } from './sanitizer.js';

/** Users of `root`, by home, without duplicates. */
export async function readRootUsers(root: string): Promise<RootUser[]> {
  const byHome = new Map<string, RootUser>();
  const add = (user: RootUser) => {
    if (!byHome.has(user.home)) byHome.set(user.home, user);
  };
  let passwd = '';
  try {
    passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
  } catch {
    // A root without passwd (a bare test tree) still has the homes below.
  }
  for (const line of passwd.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, , uid, , , dir] = line.split(':');
    if (!name || dir === undefined || !dir.startsWith('/')) continue;
    const home = dir.replace(/^\/+|\/+$/g, '');
    if (home.split('/').some((p) => p === '..' || p === '.')) continue;
    add({ name, uid: uid === undefined || uid === '' ? undefined : Number(uid), home });
  }
  add({ name: 'root', uid: 0, home: 'root' });
  try {
    for (const e of await readdir(join(root, 'home'), { withFileTypes: true })) {
      if (e.isDirectory()) add({ name: e.name, uid: undefined, home: `home/${e.name}` });
    }
  } catch {
    // No home/ at all.
  }
  return [...byHome.values()];
}

/** Escapes glob characters so a home path is matched literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}

/** Expands `~/` in globs to every user's home. */
export function expandHomes(globs: readonly string[], users: readonly RootUser[]): string[] {
  const out = new Set<string>();
  for (const glob of globs) {
    if (!glob.startsWith('~/')) {
      out.add(glob);
      continue;
    }
    for (const { home } of users)
      out.add(home === '' ? glob.slice(2) : `${escapeGlob(home)}/${glob.slice(2)}`);
  }
  return [...out];
}
