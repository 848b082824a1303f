/** vml-agent log: the history of one entry or of all. */
import { checkEntryName } from '../../../logbook/version-spec.js';
import type { CommandDefinition } from '../command.js';

export const logCommand: CommandDefinition = {
  name: 'log',
  summary: 'List versions: number, id, time, reason, visibility, size added, message',
  help: `Without ENTRY, lists the versions of every entry in the logbook.

Examples:
  vml-agent log alice/higgs-ww
  vml-agent log --json | jq -r .id`,
  configure(cmd) {
    cmd.argument('[entry]', 'OWNER/NAME');
  },
  async run(ctx, args) {
    const logbook = await ctx.openLogbook();
    const entry = args[0];
    const versions = entry ? await logbook.history(checkEntryName(entry)) : await logbook.versions();
    for (const { id, manifest: m } of versions) {
      ctx.output.emit({
        type: 'version',
        entry: m.entry,
        seq: m.seq,
        id,
        time: m.time,
        reason: m.reason,
        visibility: m.visibility,
        message: m.message,
        files: m.stats.files,
        bytes: m.stats.bytes,
        bytesAdded: m.stats.bytesAdded,
      });
    }
    if (versions.length === 0)
      ctx.output.emit({
        type: 'info',
        message: entry ? `Entry "${entry}" has no versions` : 'The logbook has no versions yet',
      });
    return undefined;
  },
};
