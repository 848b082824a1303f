/** Probes CernVM-FS repositories and reports each one: what `software list` and `software enable` share. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeRepository } from '../../software/cvmfs/probe.js';
import type { SourceFlags } from '../../software/cvmfs/source.js';
import type { CommandContext } from '../command.js';

/**
 * Emits a `software-repository` event per repository (full names), and a warning — "Repository X
 * <failure>: why" — for each one that does not answer.
 */
export async function probeAndReport(
  ctx: CommandContext,
  fqrns: readonly string[],
  source: SourceFlags,
  failure: string,
): Promise<void> {
  const tempDir = await mkdtemp(join(tmpdir(), 'vml-cvmfs-'));
  try {
    for (const fqrn of fqrns) {
      const result = await probeRepository(ctx.config.root, fqrn, source, {
        tempDir,
        signal: ctx.signal,
        onWarning: (message) => ctx.output.emit({ type: 'warning', message }),
        onDebug: (message) => ctx.output.debug(message),
      });
      ctx.output.emit({ type: 'software-repository', ...result });
      if (!result.ok) {
        ctx.output.emit({
          type: 'warning',
          message: `Repository "${fqrn}" ${failure}: ${result.message ?? ''}`,
        });
      }
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}
