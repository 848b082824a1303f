/**
 * vml-agent software: CernVM-FS repositories (list, enable, disable) and offline copies of their software
 * (preload). The actions live beside this file: software-config.ts, software-preload.ts, software-probe.ts.
 */
import { VmlError } from '../../../core/errors.js';
import { readClientConfig, splitList } from '../../software/cvmfs/config.js';
import { fullName } from '../../software/cvmfs/probe.js';
import type { SourceFlags } from '../../software/cvmfs/source.js';
import type { CommandContext, CommandDefinition } from '../command.js';
import { runConfigEdit } from './software-config.js';
import { DEFAULT_INTO, runPreload } from './software-preload.js';
import { probeAndReport } from './software-probe.js';

export { DEFAULT_INTO, parseTarget } from './software-preload.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function sourceFlags(flags: Record<string, unknown>): SourceFlags {
  return {
    servers: (flags.server as string[] | undefined) ?? [],
    publicKeys: (flags.publicKey as string[] | undefined) ?? [],
    proxy: flags.proxy as string | undefined,
  };
}

async function runList(ctx: CommandContext, names: readonly string[], flags: Record<string, unknown>) {
  const config = await readClientConfig(ctx.config.root, 'default.invalid');
  const repos = names.length > 0 ? names : splitList(config.CVMFS_REPOSITORIES, ',');
  if (repos.length === 0) {
    ctx.output.emit({ type: 'info', message: 'No repositories configured (CVMFS_REPOSITORIES is empty)' });
    return;
  }
  const fqrns = repos.map((name) => fullName(name, config.CVMFS_DEFAULT_DOMAIN));
  await probeAndReport(ctx, fqrns, sourceFlags(flags), 'is unavailable');
}

export const softwareCommand: CommandDefinition = {
  name: 'software',
  summary: 'CernVM-FS software: list and enable repositories, preload a release for offline use',
  help: `Actions:
  list [REPO…]             configured repositories (CVMFS_REPOSITORIES), each probed: revision, publish time
  enable REPO…             add the repositories to CVMFS_REPOSITORIES in ROOT/etc/cvmfs/default.local
                           (every other line is kept), then probe them; --proxy and --quota set
                           CVMFS_HTTP_PROXY and CVMFS_QUOTA_LIMIT (MB) as well
  disable REPO…            remove the repositories from CVMFS_REPOSITORIES
  preload REPO:PATH…       copy a subtree of a repository into a plain tree INTO/REPO/PATH (default
                           INTO: ROOT/${DEFAULT_INTO}) and/or, with --alien-cache DIR, into the client's
                           alien-cache layout. Every byte is verified against the repository's signed
                           catalogs; a re-run downloads only what changed.

Servers, keys and proxies come from ROOT/etc/cvmfs (default.conf, default.d, default.local, domain.d,
config.d): CVMFS_SERVER_URL, CVMFS_PUBLIC_KEY / CVMFS_KEYS_DIR, CVMFS_HTTP_PROXY (";" failover groups of
"|" load-balanced proxies, DIRECT), CVMFS_EXTERNAL_URL; --server, --public-key and --proxy override them
(for enable, --proxy is also written). A manifest older than one seen before is refused (rollback).

Examples:
  vml-agent software list
  vml-agent software enable atlas.cern.ch sft.cern.ch --proxy "http://squid:3128;DIRECT" --dry-run
  vml-agent software disable lhcb.cern.ch
  vml-agent software preload sft.cern.ch:/lcg/releases/ROOT/6.32.02 --into /scratch/cvmfs
  vml-agent software preload atlas.cern.ch:/repo/sw/software/25.2/AnalysisBase/25.2.29 --revision 1234
  vml-agent software preload sft.cern.ch:/lcg/releases/LCG_106 --alien-cache /data/cvmfs-alien
  vml-agent software preload sft-fixture.cern.ch:/ --server http://127.0.0.1:8000/cvmfs/@fqrn@ \\
      --public-key ./sft-fixture.cern.ch.pub --dry-run`,
  configure(cmd) {
    cmd
      .argument('<action>', 'list | enable | disable | preload')
      .argument('[targets...]', 'REPO:PATH (preload) or REPO (list, enable, disable)')
      .option('--into <dir>', `where preload writes the plain tree (default ROOT/${DEFAULT_INTO})`)
      .option('--alien-cache <dir>', 'preload into this alien cache (without --into: no plain tree)')
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
      .option(
        '--proxy <chain>',
        'CVMFS_HTTP_PROXY value, e.g. "http://squid:3128;DIRECT" (enable: also written)',
      )
      .option('--quota <mb>', 'enable: set CVMFS_QUOTA_LIMIT (MB, or a size like 20GB; -1 for no limit)')
      .option('-j, --jobs <n>', 'parallel downloads', '8')
      .option(
        '-n, --dry-run',
        'enable/disable: print the change as a diff; preload: report what it would download',
      );
  },
  async run(ctx, args, flags) {
    const [action, ...rest] = args;
    if (action === 'preload') await runPreload(ctx, rest, flags, sourceFlags(flags));
    else if (action === 'list') await runList(ctx, rest, flags);
    else if (action === 'enable' || action === 'disable') {
      await runConfigEdit(ctx, action, rest, flags, sourceFlags(flags));
    } else {
      throw new VmlError(
        'E_USAGE',
        `Unknown action "${action ?? ''}": expected list, enable, disable or preload`,
        {
          hint: 'Run "vml-agent software --help"',
        },
      );
    }
    return undefined;
  },
};
