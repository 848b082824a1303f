/** vml-agent restore (alias checkout): bring the root back to a version, after a safety version. */
import { mkdir, stat } from 'node:fs/promises';
import { isVmlError, VmlError } from '../../../core/errors.js';
import { flattenVersion } from '../../../logbook/flat-tree.js';
import { runBackup } from '../../backup.js';
import { loadRecipe } from '../../recipes/load.js';
import { applyRestore } from '../../restore/apply.js';
import { flattenLive } from '../../restore/flatten.js';
import { planRestore } from '../../restore/plan.js';
import { writeRestoreReport } from '../../restore/report.js';
import { recordedCredentialPaths } from '../../steps/credentials.js';
import { restoreFacts } from '../../steps/facts.js';
import { homeOf, readAccounts } from '../../steps/files/owners.js';
import { scopeOf } from '../../steps/files/scope-of.js';
import type { RestoreProblem } from '../../steps/step.js';
import { defaultIdentityPath, type OpenedIdentity, openIdentity } from '../../vault/identity.js';
import { PASSPHRASE_ENV, readPassphrase } from '../../vault/passphrase.js';
import { collectWarnings } from '../../warnings/collect.js';
import { writeWarningsFile } from '../../warnings/write.js';
import type { CommandContext, CommandDefinition } from '../command.js';

export const restoreCommand: CommandDefinition = {
  name: 'restore',
  alias: 'checkout',
  summary: 'Restore a version onto the root (a safety version of what it changes is taken first)',
  help: `Makes the files in the recipe's scope equal to VERSION: writes what differs, removes what the
version does not have (only inside the recipe's scope), and sets modes, owners, times and xattrs. Before it
changes anything that exists, it backs up the current state as a new version (reason "pre-restore") and says
how to get back. A logbook that takes no new versions (a server's read-only …/public) cannot keep that
safety version: restore from it into an empty --root, or onto files it would not change. Nothing is ever written outside --root: a version with "../" names, or a live symlink that
leads out of the root, is refused. --dry-run prints the plan and changes nothing. Datasets (Rucio DIDs) are
not stored: restore lists the "rucio download" commands that bring them back, and runs them with
--fetch-datasets.

Credentials: session credentials (proxies, tickets, tokens) are never stored, and long-lived ones (grid
key, SSH keys, .netrc) are sealed in the version's vault. With the owner's identity (--identity FILE, by
default ~/.config/vml/identity.age of the entry's owner; passphrase from the terminal or
${PASSPHRASE_ENV}) they are written back with their modes and owners. Whatever cannot be brought back
is listed in the restore report with the command that makes it anew (voms-proxy-init, kinit, …), and live
credential files are never removed just because the version lacks them.

Examples:
  vml-agent restore alice/higgs-ww@v7 --dry-run
  vml-agent restore alice/higgs-ww@v7
  vml-agent restore alice/higgs-ww@3f2a9c1e --root /tmp/scratch --logbook dir:/srv/vml
  vml-agent restore alice/higgs-ww@v7 --identity ~/saved/identity.age
  vml-agent restore alice/higgs-ww@v7 --fetch-datasets   # also download the recorded Rucio datasets`,
  configure(cmd) {
    cmd
      .argument('<version>', 'ENTRY@VERSION')
      .option('--recipe <name>', "the scope to restore (default: the version's recipe)")
      .option('-n, --dry-run', 'print what would change; change nothing')
      .option('--identity <file>', "the owner's age identity that opens the credential vault")
      .option(
        '--fetch-datasets',
        'download the datasets the version recorded (runs the listed "rucio download" commands; needs rucio on PATH and a grid proxy)',
      );
  },
  async run(ctx, args, flags) {
    const dryRun = flags.dryRun === true;
    const logbook = await ctx.openLogbook();
    // A shared lock keeps gc from removing packs while they are read (the safety backup takes its own).
    const lock = await logbook.lock({
      exclusive: false,
      purpose: 'restore',
      onStale: (message) => ctx.output.emit({ type: 'warning', message }),
    });
    try {
      const version = await logbook.resolve(args[0] as string);
      const name = `${version.manifest.entry}@v${version.manifest.seq}`;
      const recipe = await loadRecipe(ctx.config.recipe ?? version.manifest.recipe.name, {
        dirs: ctx.config.recipeDirs,
      });
      const root = ctx.config.root;
      await mkdir(root, { recursive: true });
      const accounts = await readAccounts(root);
      const scope = scopeOf(recipe, accounts, version.manifest.entry);
      const live = await flattenLive(root, { scope, logbook, accounts, output: ctx.output });
      const plan = planRestore(live, await flattenVersion(logbook, version.manifest.tree), {
        keep: recordedCredentialPaths(version.manifest),
      });
      for (const a of [...plan.removals, ...plan.writes, ...plan.metadata]) {
        ctx.output.emit({
          type: 'restore-action',
          action: a.action,
          path: a.path,
          kind: a.node?.type ?? 'file',
          size: a.node?.size,
        });
      }
      let safety: string | undefined;
      if (plan.destructive && !dryRun) {
        const saved = await runBackup({
          logbook,
          root,
          entry: version.manifest.entry,
          recipe,
          reason: 'pre-restore',
          message: `Safety version before restoring ${name}`,
          output: ctx.output,
          signal: ctx.signal,
          recipient: ctx.config.recipient,
        }).catch((error: unknown) => {
          throw explainRefusedSafety(error, name);
        });
        safety = `${saved.manifest.entry}@v${saved.manifest.seq}`;
        ctx.output.emit({ type: 'info', message: `Saved the current state as ${safety} before restoring` });
      }
      const run = {
        root,
        entry: version.manifest.entry,
        accounts,
        output: ctx.output,
        signal: ctx.signal,
        dryRun,
        identity: identityLoader(root, version.manifest.entry, flags.identity as string | undefined),
        fetchDatasets: flags.fetchDatasets === true,
      };
      // Packages and clones first, so the files then overlay them; derived files (a regenerated
      // .asetup.save) after.
      const before = await restoreFacts('before-files', version.manifest, logbook, run);
      const result = dryRun
        ? { bytesWritten: 0, problems: [] }
        : await applyRestore({ root, logbook, plan, accounts, output: ctx.output, signal: ctx.signal });
      const after = await restoreFacts('after-files', version.manifest, logbook, {
        ...run,
        accounts: dryRun ? accounts : await readAccounts(root), // the files may have brought new users
      });
      for (const { step, action } of [...before.actions, ...after.actions]) {
        ctx.output.emit({ type: 'step-action', step, action, dryRun });
      }
      const problems: RestoreProblem[] = [
        ...before.problems,
        ...result.problems.map((message) => ({ step: 'files', kind: 'file', subject: '', message })),
        ...after.problems,
      ];
      for (const p of problems) {
        ctx.output.emit({ type: 'warning', message: p.hint ? `${p.message} (${p.hint})` : p.message });
      }
      if (!dryRun) {
        await writeRestoreReport(root, { version: name, time: new Date().toISOString(), safety, problems });
        await refreshLoginWarnings(ctx);
      }
      ctx.output.emit({
        type: 'restore-summary',
        version: name,
        dryRun,
        created: plan.writes.filter((w) => w.action === 'create').length,
        overwritten: plan.writes.filter((w) => w.action === 'overwrite').length,
        metadata: plan.metadata.length,
        removed: plan.removals.length,
        bytesWritten: result.bytesWritten,
        safety,
        warnings: ctx.output.warnings,
      });
      return undefined;
    } finally {
      await lock.release();
    }
  },
};

