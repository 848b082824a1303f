/**
 * Publish's staging area: the private version written out, by the restore machinery, into a fresh temporary
 * directory only its creator can enter (0700), where the sanitizers may change it. Removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Output } from '../../core/events.js';
import { flattenVersion } from '../../logbook/flat-tree.js';
import type { Manifest } from '../../logbook/format/manifest.js';
import type { Logbook } from '../../logbook/logbook.js';
import { applyRestore } from '../restore/apply.js';
import { planRestore } from '../restore/plan.js';
import type { Accounts } from '../steps/files/owners.js';

export interface Staged {
  /** The staged root: the version's files, at their root-relative paths. */
  readonly root: string;
  /** Problems writing it (owners that need root, device nodes), for warnings. */
  readonly problems: readonly string[];
  /** Removes the staging directory and everything in it. */
  dispose(): Promise<void>;
}

/** Writes the files of `manifest` into a new private temporary directory (under TMPDIR). */
export async function stageVersion(
  logbook: Logbook,
  manifest: Manifest,
  options: { accounts: Accounts; output: Output; signal?: AbortSignal | undefined },
): Promise<Staged> {
  // mkdtemp makes the directory 0700: other users never see the unsanitized files.
  const dir = await mkdtemp(join(tmpdir(), 'vml-publish-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const root = join(dir, 'root');
    const plan = planRestore(new Map(), await flattenVersion(logbook, manifest.tree));
    const { problems } = await applyRestore({ root, logbook, plan, ...options });
    return { root, problems, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
