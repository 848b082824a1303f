/**
 * Whether an automatic backup (at shutdown, or from the timer) is due. Nobody is at the keyboard to answer a
 * question then, so each rule that says "not now" is a skip, not an error (docs/appliance.md, "Skip rules").
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentConfig } from './config/load.js';
import type { ShutdownKind } from './systemd/shutdown-kind.js';

/** Relative to the root: while this file exists, no automatic backup runs. */
export const DISABLED_FLAG = 'etc/vml/auto-backup.disabled';

export type SkipRule = 'no-logbook' | 'no-entry' | 'disabled-flag' | 'disabled-config' | 'reboot' | 'recent';

export interface Skip {
  readonly rule: SkipRule;
  readonly message: string;
}

/** What the rules need to know beyond the configuration; asked only when a rule needs it. */
export interface PolicyProbes {
  /** The newest version of the entry: its name (`entry@vN`) and time, or undefined for none. */
  newestVersion(): Promise<{ readonly name: string; readonly time: Date } | undefined>;
  shutdownKind(): Promise<ShutdownKind>;
  readonly now: Date;
}

/** The first rule that skips this backup, in the documented order, or undefined when it is due. */
export async function automaticBackupSkip(
  config: AgentConfig,
  reason: 'shutdown' | 'timer',
  probes: PolicyProbes,
): Promise<Skip | undefined> {
  if (!config.logbook) return { rule: 'no-logbook', message: 'No logbook is configured' };
  if (!config.entry) return { rule: 'no-entry', message: 'No entry is configured' };
  if (await exists(join(config.root, DISABLED_FLAG))) {
    return { rule: 'disabled-flag', message: `Automatic backups are off: /${DISABLED_FLAG} exists` };
  }
  const rules = config.automaticBackup;
  if (reason === 'shutdown' && !rules.shutdown) {
    return { rule: 'disabled-config', message: 'Backups at shutdown are off (automatic_backup.shutdown)' };
  }
  if (reason === 'shutdown' && !rules.onReboot && (await probes.shutdownKind()) === 'reboot') {
    return { rule: 'reboot', message: 'The machine reboots and automatic_backup.on_reboot is false' };
  }
  if (rules.minIntervalMs > 0) {
    const newest = await probes.newestVersion();
    const age = newest ? probes.now.getTime() - newest.time.getTime() : Number.POSITIVE_INFINITY;
    if (newest && age < rules.minIntervalMs) {
      return {
        rule: 'recent',
        message: `${newest.name} is only ${roughly(age)} old (automatic_backup.min_interval is ${roughly(rules.minIntervalMs)})`,
      };
    }
  }
  return undefined;
}

/** 90_000 → "1m30s", 7_200_000 → "2h0m": enough for a message. */
function roughly(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${s % 60}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
