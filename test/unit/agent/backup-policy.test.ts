import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { automaticBackupSkip, type PolicyProbes } from '../../../agent/backup-policy.js';
import { loadConfig } from '../../../agent/config/load.js';
import type { ShutdownKind } from '../../../agent/systemd/shutdown-kind.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vml-policy-'));
  await mkdir(join(root, 'etc/vml'), { recursive: true });
});
afterEach(() => rm(root, { recursive: true, force: true }));

const NOW = new Date('2026-01-10T12:00:00Z');

function probes(kind: ShutdownKind, newestAt?: string): PolicyProbes & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    now: NOW,
    async shutdownKind() {
      asked.push('kind');
      return kind;
    },
    async newestVersion() {
      asked.push('newest');
      return newestAt ? { name: 'alice/a@v3', time: new Date(newestAt) } : undefined;
    },
  };
}

async function config(yaml: string) {
  await writeFile(join(root, 'etc/vml/agent.yaml'), `logbook: dir:/srv/vml\nentry: alice/a\n${yaml}`);
  return loadConfig({ root }, '/nonexistent');
}

describe('automaticBackupSkip()', () => {
  it('skips without a logbook, before asking anything', async () => {
    const p = probes('poweroff');
    const skip = await automaticBackupSkip(await loadConfig({ root }, '/x'), 'shutdown', p);
    expect(skip?.rule).toBe('no-logbook');
    expect(p.asked).toEqual([]);
  });

  it('skips while the flag file exists, for the timer too', async () => {
    await writeFile(join(root, 'etc/vml/auto-backup.disabled'), '');
    expect((await automaticBackupSkip(await config(''), 'timer', probes('unknown')))?.rule).toBe(
      'disabled-flag',
    );
  });

  it('skips at shutdown when automatic_backup.shutdown is false, but not from the timer', async () => {
    const c = await config('automatic_backup:\n  shutdown: false\n');
    expect((await automaticBackupSkip(c, 'shutdown', probes('poweroff')))?.rule).toBe('disabled-config');
    expect(await automaticBackupSkip(c, 'timer', probes('unknown'))).toBeUndefined();
  });

  it('skips a reboot only when on_reboot is false, and backs up at poweroff', async () => {
    const c = await config('automatic_backup:\n  on_reboot: false\n');
    expect((await automaticBackupSkip(c, 'shutdown', probes('reboot')))?.rule).toBe('reboot');
    expect(await automaticBackupSkip(c, 'shutdown', probes('poweroff'))).toBeUndefined();
    expect(await automaticBackupSkip(await config(''), 'shutdown', probes('reboot'))).toBeUndefined();
  });

  it('skips when the newest version is younger than min_interval, and names it', async () => {
    const c = await config('automatic_backup:\n  min_interval: 30m\n');
    const skip = await automaticBackupSkip(c, 'shutdown', probes('poweroff', '2026-01-10T11:50:00Z'));
    expect(skip).toEqual({
      rule: 'recent',
      message: 'alice/a@v3 is only 10m0s old (automatic_backup.min_interval is 30m0s)',
    });
    expect(
      await automaticBackupSkip(c, 'shutdown', probes('poweroff', '2026-01-10T11:20:00Z')),
    ).toBeUndefined();
    expect(await automaticBackupSkip(c, 'shutdown', probes('poweroff'))).toBeUndefined();
  });

  it('does not look at the history when no min_interval is set', async () => {
    const p = probes('poweroff', '2026-01-10T11:59:00Z');
    expect(await automaticBackupSkip(await config(''), 'shutdown', p)).toBeUndefined();
    expect(p.asked).toEqual([]);
  });

  it('rejects a min_interval that is not a duration, with its line', async () => {
    await expect(config('automatic_backup:\n  min_interval: soon\n')).rejects.toThrow(
      /agent\.yaml:4:\d+: automatic_backup\.min_interval: expected a duration/,
    );
  });
});
