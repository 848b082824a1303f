/**
 * Boots the end-to-end test guest under QEMU (software emulation: these machines have no usable KVM) and
 * drives its serial console from Node, the way a person at the console would: log in, type commands, read
 * what they print. Every console line is kept with the host time it arrived, so a test can measure how long
 * a step of the shutdown took, and the whole console goes to a log file for when a test fails.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GuestImage } from './image.js';

/** Generous: a busy two-core machine slows the emulated guest a lot. */
export const BOOT_TIMEOUT_MS = 300_000;
export const COMMAND_TIMEOUT_MS = 240_000;

/** Why the e2e tests cannot run here (no QEMU), or undefined when they can. */
export function qemuMissing(): string | undefined {
  return hasCommand('qemu-system-x86_64')
    ? undefined
    : 'qemu-system-x86_64 is not installed: run scripts/install-test-tools.sh (as root)';
}

/** Throws, naming the package script, when a tool the guest set-up needs besides QEMU is missing. */
export function requireGuestTools(): void {
  for (const tool of ['qemu-img', 'debootstrap', 'mkfs.ext4', 'debugfs', 'e2fsck', 'strip']) {
    if (!hasCommand(tool))
      throw new Error(`${tool} is not installed: run scripts/install-test-tools.sh (as root)`);
  }
}

