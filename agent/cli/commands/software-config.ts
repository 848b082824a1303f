/** `vml-agent software enable|disable`: edit the CernVM-FS client configuration, then probe. */
import { relative } from 'node:path';
import { VmlError } from '../../../core/errors.js';
import { parseQuota, planClientEdit, writeConfigFile } from '../../software/cvmfs/client-edit.js';
import { fullName } from '../../software/cvmfs/probe.js';
import { proxyChainProblem } from '../../software/cvmfs/proxy.js';
import type { SourceFlags } from '../../software/cvmfs/source.js';
import { unifiedDiff } from '../../software/cvmfs/text-diff.js';
import type { CommandContext } from '../command.js';
import { probeAndReport } from './software-probe.js';

const NAME = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/i;

/** Edits default.local for `action` on `names`, then probes the enabled repositories. */
export async function runConfigEdit(
  ctx: CommandContext,
  action: 'enable' | 'disable',
  names: readonly string[],
  flags: Record<string, unknown>,
  source: SourceFlags,
): Promise<void> {
  for (const name of names) {
    if (!NAME.test(name)) {
      throw new VmlError(
        'E_USAGE',
        `Invalid repository name "${name}": expected a name like "atlas.cern.ch"`,
      );
    }
  }
  const proxy = flags.proxy === undefined ? undefined : String(flags.proxy);
  const problem = proxy === undefined ? undefined : proxyChainProblem(proxy);
  if (problem !== undefined) {
    throw new VmlError('E_USAGE', `Invalid --proxy "${proxy}": ${problem}`, {
      hint: 'Write it as CVMFS_HTTP_PROXY takes it, e.g. "http://squid1:3128|http://squid2:3128;DIRECT"',
    });
  }
  const quota = flags.quota === undefined ? undefined : parseQuota(String(flags.quota));
  if (flags.quota !== undefined && quota === undefined) {
    throw new VmlError(
      'E_USAGE',
      `Invalid --quota "${String(flags.quota)}": expected megabytes like 20000, a size like 20GB, or -1`,
    );
  }
  if (names.length === 0 && proxy === undefined && quota === undefined) {
    throw new VmlError('E_USAGE', `Nothing to ${action}`, {
      hint: `Name repositories, e.g. "vml-agent software ${action} atlas.cern.ch", or give --proxy or --quota`,
    });
  }
  const root = ctx.config.root;
  const dryRun = flags.dryRun === true;
  const plan = await planClientEdit(root, {
    ...(action === 'enable' ? { enable: names } : { disable: names }),
    proxy,
    quota,
  });
  const changed = plan.after !== (plan.before ?? '');
  if (changed && !dryRun) await writeConfigFile(plan.file, plan.after);
  ctx.output.emit({
    type: 'software-config',
    file: relative(root, plan.file),
    dryRun,
    changed,
    enabled: plan.enabled,
    disabled: plan.disabled,
    repositories: plan.repositories,
    diff: changed ? unifiedDiff(plan.before ?? '', plan.after) : [],
  });
  if (action === 'disable') return;
  // Probe what this command enabled or was asked to enable; a proxy or quota change probes them all.
  const probe = (names.length > 0 ? names : plan.repositories).map((n) => fullName(n, plan.defaultDomain));
  await probeAndReport(ctx, probe, { ...source, proxy: proxy ?? source.proxy }, 'does not probe');
  if (changed && !dryRun) {
    ctx.output.emit({
      type: 'info',
      message:
        'Run "cvmfs_config reload" (or "cvmfs_config setup" on a new client) for a running client to use the new configuration',
    });
  }
}
