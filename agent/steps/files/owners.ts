/**
 * User and group names of a root, read from its own /etc/passwd and /etc/group (not the host's), so a
 * mounted guest image or a test tree maps ids the way the guest does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Accounts {
  readonly userName: ReadonlyMap<number, string>;
  readonly groupName: ReadonlyMap<number, string>;
  readonly userId: ReadonlyMap<string, number>;
  readonly groupId: ReadonlyMap<string, number>;
  /** Home directory (absolute, inside the root) by user name. */
  readonly home: ReadonlyMap<string, string>;
}

async function readLines(path: string): Promise<string[][]> {
  try {
    return (await readFile(path, 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return []; // a root without passwd (a bare test tree) simply has no names
  }
}

/** Reads the accounts of `root`. */
export async function readAccounts(root: string): Promise<Accounts> {
  const users = await readLines(join(root, 'etc/passwd'));
  const groups = await readLines(join(root, 'etc/group'));
  const userName = new Map<number, string>();
  const userId = new Map<string, number>();
  const home = new Map<string, string>();
  for (const [name, , uid, , , dir] of users) {
    if (name === undefined || uid === undefined) continue;
    if (!userName.has(Number(uid))) userName.set(Number(uid), name);
    userId.set(name, Number(uid));
    if (dir) home.set(name, dir);
  }
  const groupName = new Map<number, string>();
  const groupId = new Map<string, number>();
  for (const [name, , gid] of groups) {
    if (name === undefined || gid === undefined) continue;
    if (!groupName.has(Number(gid))) groupName.set(Number(gid), name);
    groupId.set(name, Number(gid));
  }
  return { userName, groupName, userId, groupId, home };
}

/** The owner's home relative to the root: from the root's passwd, else `home/<owner>`. */
export function homeOf(accounts: Accounts, owner: string): string {
  const dir = accounts.home.get(owner) ?? `/home/${owner}`;
  return dir.replace(/^\/+|\/+$/g, '');
}
