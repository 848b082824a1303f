/** The flat view of the live root, to compare with a version's (logbook/flat-tree.ts). */
import { readlink } from 'node:fs/promises';
import type { Output } from '../../core/events.js';
import type { FlatTree } from '../../logbook/flat-tree.js';
import type { Logbook } from '../../logbook/logbook.js';
import { liveNode } from '../steps/files/live-node.js';
import type { Accounts } from '../steps/files/owners.js';
import { type ScannedEntry, scanRoot } from '../steps/files/scan.js';
import type { Scope } from '../steps/files/scope.js';

/** Every path of the live root that the scope covers (as a backup would see it, without reading files). */
export async function flattenLive(
  root: string,
  options: { scope: Scope; logbook: Logbook; accounts: Accounts; output: Output },
): Promise<FlatTree> {
  const scan = await scanRoot(root, { ...options, parentTree: undefined });
  const out: FlatTree = new Map();
  const visit = async (dir: ScannedEntry) => {
    for (const child of dir.children ?? []) {
      const node = liveNode(child.name, child.stat, options.accounts);
      const target = child.stat.isSymbolicLink() ? await readlink(child.abs).catch(() => '') : undefined;
      out.set(child.rel, target === undefined ? node : { ...node, target });
      if (child.children) await visit(child);
    }
  };
  await visit(scan.root);
  return out;
}
