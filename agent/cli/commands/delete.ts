/** vml-agent delete: remove one version or a whole entry's history. */
import { VmlError } from '../../../core/errors.js';
import { splitSpec } from '../../../logbook/version-spec.js';
import type { CommandDefinition } from '../command.js';

export const deleteCommand: CommandDefinition = {
  name: 'delete',
  summary: 'Delete one version, or with ENTRY alone the whole history of an entry',
  help: `Without --yes, only prints what would be deleted. Deleting removes the versions' manifests under an
exclusive lock; the data they alone used is reclaimed by "vml-agent gc".

Examples:
  vml-agent delete alice/higgs-ww@v3 --yes
  vml-agent delete alice/old-test            # shows what would go
  vml-agent delete alice/old-test --yes`,
  configure(cmd) {
    cmd
      .argument('<target>', 'ENTRY@VERSION or ENTRY')
      .option('-y, --yes', 'really delete')
      .option('-n, --dry-run', 'print what would be deleted (the default without --yes)');
  },
  async run(ctx, args, flags) {
    const target = args[0] as string;
    const logbook = await ctx.openLogbook();
    const { entry, version } = splitSpec(target);
    const victims = version === undefined ? await logbook.history(entry) : [await logbook.resolve(target)];
    if (victims.length === 0) {
      throw new VmlError('E_NOT_FOUND', `Entry "${entry}" has no versions`, {
        hint: 'Run "vml-agent log" to list the entries',
      });
    }
    const names = victims.map((v) => `${v.manifest.entry}@v${v.manifest.seq}`);
    const dryRun = flags.yes !== true || flags.dryRun === true;
    if (!dryRun) {
      const lock = await logbook.lock({
        exclusive: true,
        purpose: 'delete',
        onStale: (message) => ctx.output.emit({ type: 'warning', message }),
      });
      try {
        for (const v of victims) await logbook.backend.remove({ type: 'snapshots', name: v.id });
        logbook.forgetVersions();
      } finally {
        await lock.release();
      }
    }
    ctx.output.emit({ type: 'delete-summary', dryRun, versions: names });
    return undefined;
  },
};
