/** vml-agent check: verify the logbook's structure and, with --read-data, every byte. */
import { check } from '../../../logbook/check.js';
import type { CommandDefinition } from '../command.js';

export const checkCommand: CommandDefinition = {
  name: 'check',
  summary: 'Verify the logbook: indexes, packs, versions and trees (and all data with --read-data)',
  help: `Reports each damaged file and which versions and files it affects. --read-data also reads every pack
and re-hashes every chunk. Exits 1 when it finds errors, 3 when only warnings.

Examples:
  vml-agent check
  vml-agent check --read-data --json`,
  configure(cmd) {
    cmd.option('--read-data', 'read and re-hash all data');
  },
  async run(ctx, _args, flags) {
    const logbook = await ctx.openLogbook();
    const result = await check(logbook, {
      readData: flags.readData === true,
      onProgress: (e) => {
        if (e.type === 'pack')
          ctx.output.emit({
            type: 'progress',
            phase: 'checking packs',
            files: e.done,
            bytes: e.bytes,
            totalFiles: e.total,
          });
      },
      onStale: (message) => ctx.output.emit({ type: 'warning', message }),
      signal: ctx.signal,
    });
    for (const p of result.problems) ctx.output.emit({ type: 'check-problem', ...p });
    const errors = result.problems.filter((p) => p.severity === 'error').length;
    const warnings = result.problems.filter((p) => p.severity === 'warning').length;
    ctx.output.emit({
      type: 'check-summary',
      versions: result.versions,
      packs: result.packs,
      blobs: result.blobs,
      bytesRead: result.bytesRead,
      errors,
      warnings,
    });
    return errors > 0 ? 1 : warnings > 0 ? 3 : 0;
  },
};
