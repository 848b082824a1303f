/** `vml-agent software preload`: copy subtrees of repositories into a plain tree and/or an alien cache. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VmlError } from '../../../core/errors.js';
import { preload } from '../../software/cvmfs/preload.js';
import { STATE_DIR } from '../../software/cvmfs/preload-state.js';
import { openSource } from '../../software/cvmfs/probe.js';
import { checkFqrn, resolveSource, type SourceFlags } from '../../software/cvmfs/source.js';
import type { CommandContext } from '../command.js';

/** Where `preload` writes without --into, inside the root. */
export const DEFAULT_INTO = 'var/lib/vml/software';

/** "atlas.cern.ch:/repo/sw", "/cvmfs/atlas.cern.ch/repo/sw" or "atlas.cern.ch" → repository and path. */
export function parseTarget(text: string): { fqrn: string; path: string } {
  const cvmfs = /^\/cvmfs\/([^/]+)(\/.*)?$/.exec(text);
  const [fqrn, rawPath] = cvmfs ? [cvmfs[1] as string, cvmfs[2] ?? '/'] : splitAt(text);
  const path = `/${rawPath.replace(/^\/+/, '')}`.replace(/\/+$/, '') || '/';
  if (path.split('/').some((part) => part === '..' || part === '.')) {
    throw new VmlError('E_USAGE', `Invalid path "${rawPath}" in "${text}": "." and ".." are not allowed`);
  }
  return { fqrn: checkFqrn(fqrn), path };
}

function splitAt(text: string): [string, string] {
  const colon = text.indexOf(':');
  return colon < 0 ? [text, '/'] : [text.slice(0, colon), text.slice(colon + 1)];
}

export async function runPreload(
  ctx: CommandContext,
  targets: readonly string[],
  flags: Record<string, unknown>,
  source: SourceFlags,
): Promise<void> {
  if (targets.length === 0) {
    throw new VmlError('E_USAGE', 'Nothing to preload', {
      hint: 'Give REPO:PATH, e.g. "vml-agent software preload sft.cern.ch:/lcg/releases/ROOT"',
    });
  }
  const revision = flags.revision === undefined ? undefined : Number(flags.revision);
  if (revision !== undefined && !(Number.isInteger(revision) && revision >= 0)) {
    throw new VmlError('E_USAGE', `Invalid revision "${String(flags.revision)}": expected a whole number`);
  }
  const alienCache = flags.alienCache ? resolve(String(flags.alienCache)) : undefined;
  // With only --alien-cache, no plain tree; the state and catalog cache stay in the default place.
  const plainTree = flags.into !== undefined || alienCache === undefined;
  const into = flags.into ? resolve(String(flags.into)) : join(ctx.config.root, DEFAULT_INTO);
  const byRepo = new Map<string, string[]>();
  for (const t of targets.map(parseTarget)) byRepo.set(t.fqrn, [...(byRepo.get(t.fqrn) ?? []), t.path]);
  const tempDir = await mkdtemp(join(tmpdir(), 'vml-cvmfs-'));
  try {
    for (const [fqrn, paths] of byRepo) {
      const started = Date.now();
      const repo = await openSource(await resolveSource(ctx.config.root, fqrn, source), {
        tempDir,
        cacheDir: join(into, STATE_DIR, 'cache'),
        seenRevisions: join(into, STATE_DIR, 'revisions.json'),
        signal: ctx.signal,
        onWarning: (message) => ctx.output.emit({ type: 'warning', message }),
        onDebug: (message) => ctx.output.debug(message),
      });
      const result = await preload({
        repo,
        paths,
        into,
        plainTree,
        alienCache,
        revision,
        jobs: flags.jobs === undefined ? 8 : Number(flags.jobs),
        dryRun: flags.dryRun === true,
        signal: ctx.signal,
        onProgress: (p) => ctx.output.emit({ type: 'progress', phase: `preloading ${fqrn}`, ...p }),
        onWarning: (message, path) => ctx.output.emit({ type: 'warning', message, path }),
      });
      const { fqrn: _, ...counts } = result;
      ctx.output.emit({
        type: 'software-preload',
        repository: fqrn,
        paths,
        dryRun: flags.dryRun === true,
        seconds: (Date.now() - started) / 1000,
        ...counts,
      });
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}
