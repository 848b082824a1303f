/**
 * The diff between two versions of an entry, as `vml-agent diff V1 V2` computes it: the same flatten and
 * compare (logbook/flat-tree.ts) for files, the same diffFacts (through the VersionInsight) for packages,
 * releases and variables.
 */

import type { Change } from '../../../core/events.js';
import { compareFlat, flattenVersion } from '../../flat-tree.js';
import type { NodeType } from '../../format/tree.js';
import type { Logbook, VersionRef } from '../../logbook.js';
import type { FactChangeView, VersionInsight } from '../version-insight.js';

export interface FileChangeView {
  readonly change: Change;
  readonly path: string;
  readonly kind: NodeType;
  readonly size: number | undefined;
  readonly oldSize: number | undefined;
  /** For `metadata`: which fields (mode, owner, mtime, xattrs). */
  readonly fields: readonly string[];
}

export interface DiffView {
  readonly from: string;
  readonly to: string;
  readonly facts: readonly FactChangeView[];
  readonly files: readonly FileChangeView[];
  readonly totals: Readonly<Record<Change, number>>;
}

/** What changed from `from` to `to`. */
export async function diffVersions(
  logbook: Logbook,
  options: { readonly from: VersionRef; readonly to: VersionRef; readonly insight: VersionInsight },
): Promise<DiffView> {
  const { from, to, insight } = options;
  const before = await flattenVersion(logbook, from.manifest.tree);
  const after = await flattenVersion(logbook, to.manifest.tree);
  const totals: Record<Change, number> = { added: 0, removed: 0, modified: 0, metadata: 0, type: 0 };
  const files = compareFlat(before, after).map((c): FileChangeView => {
    totals[c.change]++;
    return {
      change: c.change,
      path: c.path,
      kind: (c.after ?? c.before)?.type ?? 'file',
      size: c.after?.size,
      oldSize: c.before?.size,
      fields: c.fields,
    };
  });
  return {
    from: `${from.manifest.entry}@v${from.manifest.seq}`,
    to: `${to.manifest.entry}@v${to.manifest.seq}`,
    facts: insight.diffFacts(from.manifest, to.manifest),
    files,
    totals,
  };
}
