/**
 * Restore of the packages step: compare the recorded packages with the live root, install what is missing
 * or another build, remove what was added since (when asked), then read the database again: whatever is
 * still not as recorded becomes one problem per package in the restore report.
 */
import type { PackagesFacts, PackagesWith } from '../packages.js';
import type { RestoreContext, RestoreOutcome, RestoreProblem } from '../step.js';
import { aptManager } from './apt.js';
import { loadBaseline } from './baseline.js';
import { dnfManager } from './dnf.js';
import { readInstalled, readOsRelease } from './installed.js';
import type { ManagerSetup, PackageManager, PackagePlan } from './managers.js';
import { compareBuilds, evr, nevra, type Package, packageKey, sameBuild } from './package.js';
import { rpmFilesManager } from './rpm-files.js';
import { hasCommand } from './run-tool.js';
import { selector } from './selection.js';

// Problems name the step kind: the restore context does not carry the step's id.
const STEP = 'packages';

export async function restorePackages(
  ctx: RestoreContext<PackagesWith, PackagesFacts>,
): Promise<RestoreOutcome> {
  const { facts, root } = ctx;
  if (facts.format === 'none') return { actions: ['no packages were recorded'], problems: [] };
  const live = await readInstalled(root);
  if (live.format !== 'none' && live.format !== facts.format) {
    return { actions: [], problems: [crossFormat(facts, live.format)] };
  }
  // The baseline only decides what removal may touch: a baseline file that this root lacks must not stop
  // the installs.
  const baseline = ctx.with.remove
    ? await loadBaseline(ctx.with.baseline, root)
    : await loadBaseline('none', root);
  const keep = selector(baseline, ctx.with.exclude);
  const plan = planPackages(facts.packages, live.packages.filter(keep), ctx.with.remove);
  const actions = describePlan(plan, live.packages);
  if (plan.install.length === 0 && plan.remove.length === 0) {
    return { actions: [`all ${facts.packages.length} recorded packages are installed`], problems: [] };
  }
  const os = await readOsRelease(root);
  const setup: ManagerSetup = {
    root,
    dbDir: live.dbDir ?? facts.database?.replace(/\/[^/]+$/, '') ?? 'var/lib/rpm',
    repos: ctx.with.repos,
    releasever: (os ?? facts.os)?.versionId.split('.')[0] || undefined,
    output: ctx.output,
    signal: ctx.signal,
  };
  const manager = await pickManager(facts.format, ctx.with.manager, setup);
  if (manager === undefined) {
    const problems = plan.install.map((p) =>
      problem(
        p,
        `no package manager (${ctx.with.manager === 'auto' ? 'dnf, yum or rpm' : ctx.with.manager}) is installed`,
        undefined,
      ),
    );
    return { actions, problems };
  }
  try {
    actions.push(...manager.commands(plan).map((line) => `run: ${line}`));
    if (ctx.dryRun) return { actions, problems: [] };
    ctx.output.debug(`packages: ${manager.commands(plan).join('; ')}`);
    const failed = await manager.apply(plan);
    return { actions, problems: await verify(root, plan, failed, manager) };
  } finally {
    await manager.close();
  }
}

/** Installs for recorded packages that are missing or another build; removals for added ones. */
export function planPackages(
  recorded: readonly Package[],
  live: readonly Package[],
  removeAdded: boolean,
): PackagePlan {
  const liveByKey = new Map(live.map((p) => [packageKey(p), p]));
  const recordedKeys = new Set(recorded.map(packageKey));
  return {
    install: recorded.filter((p) => {
      const current = liveByKey.get(packageKey(p));
      return current === undefined || !sameBuild(current, p);
    }),
    remove: removeAdded ? live.filter((p) => !recordedKeys.has(packageKey(p))) : [],
  };
}

function describePlan(plan: PackagePlan, live: readonly Package[]): string[] {
  const liveByKey = new Map(live.map((p) => [packageKey(p), p]));
  const lines = plan.install.map((p) => {
    const current = liveByKey.get(packageKey(p));
    if (current === undefined) return `install ${nevra(p)}`;
    const verb = compareBuilds(current, p) < 0 ? 'upgrade' : 'downgrade';
    return `${verb} ${packageKey(p)} ${evr(current)} -> ${evr(p)}`;
  });
  return [...lines, ...plan.remove.map((p) => `remove ${nevra(p)} (added since the version)`)];
}

async function pickManager(
  format: PackagesFacts['format'],
  preference: PackagesWith['manager'],
  setup: ManagerSetup,
): Promise<PackageManager | undefined> {
  if (format === 'dpkg') {
    return preference === 'auto' || preference === 'apt-get' ? aptManager(setup) : undefined;
  }
  const order = preference === 'auto' ? (['dnf', 'yum', 'rpm'] as const) : [preference];
  for (const tool of order) {
    if (tool === 'apt-get' || !(await hasCommand(tool))) continue;
    return tool === 'rpm' ? rpmFilesManager(setup) : dnfManager(tool, setup);
  }
  return undefined;
}

/** After the manager ran: every recorded build not installed, every added package not removed. */
async function verify(
  root: string,
  plan: PackagePlan,
  failed: Map<Package, string>,
  manager: PackageManager,
): Promise<RestoreProblem[]> {
  const now = new Map((await readInstalled(root)).packages.map((p) => [packageKey(p), p]));
  const problems: RestoreProblem[] = [];
  for (const p of plan.install) {
    const current = now.get(packageKey(p));
    if (current !== undefined && sameBuild(current, p)) continue;
    const why =
      failed.get(p) ??
      `${manager.name} finished but ${current ? `${evr(current)} is installed` : 'it is not installed'}`;
    problems.push(problem(p, `Cannot install ${nevra(p)}: ${why}`, manager.hint(p, 'install')));
  }
  for (const p of plan.remove) {
    if (!now.has(packageKey(p))) continue;
    const why = failed.get(p) ?? `${manager.name} finished but it is still installed`;
    problems.push(problem(p, `Cannot remove ${nevra(p)}: ${why}`, manager.hint(p, 'remove')));
  }
  return problems;
}

function problem(p: Package, message: string, hint: string | undefined): RestoreProblem {
  return { step: STEP, kind: 'package', subject: nevra(p), message, hint };
}

/**
 * Debian names (libc6, python3-numpy) are not EL names (glibc, python3-numpy): recorded packages of the
 * other family are listed, not guessed.
 */
function crossFormat(facts: PackagesFacts, live: string): RestoreProblem {
  return {
    step: STEP,
    kind: 'package',
    subject: `${facts.packages.length} ${facts.format} packages`,
    message: `The version recorded ${facts.packages.length} ${facts.format} packages, but this root uses ${live}: they are not installed`,
    hint: 'See them with "vml-agent show" and install the equivalents by hand',
  };
}
