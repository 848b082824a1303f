/** vml-agent backup (alias add): make a new version of the entry from the root. */
import { VmlError } from '../../../core/errors.js';
import { REASONS, type Reason } from '../../../logbook/format/manifest.js';
import { runBackup } from '../../backup.js';
import { loadRecipe } from '../../recipes/load.js';
import type { CommandDefinition } from '../command.js';

export const backupCommand: CommandDefinition = {
  name: 'backup',
  alias: 'add',
  summary: 'Back up this environment as a new version of its entry',
  help: `Captures what the recipe selects under --root and stores it as the next version (vN) of the entry.
Only new data is written: unchanged files (same size, mtime, ctime and inode as in the previous version) are
neither read nor hashed. A backup that is interrupted leaves the logbook valid; the next one starts over.

Examples:
  vml-agent backup --message "before switching to 25.2.30"
  vml-agent backup --root /tmp/guest --logbook dir:/tmp/lb --entry alice/test --json`,
  configure(cmd) {
    cmd
      .option('--recipe <name>', 'what to capture (default from agent.yaml, else "home")')
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
    const entry = ctx.entry();
    const recipe = await loadRecipe(ctx.config.recipe ?? 'home', { dirs: ctx.config.recipeDirs });
    ctx.output.debug(`recipe ${recipe.name} from ${recipe.file} (${recipe.hash.slice(0, 12)})`);
    const logbook = await ctx.openLogbook();
    const { id, manifest } = await runBackup({
      logbook,
      root: ctx.config.root,
      entry,
      recipe,
      reason,
      message: flags.message as string | undefined,
      output: ctx.output,
      signal: ctx.signal,
      recipient: ctx.config.recipient,
    });
    const s = manifest.stats;
    ctx.output.emit({
      type: 'backup-summary',
      entry,
      seq: manifest.seq,
      id,
      recipe: recipe.name,
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
