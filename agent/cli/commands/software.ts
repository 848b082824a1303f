/** vml-agent software: CernVM-FS repositories (list) and offline copies of their software (preload). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VmlError } from '../../../core/errors.js';
import { readClientConfig, splitList } from '../../software/cvmfs/config.js';
import { preload } from '../../software/cvmfs/preload.js';
import { STATE_DIR } from '../../software/cvmfs/preload-state.js';
import { Repository } from '../../software/cvmfs/repository.js';
import { checkFqrn, resolveSource, type Source, type SourceFlags } from '../../software/cvmfs/source.js';
import type { CommandContext, CommandDefinition } from '../command.js';

/** Where `preload` writes without --into, inside the root. */
export const DEFAULT_INTO = 'var/lib/vml/software';

const collect = (value: string, previous: string[]) => [...previous, value];

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

function sourceFlags(flags: Record<string, unknown>): SourceFlags {
  return {
    servers: (flags.server as string[] | undefined) ?? [],
    publicKeys: (flags.publicKey as string[] | undefined) ?? [],
    proxy: flags.proxy as string | undefined,
  };
}

async function openRepository(ctx: CommandContext, source: Source, tempDir: string, cacheDir?: string) {
  for (const group of source.skippedProxies) {
    ctx.output.emit({
      type: 'warning',
      message: `HTTP proxy ${group.join('|')} skipped for "${source.fqrn}": proxies are not supported, going DIRECT as CVMFS_HTTP_PROXY allows`,
    });
  }
  return Repository.open({
    fqrn: source.fqrn,
    servers: source.servers,
    keys: source.keys,
    blacklist: source.blacklist,
    cacheDir,
    tempDir,
    signal: ctx.signal,
    onRetry: (message) => ctx.output.debug(message),
  });
}

