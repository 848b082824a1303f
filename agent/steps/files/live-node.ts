/** The metadata part of a tree node, from a live lstat: shared by capture, diff and the restore plan. */
import type { BigIntStats } from 'node:fs';
import type { TreeNode } from '../../../logbook/format/tree.js';
import type { Accounts } from './owners.js';
import { nodeType } from './scan.js';

/** A node without content ids or subtree: what the live file system says about one path. */
export function liveNode(name: string, s: BigIntStats, accounts: Accounts): TreeNode {
  return {
    name,
    type: nodeType(s),
    mode: Number(s.mode & 0o7777n),
    uid: Number(s.uid),
    gid: Number(s.gid),
    user: accounts.userName.get(Number(s.uid)),
    group: accounts.groupName.get(Number(s.gid)),
    mtime: s.mtimeNs.toString(),
    ctime: s.ctimeNs.toString(),
    inode: s.ino.toString(),
    size: s.isFile() ? Number(s.size) : undefined,
    hardlink: s.isFile() && s.nlink > 1n ? `${s.dev}:${s.ino}` : undefined,
    rdev: s.isCharacterDevice() || s.isBlockDevice() ? Number(s.rdev) : undefined,
  };
}
