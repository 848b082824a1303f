/**
 * Flat views of a version (root-relative path to node, parents before children) and how two flat trees
 * differ: two versions, or a version and the live root the agent flattens (agent/restore/flatten.ts). Content
 * of two version nodes is compared by chunk ids; against the live root, by size and mtime (as the stat cache
 * does): reading every live file to compare would make diff and restore as slow as a first backup.
 */
import type { Change } from '../core/events.js';
import type { TreeNode } from './format/tree.js';
import type { Logbook } from './logbook.js';

export type FlatTree = Map<string, TreeNode>;

/** Every path of a version. */
export async function flattenVersion(
  logbook: Logbook,
  treeId: string,
  prefix = '',
  out: FlatTree = new Map(),
): Promise<FlatTree> {
  for (const node of (await logbook.readTree(treeId)).nodes) {
    const rel = prefix === '' ? node.name : `${prefix}/${node.name}`;
    out.set(rel, node);
    if (node.type === 'dir' && node.subtree) await flattenVersion(logbook, node.subtree, rel, out);
  }
  return out;
}

export interface NodeChange {
  readonly change: Change;
  readonly path: string;
  readonly before: TreeNode | undefined;
  readonly after: TreeNode | undefined;
  readonly fields: readonly string[];
}

/** Changes from `before` to `after`, sorted by path. */
export function compareFlat(before: FlatTree, after: FlatTree): NodeChange[] {
  const changes: NodeChange[] = [];
  for (const [path, a] of after) {
    const b = before.get(path);
    if (!b) {
      changes.push({ change: 'added', path, before: undefined, after: a, fields: [] });
      continue;
    }
    if (b.type !== a.type) {
      changes.push({ change: 'type', path, before: b, after: a, fields: ['type'] });
      continue;
    }
    if (contentDiffers(b, a)) {
      changes.push({ change: 'modified', path, before: b, after: a, fields: ['content'] });
      continue;
    }
    const fields = metadataDiffers(b, a);
    if (fields.length > 0) changes.push({ change: 'metadata', path, before: b, after: a, fields });
  }
  for (const [path, b] of before) {
    if (!after.has(path)) changes.push({ change: 'removed', path, before: b, after: undefined, fields: [] });
  }
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

function contentDiffers(b: TreeNode, a: TreeNode): boolean {
  if (a.type === 'symlink') return a.target !== b.target;
  if (a.type === 'chardev' || a.type === 'blockdev') return a.rdev !== b.rdev;
  if (a.type !== 'file') return false;
  if (a.size !== b.size) return true;
  if (a.content && b.content) return a.content.join() !== b.content.join();
  return !sameMtime(a.mtime, b.mtime); // one side is live: trust size and mtime
}

/** Names of the metadata fields that differ. Directory mtimes are left out: writing a child changes them. */
export function metadataDiffers(b: TreeNode, a: TreeNode): string[] {
  const fields: string[] = [];
  if (a.mode !== b.mode) fields.push('mode');
  if (a.uid !== b.uid || a.gid !== b.gid) fields.push('owner');
  if (a.type !== 'dir' && a.type !== 'symlink' && !sameMtime(a.mtime, b.mtime)) fields.push('mtime');
  if (JSON.stringify(a.xattrs ?? {}) !== JSON.stringify(b.xattrs ?? {}) && a.content && b.content)
    fields.push('xattrs');
  return fields;
}

/** Restore sets times through a double, so two times within a microsecond count as equal. */
export function sameMtime(x: string, y: string): boolean {
  const d = BigInt(x) - BigInt(y);
  return d < 1000n && d > -1000n;
}
