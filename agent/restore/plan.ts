/** What a restore will do to the live root: the changes from the live state to the version, as actions. */
import type { RestoreAction } from '../../core/events.js';
import { compareFlat, type FlatTree, type NodeChange } from '../../logbook/flat-tree.js';
import type { TreeNode } from '../../logbook/format/tree.js';

export interface PlannedAction {
  readonly action: RestoreAction['action'];
  readonly path: string;
  /** The version's node (absent for removals). */
  readonly node: TreeNode | undefined;
}

export interface RestorePlan {
  /** Creations and overwrites, parents before children. */
  readonly writes: PlannedAction[];
  /** Metadata-only updates. */
  readonly metadata: PlannedAction[];
  /** Removals of live paths the version does not have, children before parents. */
  readonly removals: PlannedAction[];
  /** The version's directories by path, so restore can reset the mtime of each directory it touched. */
  readonly directories: ReadonlyMap<string, TreeNode>;
  /** Whether anything that exists now would be changed or removed (then a safety version is taken). */
  readonly destructive: boolean;
}

/**
 * Plans the restore of `version` over `live` (both limited to the recipe's scope). Live paths in `keep` are
 * never removed or overwritten: files the version keeps its own way (credentials sealed in its vault, only
 * recorded, or stored as a redacted copy), which the credentials step writes back itself when the owner's
 * identity opens the vault. A missing one is still created from the version (a redacted copy).
 */
export function planRestore(
  live: FlatTree,
  version: FlatTree,
  options: { readonly keep?: ReadonlySet<string> } = {},
): RestorePlan {
  const keep = options.keep ?? new Set<string>();
  const changes = compareFlat(live, version).filter((c) => c.change === 'added' || !keep.has(c.path));
  const writes: PlannedAction[] = [];
  const metadata: PlannedAction[] = [];
  const removals: PlannedAction[] = [];
  const rewrittenGroups = new Set<string>();
  for (const c of changes) sortChange(c, writes, metadata, removals, rewrittenGroups);
  // All names of a hard-link group are written together, so they end up as one inode again.
  const written = new Set(writes.map((w) => w.path));
  for (const [path, node] of version) {
    if (node.hardlink && rewrittenGroups.has(node.hardlink) && !written.has(path)) {
      writes.push({ action: 'overwrite', path, node });
    }
  }
  writes.sort((a, b) => (a.path < b.path ? -1 : 1));
  removals.sort((a, b) => (a.path < b.path ? 1 : -1));
  const destructive =
    removals.length > 0 || writes.some((w) => w.action === 'overwrite') || metadata.length > 0;
  const directories = new Map([...version].filter(([, n]) => n.type === 'dir'));
  return { writes, metadata, removals, directories, destructive };
}

function sortChange(
  c: NodeChange,
  writes: PlannedAction[],
  metadata: PlannedAction[],
  removals: PlannedAction[],
  groups: Set<string>,
): void {
  switch (c.change) {
    case 'added':
      writes.push({ action: 'create', path: c.path, node: c.after });
      break;
    case 'removed':
      removals.push({ action: 'remove', path: c.path, node: undefined });
      break;
    case 'metadata':
      metadata.push({ action: 'metadata', path: c.path, node: c.after });
      return;
    default:
      writes.push({ action: 'overwrite', path: c.path, node: c.after });
  }
  if (c.after?.hardlink) groups.add(c.after.hardlink);
}
