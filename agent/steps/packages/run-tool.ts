/** Runs a package manager and keeps what it said, for the restore report and --verbose. */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export interface ToolResult {
  /** Exit code; -1 when the tool could not be started (not installed). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args` to its end; never throws for a failing tool, only for an abort. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    // stdin closed: a package manager that asks a question gets end-of-file and stops, instead of hanging.
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const abort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', abort);
      resolve({ code: -1, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', abort);
      if (options.signal?.aborted) reject(options.signal.reason);
      else resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The line of a tool's output that says what went wrong: its last "Error" line, else its last line. */
export function errorLine(result: ToolResult): string {
  const lines = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const error = lines.filter((line) => /^(error|E:)/i.test(line)).pop();
  return error ?? lines.pop() ?? `exit code ${result.code}`;
}

/** Whether `command` is an executable on the PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
