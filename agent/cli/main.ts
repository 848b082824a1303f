#!/usr/bin/env node
/**
 * vml-agent: the in-guest agent. Builds the commander program from one file per command; run.ts runs one
 * (output, signals, exit codes).
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../../core/errors.js';
import { EXIT_CODES_HELP, runWithOutput } from '../../core/output/run.js';
import type { CommandDefinition, CommonFlags } from './command.js';
import { createContext } from './command.js';
import { COMMANDS } from './commands/index.js';

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'the file system to work on (default "/"; a mounted guest or a test tree)')
    .option(
      '--logbook <url>',
      'logbook location: dir:/srv/vml, http(s)://HOST:PORT (a logbook server) or s3://HOST:PORT/BUCKET[/PREFIX] (default from /etc/vml/agent.yaml or VML_LOGBOOK; a private CA for https: VML_CA_FILE)',
    )
    .option('--entry <owner/name>', 'the entry to work on (default from /etc/vml/agent.yaml or VML_ENTRY)')
    .option(
      '--token-file <file>',
      'a 0600 file holding the API token of an http(s):// logbook (default VML_TOKEN, VML_TOKEN_FILE; none: anonymous, for a public namespace)',
    )
    .option('--json', 'print one JSON object per line; errors as JSON on stderr')
    .option('-v, --verbose', 'print debug lines and stack traces');
}

async function runCommand(
  def: CommandDefinition,
  args: string[],
  flags: CommonFlags & Record<string, unknown>,
): Promise<void> {
  await runWithOutput(flags, async (output, signal) =>
    def.run(await createContext(flags, output, signal), args, flags),
  );
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
