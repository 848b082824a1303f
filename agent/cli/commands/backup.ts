/** vml-agent backup (alias add): make a new version of the entry from the root. */
import { EXIT, isVmlError, VmlError } from '../../../core/errors.js';
import type { Output } from '../../../core/events.js';
import { REASONS, type Reason } from '../../../logbook/format/manifest.js';
import { runBackup } from '../../backup.js';
import { automaticBackupSkip } from '../../backup-policy.js';
import { chooseRecipe } from '../../recipes/choose.js';
import { loadRecipe } from '../../recipes/load.js';
import { writeShutdownRecord } from '../../shutdown-record.js';
import { systemdNotifier } from '../../systemd/notify.js';
import { watchProgress } from '../../systemd/progress-watch.js';
import { shutdownKind } from '../../systemd/shutdown-kind.js';
import type { CommandContext, CommandDefinition } from '../command.js';

export const backupCommand: CommandDefinition = {
  name: 'backup',
  alias: 'add',
  summary: 'Back up this environment as a new version of its entry',
  help: `Captures what the recipe selects under --root and stores it as the next version (vN) of the entry.
Only new data is written: unchanged files (same size, mtime, ctime and inode as in the previous version) are
neither read nor hashed. A backup that is interrupted leaves the logbook valid; the next one starts over.
Without --recipe (or a recipe in agent.yaml), a home holding an ATLAS work area (a .asetup.save at most three
levels down) is backed up with "atlas-analysis", any other with "home"; the backup says which it chose.

With --reason shutdown or timer (what vml-backup-shutdown.service and vml-backup.timer run), the backup is
automatic: it is skipped, with exit 0, when no logbook or entry is configured, when
/etc/vml/auto-backup.disabled exists, when agent.yaml's automatic_backup says so (shutdown: false; on_reboot:
false during a reboot; min_interval longer than the age of the newest version). Under systemd it reports
progress with STATUS= and extends the unit's timeout while it works. The outcome of a shutdown backup (done,
skipped, failed) is kept in /var/lib/vml/last-shutdown.json for the next login warnings.

Examples:
  vml-agent backup --message "before switching to 25.2.30"
  vml-agent backup --reason shutdown     # as the shutdown unit runs it
  vml-agent backup --root /tmp/guest --logbook dir:/tmp/lb --entry alice/test --json`,
  configure(cmd) {
    cmd
      .option(
        '--recipe <name>',
        'what to capture (default from agent.yaml, else "atlas-analysis" when the home holds an ATLAS work area, else "home")',
      )
      .option('-m, --message <text>', 'a note kept with the version')
      .option(
        '--reason <reason>',
        `why the backup runs: ${REASONS.filter((r) => r !== 'pre-restore').join('|')}`,
        'manual',
      );
  },
  async run(ctx, _args, flags) {
    const reason = String(flags.reason) as Reason;
    if (!['manual', 'shutdown', 'timer'].includes(reason)) {
      throw new VmlError('E_USAGE', `Invalid --reason "${reason}": expected manual, shutdown or timer`);
    }
    const started = new Date().toISOString();
    const shutdown = reason === 'shutdown';
    if (reason === 'shutdown' || reason === 'timer') {
      const skip = await automaticBackupSkip(ctx.config, reason, {
        newestVersion: () => newestVersion(ctx),
        shutdownKind,
        now: new Date(),
      });
      if (skip) {
        ctx.output.emit({ type: 'backup-skipped', reason, rule: skip.rule, message: skip.message });
        if (shutdown) {
          await writeShutdownRecord(ctx.config.root, {
            time: started,
            outcome: 'skipped',
            code: skip.rule,
            message: skip.message,
          });
        }
        return EXIT.ok;
      }
    }
    const entry = ctx.entry();
    const notifier = systemdNotifier();
    const watch = notifier ? watchProgress(notifier, ctx.output, `Backing up ${entry}`) : undefined;
    if (shutdown) await writeShutdownRecord(ctx.config.root, { time: started, outcome: 'running' });
    let saved: Awaited<ReturnType<typeof runBackup>>;
    try {
      saved = await backUp(
        ctx,
        entry,
        reason,
        flags.message as string | undefined,
        watch?.output ?? ctx.output,
      );
    } catch (error) {
      await watch?.stop('failed');
      if (shutdown) {
        const vml = isVmlError(error) ? error : undefined;
        await writeShutdownRecord(ctx.config.root, {
          time: started,
          outcome: 'failed',
          code: vml?.code ?? 'E_INTERNAL',
          message: vml?.message ?? 'Unexpected error (details in the journal)',
        }).catch(() => undefined);
      }
      throw error;
    }
    const { id, manifest } = saved;
    await watch?.stop(`saved ${entry}@v${manifest.seq}`);
    if (shutdown) {
      await writeShutdownRecord(ctx.config.root, {
        time: started,
        outcome: 'done',
        version: `${entry}@v${manifest.seq}`,
      });
    }
    const s = manifest.stats;
    ctx.output.emit({
      type: 'backup-summary',
      entry,
      seq: manifest.seq,
      id,
      recipe: manifest.recipe.name,
      files: s.files,
      dirs: s.dirs,
      bytes: s.bytes,
      filesRead: s.filesRead,
      bytesRead: s.bytesRead,
      bytesAdded: s.bytesAdded,
      seconds: s.seconds,
      warnings: ctx.output.warnings,
    });
    return undefined;
  },
};

async function backUp(
  ctx: CommandContext,
  entry: string,
  reason: Reason,
  message: string | undefined,
  output: Output,
): Promise<Awaited<ReturnType<typeof runBackup>>> {
  // The logbook first: a wrong --logbook is the error to report, before anything about the recipe.
  const logbook = await ctx.openLogbook();
  let recipeName = ctx.config.recipe;
  if (recipeName === undefined) {
    const chosen = await chooseRecipe(ctx.config.root, entry);
    output.emit({ type: 'info', message: chosen.message });
    recipeName = chosen.name;
  }
  const recipe = await loadRecipe(recipeName, { dirs: ctx.config.recipeDirs });
  ctx.output.debug(`recipe ${recipe.name} from ${recipe.file} (${recipe.hash.slice(0, 12)})`);
  return runBackup({
    logbook,
    root: ctx.config.root,
    entry,
    recipe,
    reason,
    message,
    output,
    signal: ctx.signal,
    recipient: ctx.config.recipient,
  });
}

/** The newest version of the configured entry, for the min_interval rule. */
async function newestVersion(ctx: CommandContext): Promise<{ name: string; time: Date } | undefined> {
  const entry = ctx.entry();
  const history = await (await ctx.openLogbook()).history(entry);
  const newest = history[history.length - 1];
  return newest && { name: `${entry}@v${newest.manifest.seq}`, time: new Date(newest.manifest.time) };
}
