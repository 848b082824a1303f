/**
 * Sends state to systemd's notification socket ($NOTIFY_SOCKET): `STATUS=` (shown by "systemctl status") and
 * `EXTEND_TIMEOUT_USEC=` (more time before the unit's timeout). Node cannot send the AF_UNIX datagram itself,
 * so this runs `systemd-notify`, a child process: the unit needs `NotifyAccess=all`.
 */
import { execFile } from 'node:child_process';

export interface Notifier {
  /** Sends `NAME=value` fields in one message, after the previous one; never rejects. */
  send(fields: Readonly<Record<string, string>>): Promise<void>;
}

/** A notifier when running under systemd with a notification socket, else undefined. */
export function systemdNotifier(env: NodeJS.ProcessEnv = process.env): Notifier | undefined {
  if (!env.NOTIFY_SOCKET) return undefined;
  let previous: Promise<void> = Promise.resolve();
  return {
    send(fields) {
      const args = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\s+/g, ' ').slice(0, 200)}`);
      previous = previous.then(() => run(args));
      return previous;
    },
  };
}

// A failing systemd-notify (none installed, socket gone) must never fail the backup it reports on.
function run(args: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    execFile('systemd-notify', [...args], { timeout: 5_000 }, () => resolve());
  });
}