async function runPreload(ctx: CommandContext, targets: string[], flags: Record<string, unknown>) {
  if (targets.length === 0) {
    throw new VmlError('E_USAGE', 'Nothing to preload', {
      hint: 'Give REPO:PATH, e.g. "vml-agent software preload sft.cern.ch:/lcg/releases/ROOT"',
    });
  }
  const revision = flags.revision === undefined ? undefined : Number(flags.revision);
  if (revision !== undefined && !(Number.isInteger(revision) && revision >= 0)) {
    throw new VmlError('E_USAGE', `Invalid revision "${String(flags.revision)}": expected a whole number`);
  }
  const into = flags.into ? String(flags.into) : join(ctx.config.root, DEFAULT_INTO);
  const byRepo = new Map<string, string[]>();
  for (const t of targets.map(parseTarget)) byRepo.set(t.fqrn, [...(byRepo.get(t.fqrn) ?? []), t.path]);
  const tempDir = await mkdtemp(join(tmpdir(), 'vml-cvmfs-'));
  try {
    for (const [fqrn, paths] of byRepo) {
      const started = Date.now();
      const source = await resolveSource(ctx.config.root, fqrn, sourceFlags(flags));
      const repo = await openRepository(ctx, source, tempDir, join(into, STATE_DIR, 'cache'));
      const result = await preload({
        repo,
        paths,
        into,
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

async function runList(ctx: CommandContext, names: string[], flags: Record<string, unknown>) {
  const config = await readClientConfig(ctx.config.root, 'default.invalid');
  const repos = names.length > 0 ? names : splitList(config.CVMFS_REPOSITORIES, ',');
  if (repos.length === 0) {
    ctx.output.emit({ type: 'info', message: 'No repositories configured (CVMFS_REPOSITORIES is empty)' });
    return;
  }
  const tempDir = await mkdtemp(join(tmpdir(), 'vml-cvmfs-'));
  try {
    for (const name of repos) {
      // Short names ("atlas") get the domain of the configured default, as the client does.
      const fqrn = name.includes('.') ? name : `${name}.${config.CVMFS_DEFAULT_DOMAIN ?? 'cern.ch'}`;
      let servers: readonly string[] = [];
      try {
        const source = await resolveSource(ctx.config.root, fqrn, sourceFlags(flags));
        servers = source.servers;
        const repo = await openRepository(ctx, source, tempDir);
        ctx.output.emit({
          type: 'software-repository',
          repository: fqrn,
          servers,
          ok: true,
          revision: repo.manifest.revision,
          published: new Date(repo.manifest.published * 1000).toISOString(),
          rootCatalog: repo.manifest.fields.C,
        });
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const message = (error as Error).message;
        ctx.output.emit({ type: 'software-repository', repository: fqrn, servers, ok: false, message });
        ctx.output.emit({ type: 'warning', message: `Repository "${fqrn}" is unavailable: ${message}` });
      }
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

export const softwareCommand: CommandDefinition = {
  name: 'software',
  summary: 'CernVM-FS software: list repositories, preload a release for offline use',
  help: `Actions:
  list [REPO…]             configured repositories (CVMFS_REPOSITORIES), each probed: revision, publish time
  preload REPO:PATH…       copy a subtree of a repository into a plain tree INTO/REPO/PATH (default
                           INTO: ROOT/${DEFAULT_INTO}): files, directories, symlinks as published, modes,
                           mtimes, xattrs, hard links. Every byte is verified against the repository's
                           signed catalogs; a re-run downloads only what changed.

Servers, keys and proxies come from ROOT/etc/cvmfs (default.conf, default.d, default.local, domain.d,
config.d): CVMFS_SERVER_URL, CVMFS_PUBLIC_KEY / CVMFS_KEYS_DIR, CVMFS_HTTP_PROXY; --server, --public-key
and --proxy override them. HTTP proxies are not supported yet: a proxy chain must allow DIRECT.

Examples:
  vml-agent software list
  vml-agent software preload sft.cern.ch:/lcg/releases/ROOT/6.32.02 --into /scratch/cvmfs
  vml-agent software preload atlas.cern.ch:/repo/sw/software/25.2/AnalysisBase/25.2.29 --revision 1234
  vml-agent software preload sft-fixture.cern.ch:/ --server http://127.0.0.1:8000/cvmfs/@fqrn@ \\
      --public-key ./sft-fixture.cern.ch.pub --dry-run`,
  configure(cmd) {
    cmd
      .argument('<action>', 'list | preload')
      .argument('[targets...]', 'REPO:PATH (preload) or REPO (list)')
      .option('--into <dir>', `where preload writes the plain tree (default ROOT/${DEFAULT_INTO})`)
      .option('--revision <n>', 'preload this repository revision (default: the newest)')
      .option(
        '--server <url>',
        'repository URL, "@fqrn@" expanded (repeatable; overrides CVMFS_SERVER_URL)',
        collect,
        [],
      )
      .option(
        '--public-key <file>',
        'master public key (repeatable; overrides CVMFS_PUBLIC_KEY)',
        collect,
        [],
      )
      .option('--proxy <chain>', 'CVMFS_HTTP_PROXY value to use, e.g. DIRECT')
      .option('-j, --jobs <n>', 'parallel downloads', '8')
      .option('-n, --dry-run', 'verify and report what preload would download; write nothing');
  },
  async run(ctx, args, flags) {
    const [action, ...rest] = args;
    if (action === 'preload') await runPreload(ctx, rest, flags);
    else if (action === 'list') await runList(ctx, rest, flags);
    else if (action === 'enable' || action === 'disable') {
      throw new VmlError('E_USAGE', `"vml-agent software ${action}" is not available yet`, {
        hint: 'Edit CVMFS_REPOSITORIES in /etc/cvmfs/default.local for now',
      });
    } else {
      throw new VmlError('E_USAGE', `Unknown action "${action ?? ''}": expected list or preload`, {
        hint: 'Run "vml-agent software --help"',
      });
    }
    return undefined;
  },
};
