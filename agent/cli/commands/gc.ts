/** vml-agent gc: reclaim data no version uses. */
import { VmlError } from '../../../core/errors.js';
import { gc } from '../../../logbook/gc.js';
import type { CommandDefinition } from '../command.js';

/** "30m", "2h", "0" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m)
    throw new VmlError(
      'E_USAGE',
      `Invalid duration "${text}": expected a number with s, m, h or d, like "30m"`,
    );
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's'] as number;
  return Number(m[1]) * unit;
}

export const gcCommand: CommandDefinition = {
  name: 'gc',
  summary: 'Reclaim space: delete data no version uses and repack mostly-dead packs',
  help: `Takes an exclusive lock (no backup runs meanwhile). Data that no index lists (left by an interrupted
backup) is removed only when older than --grace, so a backup on another machine that ignores locks keeps
its data. Never deletes anything when a version or tree cannot be read: run "vml-agent check" then.

Examples:
  vml-agent gc --dry-run
  vml-agent gc --grace 0`,
  configure(cmd) {
    cmd
      .option('--grace <duration>', 'keep unindexed data younger than this', '1h')
      .option('-n, --dry-run', 'report, change nothing');
  },
  async run(ctx, _args, flags) {
    const logbook = await ctx.openLogbook();
    const dryRun = flags.dryRun === true;
    const result = await gc(logbook, {
      graceMs: parseDuration(String(flags.grace)),
      dryRun,
      onStale: (message) => ctx.output.emit({ type: 'warning', message }),
      // gc's own findings (a damaged index it rebuilds, blobs no pack holds) must reach the user.
      onProgress: (e) => {
        if (e.type === 'warning') ctx.output.emit({ type: 'warning', message: e.message });
      },
      signal: ctx.signal,
    });
    ctx.output.emit({ type: 'gc-summary', dryRun, ...pick(result) });
    return undefined;
  },
};

function pick(r: {
  packsDeleted: number;
  packsRepacked: number;
  bytesFreed: number;
  bytesBefore: number;
  bytesAfter: number;
}) {
  return {
    packsDeleted: r.packsDeleted,
    packsRepacked: r.packsRepacked,
    bytesFreed: r.bytesFreed,
    bytesBefore: r.bytesBefore,
    bytesAfter: r.bytesAfter,
  };
}
