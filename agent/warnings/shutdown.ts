/** Login warning about the last backup at shutdown: it failed, did not finish, or was skipped. */
import { readShutdownRecord } from '../shutdown-record.js';
import type { Warning, WarningContext } from './warning.js';

const SKIP_HINTS: Readonly<Record<string, string>> = {
  'no-logbook': 'vml-agent init --logbook URL --entry OWNER/NAME',
  'no-entry': 'vml-agent init --entry OWNER/NAME',
  'disabled-flag': 'sudo rm /etc/vml/auto-backup.disabled',
};

export async function shutdownWarnings(ctx: WarningContext): Promise<Warning[]> {
  const record = await readShutdownRecord(ctx.root);
  if (!record || record.outcome === 'done') return [];
  const when = record.time.replace('T', ' ').slice(0, 16);
  if (record.outcome === 'running') {
    return [
      {
        check: 'shutdown',
        message: `The backup at shutdown (${when} UTC) did not finish: stopped by the time limit or a power cut`,
        hint: 'vml-agent backup',
      },
    ];
  }
  if (record.outcome === 'failed') {
    return [
      {
        check: 'shutdown',
        message: `The backup at shutdown (${when} UTC) failed: ${record.message ?? record.code ?? 'unknown error'}`,
        hint: 'vml-agent backup',
      },
    ];
  }
  return [
    {
      check: 'shutdown',
      message: `No backup at shutdown (${when} UTC): ${record.message ?? record.code ?? 'skipped'}`,
      hint: SKIP_HINTS[record.code ?? ''],
    },
  ];
}
