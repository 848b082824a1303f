/**
 * Restoring the cvmfs step: the recorded configuration files are written back (atomically, keeping
 * mode and owner of files that exist), then each repository is probed; with `pin`, a repository is pinned
 * to the recorded revision (CVMFS_ROOT_HASH in config.d/REPO.local) when its root catalog still exists.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVmlError } from '../../../core/errors.js';
import { setAssignment, writeConfigFile } from '../../software/cvmfs/client-edit.js';
import { parseHash, SUFFIX } from '../../software/cvmfs/hash.js';
import { openSource, probeRepository } from '../../software/cvmfs/probe.js';
import { resolveSource } from '../../software/cvmfs/source.js';
import type { RestoreOutcome, RestoreProblem } from '../step.js';
import type { CvmfsFacts, RepositoryState } from './capture.js';

export interface CvmfsRestoreOptions {
  readonly root: string;
  readonly step: string;
  readonly facts: CvmfsFacts;
  readonly pin: boolean;
  readonly dryRun: boolean;
  readonly signal?: AbortSignal | undefined;
}

export async function restoreCvmfs(o: CvmfsRestoreOptions): Promise<RestoreOutcome> {
  const actions: string[] = [];
  const problems: RestoreProblem[] = [];
  for (const file of o.facts.files) {
    const abs = join(o.root, file.path);
    const live = await readFile(abs, 'utf8').catch(() => undefined);
    if (live !== file.text) {
      if (!o.dryRun) await writeConfigFile(abs, file.text);
      actions.push(`${live === undefined ? 'create' : 'write'} ${file.path}`);
    }
    if (file.omitted > 0) {
      problems.push({
        step: o.step,
        kind: 'configuration',
        subject: file.path,
        message: `${file.omitted} line(s) of ${file.path} looked like secrets and were not recorded`,
        hint: `Add them to ${file.path} by hand`,
      });
    }
  }
  const tempDir = await mkdtemp(join(tmpdir(), 'vml-cvmfs-step-'));
  try {
    for (const fqrn of o.facts.repositories) {
      const state = o.facts.states.find((s) => s.repository === fqrn);
      if (o.dryRun) {
        // The configuration is not written yet, so a probe now would test the old one.
        const pinned = o.pin && state?.rootHash ? ` and pin it to revision ${state.revision}` : '';
        actions.push(`probe ${fqrn}${pinned}`);
        continue;
      }
      const probe = await probeRepository(o.root, fqrn, {}, { tempDir, signal: o.signal });
      if (!probe.ok) {
        problems.push({
          step: o.step,
          kind: 'repository',
          subject: fqrn,
          message: `CernVM-FS repository "${fqrn}" does not probe: ${probe.message ?? ''}`,
          hint: `Check CVMFS_SERVER_URL and CVMFS_HTTP_PROXY, then run "vml-agent software list ${fqrn}"`,
        });
        continue;
      }
      actions.push(`probed ${fqrn}: revision ${probe.revision ?? '?'}`);
      if (o.pin && state?.rootHash && state.revision !== undefined) {
        const outcome = await pin(o, fqrn, state, tempDir);
        if ('action' in outcome) actions.push(outcome.action);
        else problems.push(outcome.problem);
      }
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  return { actions, problems };
}

/** Pins `fqrn` to the recorded root catalog if the server still has it (fetched and verified). */
async function pin(
  o: CvmfsRestoreOptions,
  fqrn: string,
  state: RepositoryState,
  tempDir: string,
): Promise<{ action: string } | { problem: RestoreProblem }> {
  const hash = state.rootHash as string;
  try {
    const repo = await openSource(await resolveSource(o.root, fqrn, {}), { tempDir, signal: o.signal });
    await repo.objects.raw(parseHash(hash, `the recorded root hash of "${fqrn}"`), SUFFIX.catalog);
  } catch (error) {
    if (o.signal?.aborted) throw error;
    const gone = isVmlError(error) && error.code === 'E_NOT_FOUND';
    return {
      problem: {
        step: o.step,
        kind: 'repository',
        subject: fqrn,
        message: gone
          ? `Cannot pin "${fqrn}" to revision ${state.revision}: its root catalog ${hash} is no longer on the server`
          : `Cannot pin "${fqrn}" to revision ${state.revision}: ${(error as Error).message}`,
        hint: gone
          ? 'The revision was garbage-collected; the repository stays at its newest revision (CVMFS_REPOSITORY_DATE can pin to the newest revision before a date, where the repository keeps its history)'
          : `Run "vml-agent software list ${fqrn}" to see whether the repository is reachable`,
      },
    };
  }
  const path = `etc/cvmfs/config.d/${fqrn}.local`;
  const abs = join(o.root, path);
  const live = await readFile(abs, 'utf8').catch(() => '');
  const text = setAssignment(live, 'CVMFS_ROOT_HASH', hash);
  if (text !== live && !o.dryRun) await writeConfigFile(abs, text);
  return { action: `pin ${fqrn} to revision ${state.revision} (CVMFS_ROOT_HASH=${hash} in ${path})` };
}
