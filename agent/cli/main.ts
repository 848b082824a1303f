#!/usr/bin/env node
/**
 * vml-agent: the in-guest agent. Builds the commander program from one file per command, maps errors to
 * exit codes (the only place that sets process.exitCode) and prints them without stack traces unless
 * --verbose.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, isVmlError, VmlError } from '../../core/errors.js';
import type { CommandDefinition, CommonFlags } from './command.js';
import { createContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { createOutput } from './output.js';

const EXIT_CODES_HELP = `
Exit codes:
  0 ok · 1 failure · 2 usage error or invalid recipe/config · 3 done with warnings
  10 no logbook · 11 logbook locked · 12 authentication or permission · 130 interrupted`;

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'the file system to work on (default "/"; a mounted guest or a test tree)')
    .option(
      '--logbook <url>',
      'logbook location, e.g. dir:/srv/vml (default from /etc/vml/agent.yaml or VML_LOGBOOK)',
    )
    .option('--entry <owner/name>', 'the entry to work on (default from /etc/vml/agent.yaml or VML_ENTRY)')
    .option('--json', 'print one JSON object per line; errors as JSON on stderr')
    .option('-v, --verbose', 'print debug lines and stack traces');
}

async function runCommand(
  def: CommandDefinition,
  args: string[],
  flags: CommonFlags & Record<string, unknown>,
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
    const ctx = await createContext(flags, output, controller.signal);
    const code = await def.run(ctx, args, flags);
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

function reportError(error: unknown, output: ReturnType<typeof createOutput>, verbose: boolean): void {
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

function buildProgram(): Command {
  const program = new Command('vml-agent')
    .description('VML agent: back up, restore and share this CernVM working environment through a logbook')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  for (const def of COMMANDS) {
    const cmd = addCommonOptions(
      new Command(def.name).summary(def.summary).description(`${def.summary}\n\n${def.help}`),
    );
    if (def.alias) cmd.alias(def.alias);
    def.configure(cmd);
    cmd.addHelpText('after', EXIT_CODES_HELP);
    cmd.exitOverride();
    cmd.action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const args = command.args;
      await runCommand(def, args, command.opts());
    });
    program.addCommand(cmd);
  }
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed the message; help and version requests are not errors.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    throw error;
  }
}