function hasCommand(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface BootOptions {
  readonly image: GuestImage;
  /** Directory for this guest: its disk overlay and console log. */
  readonly dir: string;
  /** Host directories mounted in the guest at /mnt/<tag> (fstab has `logbook` and `results`). */
  readonly shares: { readonly logbook: string; readonly results: string };
  /** Name of the console log (several boots of one guest keep separate logs). */
  readonly name: string;
  /** A second disk (/dev/vdb, raw), read at most `bytesPerSecond`: slow storage, like a busy network disk. */
  readonly slowDisk?: { readonly path: string; readonly bytesPerSecond: number } | undefined;
}

/** One line of the console, with the host time (ms, performance.now()) its end arrived. */
export interface ConsoleLine {
  readonly time: number;
  readonly text: string;
}

/** The result of a command typed at the shell prompt. */
export interface CommandResult {
  readonly output: string;
  readonly code: number;
}

/** Creates the guest's disk: a qcow2 overlay on the agent image, so each guest starts from the same state. */
export async function createDisk(image: GuestImage, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const disk = join(dir, 'disk.qcow2');
  if (!existsSync(disk))
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', image.rootfs, disk]);
  return disk;
}

/** A running guest: its console, typed into and read from. */
export class Guest {
  /** Everything the console printed, ANSI escapes and carriage returns removed. */
  private text = '';
  /** Where the next `expect` starts looking. */
  private cursor = 0;
  private partial = '';
  private pendingEscape = '';
  private sequence = 0;
  readonly lines: ConsoleLine[] = [];
  readonly exited: Promise<number | null>;
  private hasExited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
    readonly logPath: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    this.exited = new Promise((resolve) => {
      child.on('close', (code) => {
        this.hasExited = true;
        this.log.end();
        resolve(code);
      });
    });
  }

  /** Starts QEMU on the guest's disk overlay (created on first boot) and returns at once. */
  static async boot(options: BootOptions): Promise<Guest> {
    const disk = await createDisk(options.image, options.dir);
    const logPath = join(options.dir, `${options.name}.console.log`);
    const args = [
      ...['-accel', 'tcg,thread=multi', '-m', '1G', '-smp', '2', '-nic', 'none'],
      ...['-kernel', options.image.kernel, '-initrd', options.image.initrd],
      // status_unit_format=name: the console says "Stopping vml-backup-shutdown.service", which the
      // measurements look for, instead of a description cut to 80 columns.
      ...['-append', 'console=ttyS0 root=/dev/vda rw systemd.status_unit_format=name'],
      ...['-drive', `file=${disk},if=virtio,format=qcow2`],
      ...(options.slowDisk
        ? [
            '-drive',
            `file=${options.slowDisk.path},if=virtio,format=raw,throttling.bps-read=${options.slowDisk.bytesPerSecond}`,
          ]
        : []),
      ...share('logbook', options.shares.logbook),
      ...share('results', options.shares.results),
      ...['-display', 'none', '-serial', 'stdio', '-monitor', 'none'],
    ];
    const child = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    return new Guest(child, createWriteStream(logPath), logPath);
  }

  private receive(chunk: string): void {
    this.log.write(chunk);
    const now = performance.now();
    // An escape sequence cut in two by the pipe would survive the clean-up: keep its start for the next chunk.
    let data = this.pendingEscape + chunk;
    const esc = data.lastIndexOf('\x1b');
    this.pendingEscape = '';
    if (esc !== -1 && data.length - esc < 16 && !ESCAPE.test(data.slice(esc))) {
      this.pendingEscape = data.slice(esc);
      data = data.slice(0, esc);
    }
    const clean = data.replace(ESCAPES, '');
    this.text += clean;
    const parts = (this.partial + clean).split('\n');
    this.partial = parts.pop() ?? '';
    for (const text of parts) this.lines.push({ time: now, text });
  }

  /** Types `text` on the console. */
  send(text: string): void {
    this.child.stdin?.write(text);
  }

  /**
   * Waits until the console prints something matching `pattern` after what earlier calls consumed, and
   * consumes up to the end of the match. Returns the text from the previous cursor up to the match's end.
   */
  async expect(
    pattern: RegExp,
    timeoutMs = COMMAND_TIMEOUT_MS,
  ): Promise<{ before: string; match: RegExpExecArray }> {
    const deadline = performance.now() + timeoutMs;
    const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
    for (;;) {
      const rest = this.text.slice(this.cursor);
      const match = re.exec(rest);
      if (match) {
        const end = this.cursor + match.index + match[0].length;
        const before = this.text.slice(this.cursor, this.cursor + match.index);
        this.cursor = end;
        return { before, match };
      }
      if (this.hasExited)
        throw new Error(`the guest stopped before printing ${pattern} (see ${this.logPath})`);
      if (performance.now() > deadline)
        throw new Error(`no ${pattern} on the console after ${timeoutMs / 1000} s (see ${this.logPath})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Logs in at the serial console's login prompt and returns what the login printed before the first shell
   * prompt (the message of the day and the login hooks' output).
   */
  async login(user: string, password: string): Promise<string> {
    await this.expect(/login: $/m, BOOT_TIMEOUT_MS);
    this.send(`${user}\n`);
    await this.expect(/Password: ?$/m);
    this.send(`${password}\n`);
    const { before } = await this.expect(/[$#] $/m);
    return before.replace(/^\n/, '');
  }

  /**
   * Runs one command line at the shell prompt and returns its output and exit status. The markers are
   * written with printf formats, so the echo of the typed line can never match them.
   */
  async run(command: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<CommandResult> {
    const id = ++this.sequence;
    // One line, so the terminal echoes all of it before the command runs and prints.
    this.send(`printf '\\n<%s>\\n' B${id}; ${command}; printf '\\n<%s%s>\\n' E${id}: $?\n`);
    await this.expect(new RegExp(`\\n<B${id}>\\n`), timeoutMs);
    const { before, match } = await this.expect(new RegExp(`\\n<E${id}:(\\d+)>\\n`), timeoutMs);
    const output = before.replace(/\n$/, '');
    return { output, code: Number(match[1]) };
  }

  /** Like `run`, but a non-zero status is an error that shows the output. */
  async check(command: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
    const result = await this.run(command, timeoutMs);
    if (result.code !== 0)
      throw new Error(
        `guest command failed (${result.code}): ${command}\n${result.output}\n(see ${this.logPath})`,
      );
    return result.output;
  }

  /** Waits for QEMU to exit (the guest powered off), killing it after `timeoutMs`. */
  async waitForExit(timeoutMs = BOOT_TIMEOUT_MS): Promise<void> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`QEMU exited with ${code} (see ${this.logPath})`);
  }

  /** Stops QEMU at once (test clean-up); a no-op once it has exited. */
  kill(): void {
    if (!this.hasExited) this.child.kill('SIGKILL');
  }

  /** Waits, without consuming anything, for a console line at or after index `from` that matches. */
  async waitForLine(pattern: RegExp, from = 0, timeoutMs = BOOT_TIMEOUT_MS): Promise<ConsoleLine> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.findLine(pattern, from);
      if (found) return found.line;
      if (this.hasExited)
        throw new Error(`the guest stopped before printing ${pattern} (see ${this.logPath})`);
      if (performance.now() > deadline)
        throw new Error(`no ${pattern} on the console after ${timeoutMs / 1000} s (see ${this.logPath})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The first console line at or after `from` (an index into `lines`) that matches, or undefined. */
  findLine(pattern: RegExp, from = 0): { index: number; line: ConsoleLine } | undefined {
    for (let index = from; index < this.lines.length; index++) {
      const line = this.lines[index];
      if (line && pattern.test(line.text)) return { index, line };
    }
    return undefined;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the console's escape sequences
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: one whole escape sequence at the start
const ESCAPE = /^\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Z0-9])/;

function share(tag: string, path: string): string[] {
  return ['-virtfs', `local,path=${path},mount_tag=${tag},security_model=none`];
}
