/**
 * Whether the machine is rebooting or powering off, seen from a unit's ExecStop= during shutdown: systemd's
 * job queue then holds the target it is heading for (reboot.target, poweroff.target, …).
 */
import { execFile } from 'node:child_process';

export type ShutdownKind = 'reboot' | 'poweroff' | 'unknown';

const TARGETS: Readonly<Record<string, ShutdownKind>> = {
  'reboot.target': 'reboot',
  'kexec.target': 'reboot',
  'soft-reboot.target': 'reboot',
  'poweroff.target': 'poweroff',
  'halt.target': 'poweroff',
};

/** Reads `systemctl list-jobs`; 'unknown' when systemd cannot be asked or no such target is queued. */
export function shutdownKind(): Promise<ShutdownKind> {
  return new Promise((resolve) => {
    execFile(
      'systemctl',
      ['list-jobs', '--no-legend', '--no-pager', '--plain'],
      { timeout: 3_000 },
      (error, stdout) => resolve(error ? 'unknown' : kindFromJobs(stdout)),
    );
  });
}

/** The kind of shutdown in `systemctl list-jobs --no-legend` output ("JOB UNIT TYPE STATE" lines). */
export function kindFromJobs(listing: string): ShutdownKind {
  for (const line of listing.split('\n')) {
    const unit = line.trim().split(/\s+/)[1];
    const kind = unit === undefined ? undefined : TARGETS[unit];
    if (kind) return kind;
  }
  return 'unknown';
}
