/** Runs a package manager and keeps what it said, for the restore report and --verbose. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { runTool } from '../run-tool.js';

export interface ManagerResult {
  /** Exit code; -1 when the tool could not be started (not installed) or was killed. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a package manager to its end, with no time limit (a transaction may download for long); never
 * throws for a failing or missing tool, only for an abort. stdin is closed: a manager that asks a question
 * gets end-of-file and stops, instead of hanging.
 */
export async function runManager(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } = {},
): Promise<ManagerResult> {
  try {
    const r = await runTool(command, args, { env: options.env, signal: options.signal, timeoutMs: 0 });
    return { code: r.code ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    return { code: -1, stdout: '', stderr: error instanceof Error ? error.message : String(error) };
  }
}

/** The line of a tool's output that says what went wrong: its last "Error" line, else its last line. */
export function errorLine(result: ManagerResult): string {
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
