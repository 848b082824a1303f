/**
 * Keeps a unit's stop (or start) timeout from killing a backup that is still working, and only such a one:
 * every few seconds, if the backup made progress (a progress event, or the process used CPU: scanning a big
 * tree or hashing one huge file emits no event for a long time), it asks systemd for EXTEND_BY_MS more and
 * updates STATUS=. A backup stuck on a dead network mount uses no CPU, gets no more time, and is stopped.
 */
import type { Event, Output } from '../../core/events.js';
import type { Notifier } from './notify.js';

/** Each extension asks for this much more time from the moment it arrives. */
export const EXTEND_BY_MS = 30_000;
/** How often progress is looked at (each notification starts a process). */
export const CHECK_EVERY_MS = 5_000;
// Less CPU than this per check is an idle process (timers, garbage collection), not a working backup.
const BUSY_CPU_MICROS = 50_000;

export interface ProgressWatch {
  /** The output to give the backup: passes every event on, and notes progress. */
  readonly output: Output;
  /** Stops watching and sends a last status line. */
  stop(status: string): Promise<void>;
}

/** Starts watching; the first extension and status are sent at once. */
export function watchProgress(notifier: Notifier, inner: Output, label: string): ProgressWatch {
  let status = `${label}: scanning`;
  let progressed = true;
  let cpu = cpuMicros();
  const extend = () => notifier.send({ EXTEND_TIMEOUT_USEC: String(EXTEND_BY_MS * 1000), STATUS: status });
  void extend();
  const timer = setInterval(() => {
    const now = cpuMicros();
    if (progressed || now - cpu >= BUSY_CPU_MICROS) void extend();
    progressed = false;
    cpu = now;
  }, CHECK_EVERY_MS);
  timer.unref();
  const output: Output = {
    emit(event: Event) {
      if (event.type === 'progress') {
        progressed = true;
        const of = (n: number, total: number | undefined) => (total === undefined ? `${n}` : `${n}/${total}`);
        status = `${label}: ${event.phase} ${of(event.files, event.totalFiles)} files`;
      }
      inner.emit(event);
    },
    debug: (text) => inner.debug(text),
    get warnings() {
      return inner.warnings;
    },
  };
  return {
    output,
    stop(last) {
      clearInterval(timer);
      return notifier.send({ STATUS: `${label}: ${last}` });
    },
  };
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
