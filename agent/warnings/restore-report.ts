/** Login warnings from the restore report: each thing the last restore could not bring back. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESTORE_REPORT, type RestoreReport } from '../restore/report.js';
import type { Warning, WarningContext } from './warning.js';

export async function restoreReportWarnings(ctx: WarningContext): Promise<Warning[]> {
  let report: RestoreReport;
  try {
    report = JSON.parse(await readFile(join(ctx.root, RESTORE_REPORT), 'utf8')) as RestoreReport;
  } catch {
    return []; // no restore yet, or a report from an unreadable future format: nothing to say
  }
  return (report.problems ?? []).map((p) => ({
    check: 'restore',
    subject: p.subject || undefined,
    // Steps often say "Not restored: …" themselves; the version goes in front once.
    message: `Not restored from ${report.version}: ${p.message.replace(/^Not restored(?: from the vault)?: /, '')}`,
    hint: p.hint,
  }));
}