// A read-only location (a server's …/public, a read token) refuses the safety version: say what to do.
function explainRefusedSafety(error: unknown, name: string): unknown {
  if (!isVmlError(error) || error.code !== 'E_PERMISSION') return error;
  return new VmlError(
    'E_PERMISSION',
    `Cannot restore ${name} over existing files: the logbook refused the safety version of the current state`,
    {
      hint: 'Nothing was changed. Restore into an empty directory (--root DIR), where nothing is overwritten, and copy what you need from there',
      cause: error,
    },
  );
}

/**
 * Opens the owner's identity on first use (after the files are restored, so a restored default identity
 * file counts): the --identity file, else the default one if it exists, else none.
 */
function identityLoader(root: string, entry: string, given: string | undefined) {
  let opened: Promise<OpenedIdentity | undefined> | undefined;
  return () => {
    opened ??= (async () => {
      const path =
        given ?? defaultIdentityPath(root, homeOf(await readAccounts(root), entry.split('/')[0] as string));
      if (!(await stat(path).catch(() => undefined))) {
        if (given === undefined) return undefined;
        throw new VmlError('E_NOT_FOUND', `Cannot read the identity file "${path}"`);
      }
      return openIdentity(path, await readPassphrase(`Passphrase of ${path}`));
    })();
    return opened;
  };
}

/** The next login shows what this restore could not bring back; failing to say so must not fail the restore. */
async function refreshLoginWarnings(ctx: CommandContext): Promise<void> {
  try {
    const now = new Date();
    await writeWarningsFile(ctx.config.root, await collectWarnings(ctx.config, now), now);
  } catch (error) {
    ctx.output.emit({
      type: 'warning',
      message: `Cannot update the login warnings: ${(error as Error).message}`,
    });
  }
}
