/**
 * Output for the CLI: `--json` prints one event per line (stdout; exit_error on stderr); otherwise the
 * human formatters, with a live status line for progress on a terminal and plain lines elsewhere.
 */
import type { Event, Output, ProgressEvent } from '../events.js';
import { formatBytes, formatDuration } from '../format.js';
import { HUMAN } from './human.js';

export interface CliOutput extends Output {
  /** Clears the status line before the process exits. */
  close(): void;
}

const PLAIN_PROGRESS_EVERY_MS = 10_000;

/** Creates the output for one command run. */
export function createOutput(options: { json: boolean; verbose: boolean }): CliOutput {
  const stdout = process.stdout;
  const stderr = process.stderr;
  const tty = stderr.isTTY === true && !process.env.INVOCATION_ID; // INVOCATION_ID: running under systemd
  let warnings = 0;
  let statusShown = false;
  const started = Date.now();
  let lastPlain = started;

  const clearStatus = () => {
    if (statusShown) stderr.write('\r\x1b[2K');
    statusShown = false;
  };

  const progress = (e: ProgressEvent) => {
    const line = progressLine(e, (Date.now() - started) / 1000);
    if (tty) {
      stderr.write(`\r\x1b[2K${line.slice(0, (stderr.columns ?? 100) - 1)}`);
      statusShown = true;
    } else if (Date.now() - lastPlain >= PLAIN_PROGRESS_EVERY_MS) {
      lastPlain = Date.now();
      stderr.write(`${line}\n`);
    }
  };

  return {
    get warnings() {
      return warnings;
    },
    emit(event: Event) {
      if (event.type === 'warning') warnings++;
      if (options.json) {
        if (event.type === 'progress' && !options.verbose) return;
        (event.type === 'exit_error' ? stderr : stdout).write(`${JSON.stringify(event)}\n`);
        return;
      }
      if (event.type === 'progress') return progress(event);
      clearStatus();
      const text = (HUMAN[event.type] as (e: Event) => string | undefined)(event);
      if (text === undefined) return;
      const toStderr = event.type === 'warning' || event.type === 'exit_error' || event.type === 'info';
      (toStderr ? stderr : stdout).write(`${text}\n`);
    },
    debug(text: string) {
      if (!options.verbose) return;
      clearStatus();
      stderr.write(`debug: ${text}\n`);
    },
    close: clearStatus,
  };
}

/** "reading 1200/30000 files, 120 MiB/1.0 GiB, 85 MiB/s, ETA 9s". */
function progressLine(e: ProgressEvent, elapsed: number): string {
  const rate = elapsed > 0 ? e.bytes / elapsed : 0;
  const files = e.totalFiles !== undefined ? `${e.files}/${e.totalFiles}` : String(e.files);
  const bytes =
    e.totalBytes !== undefined
      ? `${formatBytes(e.bytes)}/${formatBytes(e.totalBytes)}`
      : formatBytes(e.bytes);
  const eta =
    e.totalBytes !== undefined && rate > 0 ? `, ETA ${formatDuration((e.totalBytes - e.bytes) / rate)}` : '';
  return `${e.phase} ${files} files, ${bytes}, ${formatBytes(rate)}/s${eta}`;
}
