/**
 * `vml-agent backup --reason shutdown` as vml-backup-shutdown.service runs it: the skip rules of agent.yaml,
 * the record in var/lib/vml/last-shutdown.json and what the next login warnings say about it, and the
 * notifications to systemd (real systemd-notify, sending to a real AF_UNIX datagram socket bound by a small
 * Python receiver: systemd is not PID 1 on this machine). Only "systemctl list-jobs" is faked (a script on
 * the PATH), because there is no shutdown job queue to ask here; the e2e guest test asks the real one.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentEvent, makeGuestRoot, runAgent, startAgent } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vml-shutdown-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
/** A guest root with alice's home and an agent.yaml pointing at a fresh logbook (unless `logbook` is false). */
async function guest(yaml = '', logbook = true): Promise<{ root: string; lb: string }> {
  const root = join(dir, `root${++n}`);
  const lb = join(dir, `lb${n}`);
  await makeGuestRoot(root, { 'home/alice/analysis.C': 'void analysis() {}\n' });
  if (logbook) {
    const init = await runAgent(['init', '--root', root, '--logbook', `dir:${lb}`, '--entry', 'alice/a']);
    expect(init.code).toBe(0);
  }
  if (yaml) await writeFile(join(root, 'etc/vml/agent.yaml'), yaml, { flag: 'a' });
  return { root, lb };
}

const record = async (root: string) =>
  JSON.parse(await readFile(join(root, 'var/lib/vml/last-shutdown.json'), 'utf8')) as Record<string, unknown>;
const shutdownBackup = (root: string, env: Record<string, string> = {}) =>
  runAgent(['backup', '--reason', 'shutdown', '--root', root, '--json'], { env });
const warnings = async (root: string) =>
  (await runAgent(['login-warnings', '--root', root, '--json'])).events.filter(
    (e) => e.type === 'login-warning',
  );
const skipped = (events: AgentEvent[]) => events.find((e) => e.type === 'backup-skipped');

