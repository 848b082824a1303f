/**
 * Running one CLI command: output for --json or people, Ctrl-C and SIGTERM as an abort signal, errors
 * mapped to exit codes (the only place that sets process.exitCode) and printed without stack traces unless
 * --verbose. Shared by vml-agent and the host's vml.
 */
import { EXIT, isVmlError, VmlError } from '../errors.js';
import type { Output } from '../events.js';
import { createOutput } from './output.js';

export const EXIT_CODES_HELP = `
Exit codes:
  0 ok · 1 failure · 2 usage error or invalid recipe/config · 3 done with warnings
  10 no logbook · 11 logbook locked · 12 authentication or permission · 130 interrupted`;

/** Runs `body` and sets the exit code: its result, else 3 after warnings, else 0; errors become exit_error. */
export async function runWithOutput(
  flags: { readonly json?: boolean; readonly verbose?: boolean },
  body: (output: Output, signal: AbortSignal) => Promise<number | undefined>,
): Promise<void> {
  const output = createOutput({
    json: flags.json === true,
    verbose: flags.verbose === true || process.env.VML_DEBUG === '1',
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort(new VmlError('E_INTERRUPTED', 'Interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const code = await body(output, controller.signal);
    process.exitCode = code ?? (output.warnings > 0 ? EXIT.warnings : EXIT.ok);
  } catch (error) {
    const e = controller.signal.aborted
      ? new VmlError('E_INTERRUPTED', 'Interrupted: the logbook is left valid', { cause: error })
      : error;
    reportError(e, output, flags.verbose === true);
  } finally {
    output.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function reportError(error: unknown, output: Output, verbose: boolean): void {
  const vml = isVmlError(error) ? error : undefined;
  const code = vml?.exitCode ?? EXIT.failure;
  output.emit({
    type: 'exit_error',
    code,
    error: vml?.code ?? 'E_INTERNAL',
    message: vml ? vml.message : `Unexpected error: ${(error as Error)?.message ?? String(error)}`,
    hint:
      vml?.hint ?? (vml ? undefined : 'Run again with --verbose for details, and report it if it persists'),
  });
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = code;
}
