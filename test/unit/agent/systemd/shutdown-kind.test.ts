import { describe, expect, it } from 'vitest';
import { kindFromJobs } from '../../../../agent/systemd/shutdown-kind.js';

// `systemctl list-jobs --no-legend --plain` during a shutdown, as systemd 252 prints it.
const REBOOT = `  1 reboot.target                start waiting
 95 vml-backup-shutdown.service  stop  running
 97 systemd-reboot.service       start waiting
`;

describe('kindFromJobs()', () => {
  it('finds reboot.target in the job queue', () => {
    expect(kindFromJobs(REBOOT)).toBe('reboot');
  });
  it('finds poweroff.target and halt.target', () => {
    expect(
      kindFromJobs(REBOOT.replace('reboot.target', 'poweroff.target').replace('-reboot', '-poweroff')),
    ).toBe('poweroff');
    expect(kindFromJobs('3 halt.target start waiting\n')).toBe('poweroff');
  });
  it('says unknown when no shutdown is queued (the unit was stopped by hand)', () => {
    expect(kindFromJobs('95 vml-backup-shutdown.service stop running\n')).toBe('unknown');
    expect(kindFromJobs('')).toBe('unknown');
  });
});