describe('backup --reason shutdown', () => {
  it('without a logbook: skips with exit 0, records it, and the next login says how to set one up', async () => {
    const { root } = await guest('', false);
    const r = await shutdownBackup(root);
    expect(r.code).toBe(0);
    expect(skipped(r.events)).toMatchObject({ rule: 'no-logbook', reason: 'shutdown' });
    expect(await record(root)).toMatchObject({ outcome: 'skipped', code: 'no-logbook' });
    const w = (await warnings(root)).find((e) => e.check === 'shutdown');
    expect(w?.message).toMatch(/^No backup at shutdown \(.*\): No logbook is configured$/);
    expect(w?.hint).toBe('vml-agent init --logbook URL --entry OWNER/NAME');
  });

  it('backs up, records the version, and leaves no shutdown warning', async () => {
    const { root } = await guest();
    const r = await shutdownBackup(root);
    expect(r.code).toBe(0);
    expect(r.events.find((e) => e.type === 'backup-summary')).toMatchObject({ entry: 'alice/a', seq: 1 });
    expect(await record(root)).toMatchObject({ outcome: 'done', version: 'alice/a@v1' });
    expect((await warnings(root)).filter((e) => e.check === 'shutdown')).toEqual([]);
    const log = await runAgent(['log', '--root', root, '--json']);
    expect(log.events.map((e) => e.reason)).toEqual(['shutdown']);
  });

  it('skips when the newest version is younger than min_interval', async () => {
    const { root } = await guest('automatic_backup:\n  min_interval: 1h\n');
    expect((await shutdownBackup(root)).events.some((e) => e.type === 'backup-summary')).toBe(true);
    const second = await shutdownBackup(root);
    expect(skipped(second.events)?.message).toMatch(/^alice\/a@v1 is only \d+s old/);
    const log = await runAgent(['log', '--root', root, '--json']);
    expect(log.events).toHaveLength(1);
  });

  it('skips while /etc/vml/auto-backup.disabled exists', async () => {
    const { root } = await guest();
    await writeFile(join(root, 'etc/vml/auto-backup.disabled'), '');
    expect(skipped((await shutdownBackup(root)).events)?.rule).toBe('disabled-flag');
    expect(
      skipped((await runAgent(['backup', '--reason', 'timer', '--root', root, '--json'])).events)?.rule,
    ).toBe('disabled-flag');
    // A backup asked for by hand is not automatic: the flag does not stop it.
    expect((await runAgent(['backup', '--root', root, '--json'])).code).toBe(0);
  });

  it('with on_reboot: false, skips at reboot and backs up at poweroff (systemctl list-jobs faked)', async () => {
    const { root } = await guest('automatic_backup:\n  on_reboot: false\n');
    const bin = join(dir, `bin${n}`);
    await mkdir(bin);
    const fake = (target: string) =>
      writeFile(join(bin, 'systemctl'), `#!/bin/sh\necho "  1 ${target} start waiting"\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env.PATH}` };
    await fake('reboot.target');
    expect(skipped((await shutdownBackup(root, env)).events)?.rule).toBe('reboot');
    await fake('poweroff.target');
    const r = await shutdownBackup(root, env);
    expect(skipped(r.events)).toBeUndefined();
    expect(await record(root)).toMatchObject({ outcome: 'done', version: 'alice/a@v1' });
  });

  it('records a failure, and the next login says the backup failed', async () => {
    const { root, lb } = await guest();
    await rm(lb, { recursive: true });
    const r = await shutdownBackup(root);
    expect(r.code).toBe(10);
    expect(await record(root)).toMatchObject({ outcome: 'failed', code: 'E_NO_LOGBOOK' });
    const w = (await warnings(root)).find((e) => e.check === 'shutdown');
    expect(w?.message).toMatch(/^The backup at shutdown \(.*\) failed: /);
  });

  it('a backup killed half-way (the stop timeout) is reported at the next login as not finished', async () => {
    const { root } = await guest();
    await writeFile(join(root, 'home/alice/big.bin'), randomBytes(96 * 1024 * 1024));
    const run = startAgent(['backup', '--reason', 'shutdown', '--root', root]);
    for (let i = 0; i < 200; i++) {
      const outcome = await record(root).then(
        (r) => r.outcome,
        () => undefined,
      );
      if (outcome === 'running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    run.child.kill('SIGKILL');
    await run.done;
    expect(await record(root)).toMatchObject({ outcome: 'running' });
    const w = (await warnings(root)).find((e) => e.check === 'shutdown');
    expect(w?.message).toMatch(/did not finish: stopped by the time limit or a power cut$/);
  });
});

const havePython = spawnSync('python3', ['-c', 'print(1)']).status === 0;
const haveNotify = spawnSync('systemd-notify', ['--help']).status === 0;

describe.skipIf(!havePython || !haveNotify)('notifications to systemd', () => {
  let receiver: ChildProcess;
  let socket: string;
  let received = '';
  beforeAll(async () => {
    socket = join(dir, 'notify.sock');
    receiver = spawn('python3', [
      '-c',
      'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("ready",flush=True)\nwhile True: print(s.recv(65536).decode().replace("\\n","|"),flush=True)',
      socket,
    ]);
    receiver.stdout?.setEncoding('utf8').on('data', (d: string) => {
      received += d;
    });
    await new Promise<void>((resolve) => {
      const check = () => (received.includes('ready') ? resolve() : setTimeout(check, 20));
      check();
    });
    await chmod(socket, 0o777);
  });
  afterAll(() => {
    receiver.kill();
  });

  it('asks for more time and shows the status while backing up, then the version saved', async () => {
    const { root } = await guest();
    const r = await shutdownBackup(root, { NOTIFY_SOCKET: socket });
    expect(r.code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const messages = received.split('\n').filter((l) => l.includes('STATUS='));
    expect(messages[0]).toContain('EXTEND_TIMEOUT_USEC=30000000|STATUS=Backing up alice/a: scanning');
    expect(messages.at(-1)).toContain('STATUS=Backing up alice/a: saved alice/a@v1');
  });

  it('sends nothing without NOTIFY_SOCKET', async () => {
    const before = received;
    const { root } = await guest();
    expect((await shutdownBackup(root)).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toBe(before);
  });
});
