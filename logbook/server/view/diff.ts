/**
 * The diff between two versions of an entry, as `vml-agent diff V1 V2` computes it: the same flatten and
 * compare (agent/restore/) for files, the same diffFacts for packages, releases and variables.
 */
import { compareFlat } from '../../../agent/restore/compare.js';
import { flattenVersion } from '../../../agent/restore/flatten.js';
import { diffFacts } from '../../../agent/steps/facts.js';
import type { FactChange } from '../../../agent/steps/step.js';
import type { Change } from '../../../core/events.js';
import type { NodeType } from '../../format/tree.js';
import type { Logbook, VersionRef } from '../../logbook.js';

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
  readonly facts: readonly { readonly step: string; readonly change: FactChange }[];
  readonly files: readonly FileChangeView[];
  readonly totals: Readonly<Record<Change, number>>;
}

/** What changed from `from` to `to`. */
export async function diffVersions(logbook: Logbook, from: VersionRef, to: VersionRef): Promise<DiffView> {
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
    facts: diffFacts(from.manifest.steps, to.manifest.steps),
    files,
    totals,
  };
}
