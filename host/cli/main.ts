#!/usr/bin/env node
/**
 * vml: the host-side CLI. Builds the command tree (`vml logbook token create`, …) from one file per command
 * and runs them with the runner it shares with vml-agent (core/output/run.ts): the same output, --json and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../../core/errors.js';
import { EXIT_CODES_HELP, runWithOutput } from '../../core/output/run.js';
import type { HostCommand } from './command.js';
import { HOST_COMMANDS } from './commands/index.js';

// node:sqlite (the server's metadata) announces itself as experimental on every start; that line would
// only confuse an administrator.
const emitWarning = process.emitWarning;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).includes('SQLite is an experimental feature')) return;
  (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
}) as typeof process.emitWarning;

const GROUPS: Readonly<Record<string, string>> = {
  logbook: 'The logbook server: run it, and administer its users and tokens',
  'logbook user': 'Users of the logbook server',
  'logbook token': 'API tokens of the logbook server (for agents)',
};

function addCommand(program: Command, def: HostCommand): void {
  let parent = program;
  for (let depth = 1; depth < def.path.length; depth++) {
    const name = def.path[depth - 1] as string;
    const group = def.path.slice(0, depth).join(' ');
    parent =
      parent.commands.find((c) => c.name() === name) ??
      parent
        .command(name)
        .description(GROUPS[group] ?? '')
        .exitOverride();
  }
  const cmd = new Command(def.path[def.path.length - 1])
    .summary(def.summary)
    .description(`${def.summary}\n\n${def.help}`)
    .option('--json', 'print one JSON object per line; errors as JSON on stderr')
    .option('-v, --verbose', 'print debug lines and stack traces')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  def.configure(cmd);
  cmd.action(async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const flags = command.opts();
    await runWithOutput(flags, (output, signal) => def.run({ output, signal }, command.args, flags));
  });
  parent.addCommand(cmd);
}

const program = new Command('vml')
  .description('VML host tools: the logbook server ("vml logbook"); whole-disk backups ("vml image") to come')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', `\nNot available yet: "vml image backup|restore|log|convert".${EXIT_CODES_HELP}`)
  .exitOverride();
for (const def of HOST_COMMANDS) addCommand(program, def);

try {
  await program.parseAsync(process.argv);
  if (program.args.length === 0) program.outputHelp();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
